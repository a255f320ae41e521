from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from services.core.errors import ServiceError
from services.notifications import inbox, preferences
from webapp.database import db
from webapp.helpers import safe_next
from webapp.pagination import paginate
from webapp.refusals import form_status, refuse_form

bp = Blueprint("notifications", __name__, url_prefix="/inbox")


class EmptyForm(FlaskForm):
    """A POST with nothing but the CSRF token."""


EXPIRED = "The form expired; reload the page and try again."


@bp.app_context_processor
def _unread_badge() -> dict[str, Any]:
    def inbox_unread() -> int:
        if not current_user.is_authenticated:
            return 0
        return inbox.unread_count(db(), current_user)

    return {"inbox_unread": inbox_unread}


@bp.route("/", endpoint="inbox")
@login_required
def inbox_view() -> str:
    unread_only = request.args.get("unread") == "1"
    page = paginate(inbox.listing(current_user, unread_only), db())
    return render_template(
        "notifications/inbox.html", page=page, unread_only=unread_only, form=EmptyForm()
    )


def _object_link(link: str) -> str | None:
    """Follow a notification's link only inside this site (no open redirect)."""
    public = current_app.config["PUBLIC_URL"].rstrip("/")
    if link.startswith(public + "/"):
        link = link[len(public) :]
    return safe_next(link)


@bp.route("/<int:item_id>/open", methods=["POST"])
@login_required
def open_item(item_id: int) -> Response:
    if not EmptyForm().validate_on_submit():
        abort(400, EXPIRED)
    item = inbox.mark_read(db(), current_user, item_id)
    return redirect(_object_link(item.link) or url_for("notifications.inbox"))


@bp.route("/<int:item_id>/read", methods=["POST"])
@login_required
def read(item_id: int) -> Response:
    if not EmptyForm().validate_on_submit():
        abort(400, EXPIRED)
    inbox.mark_read(db(), current_user, item_id)
    return redirect(url_for("notifications.inbox"))


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all() -> Response:
    if not EmptyForm().validate_on_submit():
        abort(400, EXPIRED)
    count = inbox.mark_all_read(db(), current_user)
    flash(f"{count} notification{'s' if count != 1 else ''} marked as read.", "success")
    return redirect(url_for("notifications.inbox"))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings() -> ResponseReturnValue:
    form = EmptyForm()
    errors: dict[str, list[str]] = {}
    message = ""
    chosen = preferences.preferences_of(db(), current_user)
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, EXPIRED)
        choices = {
            e: request.form[f"mode-{e}"] for e in preferences.EVENTS if f"mode-{e}" in request.form
        }
        try:
            preferences.set_preferences(db(), current_user, current_user, choices)
        except ServiceError as exc:
            refuse_form(form, exc)
            errors, message, chosen = exc.field_errors, exc.message, {**chosen, **choices}
        else:
            flash("Your notification settings are saved.", "success")
            return redirect(url_for("notifications.settings"))
    return render_template(
        "notifications/settings.html",
        form=form,
        groups=preferences.EVENT_GROUPS,
        chosen=chosen,
        modes=preferences.MODE_LABELS,
        errors=errors,
        message=message,
    ), form_status(form)
