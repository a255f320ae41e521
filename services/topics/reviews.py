"""Topic review: assigned reviewers (review_assignments.py) declare conflicts, then score."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import Integer, bindparam, select
from sqlalchemy.orm import Session, selectinload

from models import Topic, TopicReview, User
from models.base import utcnow
from services import policies
from services.core import audit
from services.core.context import RequestContext
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from services.topics import events as topic_events

CRITERIA = ("excellence", "impact", "implementation")
CRITERION_LABELS = {
    "excellence": "Excellence",
    "impact": "Impact",
    "implementation": "Quality and efficiency of implementation",
}


def _own_review(session: Session, actor: User, topic: Topic) -> TopicReview:
    review = policies.topic_review_of(actor, topic, session)
    if review is None:
        raise PermissionDenied("You are not a reviewer of this topic.")
    return review


def declare_coi(
    session: Session, ctx: RequestContext, topic: Topic, conflicted: bool, reason: str = ""
) -> TopicReview:
    """The first step of a review; a declaration is final (a coordinator can reassign)."""
    actor = ctx.user
    review = _own_review(session, actor, topic)
    if review.coi != "pending":
        raise Conflict("You have already declared your conflicts of interest for this topic.")
    if conflicted and not reason.strip():
        raise InvalidInput(
            "Say briefly why you are conflicted.", {"coi_reason": ["Give the reason."]}
        )
    review.coi = "conflicted" if conflicted else "none"
    review.coi_reason = reason.strip()
    declared = {"coi": review.coi, "reason": review.coi_reason}
    audit.record(session, actor, "topic.review_coi", topic, ip=ctx.client_ip, **declared)
    session.flush()
    return review


def parse_score(name: str, raw: object) -> Decimal:
    """A score from 0 to 5 in half points, or InvalidInput naming the field."""
    message = "Give a score from 0 to 5 in half points (e.g. 3.5)."
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise InvalidInput(message, {name: [message]}) from None
    if not value.is_finite() or not 0 <= value <= 5 or (value * 2) % 1 != 0:
        raise InvalidInput(message, {name: [message]})
    return value.quantize(Decimal("0.1"))


def submit_review(
    session: Session, ctx: RequestContext, topic: Topic, scores: dict[str, object], comments: str
) -> TopicReview:
    actor = ctx.user
    review = _own_review(session, actor, topic)
    if review.coi == "pending":
        raise Conflict("Declare your conflicts of interest before scoring.")
    if review.coi == "conflicted":
        raise PermissionDenied("You declared a conflict of interest: you may not score this topic.")
    errors: dict[str, list[str]] = {}
    parsed: dict[str, Decimal] = {}
    for name in CRITERIA:
        try:
            parsed[name] = parse_score(name, scores.get(name, ""))
        except InvalidInput as exc:
            errors.update(exc.field_errors)
    if errors:
        raise InvalidInput("The review was not saved: check the scores.", errors)
    first = review.submitted_at is None
    for name, value in parsed.items():
        setattr(review, name, value)
    review.comments = comments.strip()
    if first:  # the thresholds this review is judged by (see ``thresholds``)
        review.threshold_each = topic.programme.threshold_each
        review.threshold_total = topic.programme.threshold_total
    review.submitted_at = utcnow()
    audit.record(
        session,
        actor,
        "topic.review",
        topic,
        ip=ctx.client_ip,
        **{k: str(v) for k, v in parsed.items()},
    )
    session.flush()
    if first:
        topic_events.review_done(session, ctx, topic)
    return review


# Built once: a topic's page reads them on every request.
_REVIEWS_OF = (
    select(TopicReview)
    .where(TopicReview.topic_id == bindparam("topic_id", type_=Integer))
    .order_by(TopicReview.id)
    .options(selectinload(TopicReview.reviewer))
)


def reviews_of(session: Session, topic: Topic) -> list[TopicReview]:
    return list(session.scalars(_REVIEWS_OF, {"topic_id": topic.id}))


def visible_reviews(session: Session, user: User | None, topic: Topic) -> list[TopicReview]:
    """All reviews for coordinators and non-conflicted reviewers; nothing for anyone else."""
    if not policies.can_see_reviews(user, topic):
        return []
    return reviews_of(session, topic)


def page_reviews(
    session: Session, user: User | None, topic: Topic
) -> tuple[TopicReview | None, list[TopicReview]]:
    """``user``'s own review of ``topic`` and ``visible_reviews``: for a coordinator (who
    sees them all) one query, their own review picked from the list."""
    if policies.is_coordinator(user):
        shown = reviews_of(session, topic)
        assert user is not None
        return next((r for r in shown if r.reviewer_id == user.id), None), shown
    return policies.topic_review_of(user, topic, session), visible_reviews(session, user, topic)


@dataclass
class CriterionSummary:
    name: str
    label: str
    n: int
    mean: Decimal | None
    spread: Decimal | None  # population standard deviation
    threshold: Decimal
    passes: bool | None


def thresholds(topic: Topic, reviews: list[TopicReview]) -> tuple[Decimal, Decimal]:
    """(per criterion, overall): those recorded by the topic's first submitted review, so a
    change of the programme's settings applies to evaluations that start after it."""
    recorded = [
        (r.submitted_at, r.id, r.threshold_each, r.threshold_total)
        for r in reviews
        if r.submitted_at and r.threshold_each is not None and r.threshold_total is not None
    ]
    if recorded:
        _at, _id, each, total = min(recorded)
        return each, total
    return topic.programme.threshold_each, topic.programme.threshold_total


def summary(
    session: Session, topic: Topic, reviews: list[TopicReview] | None = None
) -> list[CriterionSummary]:
    """Mean and spread per criterion and of the total, against the programme's thresholds
    (``reviews``: the topic's reviews when the caller has already read them)."""
    if reviews is None:
        reviews = reviews_of(session, topic)
    done = [r for r in reviews if r.submitted_at and r.coi == "none"]
    each, total = thresholds(topic, reviews)
    out = []
    series: dict[str, list[Decimal]] = {c: [getattr(r, c) for r in done] for c in CRITERIA}
    series["total"] = [r.total for r in done if r.total is not None]
    labels = {**CRITERION_LABELS, "total": "Total"}
    for name, values in series.items():
        threshold = total if name == "total" else each
        mean = spread = None
        if values:
            mean = (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"))
            spread = Decimal(str(statistics.pstdev(values))).quantize(Decimal("0.01"))
        passes = None if mean is None else mean >= threshold
        out.append(
            CriterionSummary(name, labels[name], len(values), mean, spread, threshold, passes)
        )
    return out


def get_review(session: Session, topic: Topic, review_id: int) -> TopicReview:
    review = session.get(TopicReview, review_id)
    if review is None or review.topic_id != topic.id:
        raise NotFound("No such review.")
    return review
