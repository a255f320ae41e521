"""Review deadline reminders: the periodic job (beat, or the embedded scheduler), idempotent.

The programme's ``review_reminder_days`` (default "3,1") are steps before a review's
deadline. A step is given once, and only if it was still ahead when the deadline was set
(a review asked for in two days gets no "3 days left" reminder). When the job ran late and
several steps have passed, only the nearest one is given. Once the deadline has passed, the
reviewer and the coordinator who asked get one overdue notice (step 0). Submitted reviews,
declared conflicts and closed topics get nothing.

Exactly once: a ``review_reminders`` row with the unique key (review, deadline, step) is
inserted with ON CONFLICT DO NOTHING in the transaction that notifies; only the transaction
that inserted it notifies. A new deadline has its own keys, so its steps are given again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from models import ReviewReminder, Topic, TopicReview, User
from models.base import utcnow
from services.core.config import Settings
from services.core.context import RequestContext
from services.notifications.notify import notify
from services.notifications.reminders import parse_days
from services.topics.events import due_words, topic_link

REMINDER = "topic.review_reminder"
OVERDUE = "topic.review_overdue"
CLOSED_STATES = ("closed", "rejected", "withdrawn")


def due_step(due_at: datetime, set_at: datetime, now: datetime, steps: list[int]) -> int | None:
    """The step to give now: 0 once the deadline has passed, else the smallest step crossed
    since the deadline was set, else None."""
    if now >= due_at:
        return 0
    crossed = [d for d in steps if set_at < due_at - timedelta(days=d) <= now]
    return min(crossed) if crossed else None


def _claim(session: Session, review: TopicReview, days: int) -> bool:
    """Insert the step's unique key; True only for the transaction that inserted it."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(ReviewReminder)
        .values(review_id=review.id, due_at=review.due_at, days=days, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["review_id", "due_at", "days"])
        .returning(ReviewReminder.id)
    )
    return session.execute(stmt).scalar() is not None


def _open_reviews(session: Session) -> list[TopicReview]:
    overdue_told = exists().where(
        ReviewReminder.review_id == TopicReview.id,
        ReviewReminder.due_at == TopicReview.due_at,
        ReviewReminder.days == 0,
    )
    return list(
        session.scalars(
            select(TopicReview)
            .join(Topic, Topic.id == TopicReview.topic_id)
            .where(
                TopicReview.due_at.is_not(None),
                TopicReview.submitted_at.is_(None),
                TopicReview.coi != "conflicted",
                Topic.status.not_in(CLOSED_STATES),
                ~overdue_told,
            )
            .options(selectinload(TopicReview.reviewer))
            .order_by(TopicReview.id)
        )
    )


def _tell(session: Session, ctx: RequestContext, review: TopicReview, days: int) -> None:
    topic = session.get(Topic, review.topic_id)
    assert topic is not None and review.due_at is not None
    when = due_words(topic, review.due_at)
    if days == 0:
        boss = session.get(User, review.assigned_by_id) if review.assigned_by_id else None
        people = [review.reviewer, *([boss] if boss is not None and boss.is_active else [])]
        notify(
            session,
            OVERDUE,
            people,
            subject=f"Review overdue: {topic.title}",
            summary=f"The review of \u201c{topic.title}\u201d by {review.reviewer.name} was "
            f"due by {when} and is not submitted.",
            link=topic_link(ctx, topic) + "#review",
            obj=topic,
        )
        return
    first = " First declare any conflict of interest." if review.coi == "pending" else ""
    left = f"{days} day{'s' if days != 1 else ''}"
    notify(
        session,
        REMINDER,
        [review.reviewer],
        subject=f"Review due in {left}: {topic.title}",
        summary=f"Your review of \u201c{topic.title}\u201d is due by {when}.{first}",
        link=topic_link(ctx, topic) + "#review",
        obj=topic,
    )


def send_due(session: Session, settings: Settings, now: datetime | None = None) -> dict[str, int]:
    """Give every review reminder and overdue notice that is due; return how many."""
    now = now or utcnow()
    ctx = RequestContext.for_settings(settings)
    counts = {"reminded": 0, "overdue": 0}
    steps_of: dict[int, list[int]] = {}
    for review in _open_reviews(session):
        topic = session.get(Topic, review.topic_id)
        assert topic is not None and review.due_at is not None
        if topic.programme_id not in steps_of:
            steps_of[topic.programme_id] = parse_days(topic.programme.review_reminder_days)
        set_at = review.due_set_at or review.assigned_at
        step = due_step(review.due_at, set_at, now, steps_of[topic.programme_id])
        if step is None or not _claim(session, review, step):
            continue
        _tell(session, ctx, review, step)
        counts["overdue" if step == 0 else "reminded"] += 1
    return counts
