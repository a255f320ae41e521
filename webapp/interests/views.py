from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from models import Topic
from models.interests import NOTE_MAX
from services.consortia import interest
from services.core.errors import ServiceError
from webapp.database import db
from webapp.helpers import context
from webapp.interests.forms import NOTE_LABEL, ActionForm, ExpressForm, NoteForm
from webapp.refusals import refused

bp = Blueprint("interests", __name__)


@bp.before_request
@login_required
def _signed_in() -> None:
    return None


def _act(form: FlaskForm, topic_id: int, fn: Callable[[], Any], ok: str) -> Response:
    """Run one change from a valid form and go back to the topic's interest panel; a refusal
    answers with the topic page and the reason (422 for the form's fields)."""
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400, "The form expired; reload the page and try again.")
        reason = " ".join(e for errors in form.errors.values() for e in errors)
        return refused(reason, "topics.detail", topic_id=topic_id)
    try:
        fn()
    except ServiceError as exc:
        return refused(exc, "topics.detail", topic_id=topic_id)
    flash(ok, "success")
    return redirect(url_for("topics.detail", topic_id=topic_id, _anchor="interest"))


@bp.post("/topics/<int:topic_id>/interest")
def express(topic_id: int) -> Response:
    form = ExpressForm()
    return _act(
        form,
        topic_id,
        lambda: interest.express_interest(
            db(), context(), topic_id, form.organisation_id.data, form.note.data or ""
        ),
        "Interest expressed; the programme office is told.",
    )


@bp.post("/interests/<int:interest_id>/edit")
def edit(interest_id: int) -> Response:
    form = NoteForm()
    found = interest.get_interest(db(), current_user, interest_id)
    return _act(
        form,
        found.topic_id,
        lambda: interest.edit_interest(db(), context(), interest_id, form.note.data or ""),
        "Note saved.",
    )


@bp.post("/interests/<int:interest_id>/withdraw")
def withdraw(interest_id: int) -> Response:
    found = interest.get_interest(db(), current_user, interest_id)
    return _act(
        ActionForm(),
        found.topic_id,
        lambda: interest.withdraw_interest(db(), context(), interest_id),
        "Interest withdrawn.",
    )


@bp.app_template_global()
def interest_panel(topic: Topic) -> dict[str, Any]:
    """The topic page's interest panel: what the viewer may see and do, and its forms."""
    return {
        "panel": interest.panel(db(), current_user, topic),
        "label": NOTE_LABEL,
        "note_max": NOTE_MAX,
    }
