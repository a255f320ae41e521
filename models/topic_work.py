"""What happens to a topic over time: transitions, content revisions, reviews, comments."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.accounts import User
from models.base import Base, one_of, utcnow
from models.topics import TOPIC_STATES

COI_STATES = ("pending", "none", "conflicted")
COMMENT_LEVELS = ("sgg", "reviewers", "all")
SCORE = Numeric(2, 1, asdecimal=True)


class TopicTransition(Base):
    """One step of a topic's lifecycle: who moved it from which state to which, and why."""

    __tablename__ = "topic_transitions"
    __table_args__ = (
        one_of("from_state", TOPIC_STATES, name="from_state_valid"),
        one_of("to_state", TOPIC_STATES, name="to_state_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str] = mapped_column(String(30))
    to_state: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship()


class TopicRevision(Base):
    """A snapshot of a topic's content fields after an edit (number 1 is the first text)."""

    __tablename__ = "topic_revisions"
    __table_args__ = (UniqueConstraint("topic_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()


class TopicReview(Base):
    """A reviewer assigned to a topic: conflict-of-interest declaration, then scores."""

    __tablename__ = "topic_reviews"
    __table_args__ = (
        UniqueConstraint("topic_id", "reviewer_id"),
        one_of("coi", COI_STATES),
        CheckConstraint(
            "(excellence IS NULL OR excellence BETWEEN 0 AND 5) AND "
            "(impact IS NULL OR impact BETWEEN 0 AND 5) AND "
            "(implementation IS NULL OR implementation BETWEEN 0 AND 5)",
            name="scores_in_range",
        ),
        CheckConstraint("coi <> 'conflicted' OR excellence IS NULL", name="conflicted_no_score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    coi: Mapped[str] = mapped_column(String(20), default="pending")
    coi_reason: Mapped[str] = mapped_column(Text, default="")
    excellence: Mapped[Decimal | None] = mapped_column(SCORE)
    impact: Mapped[Decimal | None] = mapped_column(SCORE)
    implementation: Mapped[Decimal | None] = mapped_column(SCORE)
    comments: Mapped[str] = mapped_column(Text, default="")
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    # The review deadline, and when it was last set: reminder steps already behind at that
    # moment are not sent (services/topics/review_deadlines.py). None on older reviews.
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    due_set_at: Mapped[datetime | None]
    # A coordinator assigned this reviewer despite detected conflicts, for this reason.
    override_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    overridden_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # The programme's thresholds when the review was first submitted: a topic's scores are
    # judged by those of its first submitted review, whatever the programme sets later.
    threshold_each: Mapped[Decimal | None] = mapped_column(Numeric(3, 1))
    threshold_total: Mapped[Decimal | None] = mapped_column(Numeric(3, 1))

    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])

    @property
    def total(self) -> Decimal | None:
        if self.excellence is None or self.impact is None or self.implementation is None:
            return None
        return self.excellence + self.impact + self.implementation


class ReviewReminder(Base):
    """A review reminder step already given for one deadline (``days`` 0: overdue notice);
    the unique key makes each step exactly-once."""

    __tablename__ = "review_reminders"
    __table_args__ = (UniqueConstraint("review_id", "due_at", "days"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("topic_reviews.id", ondelete="CASCADE"), index=True
    )
    due_at: Mapped[datetime]
    days: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TopicComment(Base):
    """A threaded comment; ``level`` says who may read it (replies keep their thread's)."""

    __tablename__ = "topic_comments"
    __table_args__ = (one_of("level", COMMENT_LEVELS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("topic_comments.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    level: Mapped[str] = mapped_column(String(20), default="all")
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()
