from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_login import login_required
from werkzeug.wrappers import Response  # what redirect() returns; flask's is a subclass

from services import policies
from services.accounts import users as accounts
from services.core.errors import ServiceError
from services.topics import comments, reviews
from services.topics import content as topics
from webapp.database import db
from webapp.helpers import context, raise_if_refused, refused
from webapp.topics.blueprint import bp, me
from webapp.topics.forms import AssignReviewerForm, CoiForm, CommentForm, ReviewForm, optional_int


def _back(topic_id: int, anchor: str) -> Response:
    return redirect(url_for("topics.detail", topic_id=topic_id) + anchor)


def _refused(exc: ServiceError | str, topic_id: int) -> Response:
    """The topic page with the reason (409/422); the field messages join the reason."""
    if isinstance(exc, ServiceError):
        raise_if_refused(exc)
        details = [m for ms in exc.field_errors.values() for m in ms]
        if details:
            exc = type(exc)(" ".join([exc.message, *details]))
    return refused(exc, "topics.detail", topic_id=topic_id)


@bp.route("/topics/<int:topic_id>/reviewers", methods=["POST"])
@login_required
def assign_reviewer(topic_id: int) -> Response:
    session = db()
    topic = topics.get_topic(session, me(), topic_id)
    if not policies.can_assign_reviewers(me(), topic):
        abort(403, "Only coordinators assign reviewers.")
    form = AssignReviewerForm()
    form.reviewer_id.choices = [(u.id, u.name) for u in accounts.active_users(session)]
    if not form.validate_on_submit():
        return _refused("Choose a reviewer from the list.", topic_id)
    try:
        review = reviews.assign_reviewer(session, context(me()), topic, form.reviewer_id.data or 0)
    except ServiceError as exc:
        return _refused(exc, topic_id)
    flash(f"{review.reviewer.name} was asked to review this topic.", "success")
    return _back(topic_id, "#review")


@bp.route("/topics/<int:topic_id>/coi", methods=["POST"])
@login_required
def declare_coi(topic_id: int) -> Response:
    session = db()
    topic = topics.get_topic(session, me(), topic_id)
    form = CoiForm()
    if not form.validate_on_submit():
        return _refused("Say whether you have a conflict of interest.", topic_id)
    try:
        review = reviews.declare_coi(
            session, context(me()), topic, form.coi.data == "conflicted", form.coi_reason.data or ""
        )
    except ServiceError as exc:
        return _refused(exc, topic_id)
    if review.coi == "conflicted":
        flash("Conflict declared: you will not see or score the reviews of this topic.", "info")
    else:
        flash("No conflict declared: you may now score the topic.", "success")
    return _back(topic_id, "#review")


@bp.route("/topics/<int:topic_id>/review", methods=["POST"])
@login_required
def submit_review(topic_id: int) -> Response:
    session = db()
    topic = topics.get_topic(session, me(), topic_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        return _refused("The review form was incomplete; nothing was saved.", topic_id)
    scores = {name: getattr(form, name).data or "" for name in reviews.CRITERIA}
    try:
        reviews.submit_review(session, context(me()), topic, scores, form.comments.data or "")
    except ServiceError as exc:
        return _refused(exc, topic_id)
    flash("Review saved.", "success")
    return _back(topic_id, "#review")


@bp.route("/topics/<int:topic_id>/comments", methods=["POST"])
@login_required
def add_comment(topic_id: int) -> Response:
    session = db()
    topic = topics.get_topic(session, me(), topic_id)
    form = CommentForm()
    form.level.choices = [(lv, lv) for lv in comments.LEVEL_LABELS]
    if not form.validate_on_submit():
        return _refused("Write a comment first.", topic_id)
    try:
        comment = comments.add_comment(
            session,
            context(me()),
            topic,
            form.body.data or "",
            form.level.data or "all",
            optional_int(form.parent_id.data),
        )
    except ServiceError as exc:
        return _refused(exc, topic_id)
    flash("Comment added.", "success")
    return _back(topic_id, f"#comment-{comment.id}")
