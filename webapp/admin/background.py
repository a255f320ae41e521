"""Admin: the view of background work, resending failed mail, the silence banner."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from services.core.errors import ServiceError
from services.notifications import delivery, outbox_log
from services.operations import background
from webapp.admin.forms import EmptyForm
from webapp.admin.views import bp
from webapp.database import db
from webapp.refusals import refused


@bp.context_processor
def _silence_banner() -> dict[str, Any]:
    """Every admin page warns when the worker or the scheduler has gone silent (the page of
    background work passes the warnings it read with the rest)."""
    if not current_user.is_authenticated or request.endpoint == "admin.background":
        return {}
    return {"background_warnings": background.warnings(db(), current_app.config["SETTINGS"])}


@bp.route("/background", endpoint="background")
def background_view() -> str:
    view = background.overview(db(), current_app.config["SETTINGS"])
    return render_template(
        "admin/background.html",
        view=view,
        background_warnings=view.warnings,
        settings=current_app.config["SETTINGS"],
        form=EmptyForm(),
    )


@bp.route("/outbox/<int:message_id>/resend", methods=["POST"])
def resend(message_id: int) -> Response:
    message = outbox_log.get_message(db(), message_id)
    if not EmptyForm().validate_on_submit():
        return refused(
            "The form expired; please try again.", "admin.outbox_message", message_id=message_id
        )
    else:
        try:
            delivery.resend(db(), current_user, message)
        except ServiceError as exc:
            return refused(exc, "admin.outbox_message", message_id=message_id)
        flash(f"Message #{message.id} to {message.recipient_email} queued again.", "success")
    return redirect(url_for("admin.outbox_message", message_id=message_id))
