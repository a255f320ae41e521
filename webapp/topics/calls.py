from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import login_required
from werkzeug.wrappers import Response  # what redirect() returns; flask's is a subclass

from models import Call
from services import policies
from services.core.errors import ServiceError
from services.topics import call_topics
from services.topics import calls as call_service
from services.topics import content as topics
from webapp.database import db
from webapp.helpers import context
from webapp.refusals import refuse_form, refused, render_form
from webapp.topics.blueprint import bp, me
from webapp.topics.forms import CallForm, CallTopicForm, TransitionForm


@bp.route("/calls/")
@login_required
def calls() -> str:
    return render_template(
        "topics/calls.html",
        calls=call_service.calls_by_deadline(db(), me()),
        may_manage=policies.can_manage_calls(me()),
    )


def _call_form(call: Call | None) -> CallForm:
    form = CallForm(obj=call)
    if call is not None and not form.is_submitted():
        form.stage1_local.data = call_service.to_local(call.stage1_deadline, call.timezone)
        form.stage2_local.data = call_service.to_local(call.stage2_deadline, call.timezone)
    programmes = call_service.programmes(db())
    form.programme_id.choices = [(p.id, f"{p.code}: {p.name}") for p in programmes]
    if call is None and not form.is_submitted() and programmes:
        form.timezone.data = programmes[0].timezone  # a new call starts in its programme's
    return form


def _save(call: Call | None) -> tuple[str, int] | Response:
    if not policies.can_manage_calls(me()):
        abort(403, "Only coordinators manage calls.")
    form = _call_form(call)
    if form.validate_on_submit():
        data = call_service.CallInput(
            programme_id=form.programme_id.data or 0,
            identifier=form.identifier.data or "",
            title=form.title.data or "",
            call_type=form.call_type.data,
            timezone=(form.timezone.data or "").strip(),
            stage1_local=form.stage1_local.data,
            stage2_local=form.stage2_local.data,
        )
        try:
            saved = call_service.save_call(db(), context(me()), data, call)
        except ServiceError as exc:
            refuse_form(form, exc)
        else:
            flash(f"Call {saved.identifier} saved.", "success")
            return redirect(url_for("topics.call_detail", call_id=saved.id))
    return render_form("topics/call_edit.html", form=form, call=call)


@bp.route("/calls/new", methods=["GET", "POST"])
@login_required
def new_call() -> tuple[str, int] | Response:
    return _save(None)


@bp.route("/calls/<int:call_id>/edit", methods=["GET", "POST"])
@login_required
def edit_call(call_id: int) -> tuple[str, int] | Response:
    return _save(call_service.get_call(db(), call_id))


@bp.route("/calls/<int:call_id>")
@login_required
def call_detail(call_id: int) -> str:
    session = db()
    call = call_service.get_call(session, call_id, with_programme=True)
    shown, published = call_topics.topics_and_published(session, me(), call)
    form = CallTopicForm()
    form.topic_id.choices = [
        (t.id, f"{t.identifier or 'no identifier'}: {t.title}")
        for t in call_topics.addable(session, me(), call)
    ]
    return render_template(
        "topics/call.html",
        call=call,
        topics=shown,
        may_manage=policies.can_manage_calls(me()),
        call_published=published,
        may_remove=call_topics.may_remove,
        add_form=form,
        public=False,
    )


@bp.route("/calls/<int:call_id>/topics", methods=["POST"])
@login_required
def add_call_topic(call_id: int) -> Response:
    form = CallTopicForm()
    if not form.validate_on_submit():
        return refused("The form expired; reload the page and try again.", "topics.call_detail",
                       call_id=call_id)  # fmt: skip
    try:
        topic = call_topics.add_topic(db(), context(me()), call_id, form.topic_id.data)
    except ServiceError as exc:
        return refused(exc, "topics.call_detail", call_id=call_id)
    flash(f"“{topic.title}” added to the call.", "success")
    return redirect(url_for("topics.call_detail", call_id=call_id))


@bp.route("/calls/<int:call_id>/topics/<int:topic_id>/remove", methods=["POST"])
@login_required
def remove_call_topic(call_id: int, topic_id: int) -> Response:
    if not TransitionForm().validate_on_submit():
        return refused("The form expired; reload the page and try again.", "topics.call_detail",
                       call_id=call_id)  # fmt: skip
    try:
        topic = call_topics.remove_topic(db(), context(me()), call_id, topic_id)
    except ServiceError as exc:
        return refused(exc, "topics.call_detail", call_id=call_id)
    flash(f"“{topic.title}” removed from the call.", "success")
    return redirect(url_for("topics.call_detail", call_id=call_id))


# Public read-only pages: published calls and topics, no sign-in needed.


@bp.route("/public/calls/")
def public_calls() -> str:
    return render_template("topics/public_calls.html", calls=call_service.published_calls(db()))


@bp.route("/public/calls/<int:call_id>")
def public_call(call_id: int) -> str:
    call = call_service.get_call(db(), call_id, with_programme=True)
    published = call_service.public_topics(db(), call)
    if not published:
        abort(404, "This call has no published topics.")
    return render_template(
        "topics/call.html",
        call=call,
        topics=published,
        may_manage=False,
        public=True,
    )


@bp.route("/public/topics/<int:topic_id>")
def public_topic(topic_id: int) -> str:
    topic = topics.get_public_topic(db(), topic_id)
    return render_template("topics/public_topic.html", topic=topic)
