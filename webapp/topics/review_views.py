"""Reviews of a topic: the reviewer picker, assignment (with the conflict guard), review
deadlines, conflict declarations, scores; and comments."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response  # what redirect() returns; flask's is a subclass

from services import policies
from services.core.errors import ServiceError
from services.topics import comments, review_assignments, reviews
from services.topics import content as topics
from webapp.database import db
from webapp.helpers import context
from webapp.refusals import raise_if_refused, refused
from webapp.topics.blueprint import bp, me
from webapp.topics.forms import (
    AssignReviewerForm,
    CoiForm,
    CommentForm,
    ReviewDeadlineForm,
    ReviewForm,
    optional_int,
)

PICKER = "topics.reviewer_picker"


def _back(topic_id: int, anchor: str) -> Response:
    return redirect(url_for("topics.detail", topic_id=topic_id) + anchor)


def _refused(exc: ServiceError | str, topic_id: int, endpoint: str = "topics.detail") -> Response:
    """The page the form was on, with the reason (409/422); field messages join the reason."""
    if isinstance(exc, ServiceError):
        raise_if_refused(exc)
        details = [m for ms in exc.field_errors.values() for m in ms if m not in exc.message]
        if details:
            exc = type(exc)(" ".join([exc.message, *details]))
    return refused(exc, endpoint, topic_id=topic_id)


@bp.route("/topics/<int:topic_id>/reviewers")
@login_required
def reviewer_picker(topic_id: int) -> str:
    """Programme reviewers with their conflicts; a search by name or email (htmx swaps the
    list as one types, the form works as a plain GET without JavaScript)."""
    session = db()
    topic = topics.get_topic(session, me(), topic_id)
    picker = review_assignments.reviewer_picker(session, me(), topic, request.args.get("q", ""))
    template = "_reviewer_candidates" if request.headers.get("HX-Request") else "reviewers"
    return render_template(f"topics/{template}.html", topic=topic, picker=picker)


@bp.route("/topics/<int:topic_id>/reviewers", methods=["POST"])
@login_required
def assign_reviewer(topic_id: int) -> Response:
    session = db()
    topic = topics.get_topic(session, me(), topic_id)
    if not policies.can_assign_reviewers(me(), topic):
        abort(403, "Only coordinators assign reviewers.")
    form = AssignReviewerForm()
    if not form.validate_on_submit():
        return _refused("Choose a reviewer from the list.", topic_id, PICKER)
    try:
        review = review_assignments.assign_reviewer(
            session,
            context(me()),
            topic,
            optional_int(form.reviewer_id.data) or 0,
            form.due_date.data or "",
            form.override_reason.data or "",
        )
    except ServiceError as exc:
        return _refused(exc, topic_id, PICKER)
    due = review_assignments.due_date_of(review, topic)
    done = f"{review.reviewer.name} was asked to review this topic by {due:%d %b %Y}."
    if review.override_reason:
        done += " The conflict override and its reason are recorded."
    flash(done, "success")
    return _back(topic_id, "#review")


@bp.route("/topics/<int:topic_id>/reviews/<int:review_id>/deadline", methods=["POST"])
@login_required
def review_deadline(topic_id: int, review_id: int) -> Response:
    session = db()
    topic = topics.get_topic(session, me(), topic_id)
    form = ReviewDeadlineForm()
    if not form.validate_on_submit():
        return _refused("Give the new deadline as a date.", topic_id)
    try:
        review = review_assignments.change_deadline(
            session, context(me()), topic, review_id, form.due_date.data or ""
        )
    except ServiceError as exc:
        return _refused(exc, topic_id)
    due = review_assignments.due_date_of(review, topic)
    flash(f"The review of {review.reviewer.name} is now due by {due:%d %b %Y}.", "success")
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
