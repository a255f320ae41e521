"""Notifications: the outbox (every notification as a row, written with the change that
causes it), per-user delivery preferences, sent deadline reminders and background task runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.accounts import User
from models.base import Base, one_of, utcnow

CHANNELS = ("email", "inbox")
# pending -> sending (claimed under a lease) -> sent | pending (retry) | failed;
# digested: an email folded into a daily digest mail (the digest row is sent instead).
OUTBOX_STATES = ("pending", "sending", "sent", "failed", "digested")
# immediate: delivered as soon as possible; digest: waits for the user's daily digest.
DELIVERY_MODES = ("immediate", "digest")
PREFERENCE_MODES = ("immediate", "digest", "off")
CALL_STAGES = ("stage1", "stage2")
TASK_RUN_STATES = ("running", "succeeded", "failed")


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        one_of("channel", CHANNELS),
        one_of("status", OUTBOX_STATES),
        one_of("mode", DELIVERY_MODES),
        Index("ix_outbox_messages_status_next", "status", "next_attempt_at"),
        Index("ix_outbox_messages_inbox", "recipient_id", "channel", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str] = mapped_column(String(60))
    channel: Mapped[str] = mapped_column(String(10), default="email")
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    recipient_email: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[int | None]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    mode: Mapped[str] = mapped_column(String(10), default="immediate", server_default="immediate")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A claimed row ('sending') belongs to one worker until lease_until; lease_token proves it.
    lease_until: Mapped[datetime | None]
    lease_token: Mapped[str] = mapped_column(String(32), default="", server_default="")
    # Unique when set: e.g. "digest:<user>:<day>" makes the daily digest idempotent.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    digest_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"), index=True
    )
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]

    recipient: Mapped[User | None] = relationship()

    @property
    def message_id(self) -> str:
        """A stable Message-ID derived from the row, so a rare duplicate is recognisable."""
        return f"<outbox-{self.id}@partnering-machine>"


class NotificationPreference(Base):
    """How a user wants email for one kind of event; no row means 'immediate'."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "event"), one_of("mode", PREFERENCE_MODES))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(60))
    mode: Mapped[str] = mapped_column(String(10), default="immediate")


class DeadlineReminder(Base):
    """A deadline reminder already given: the unique key makes reminders exactly-once."""

    __tablename__ = "deadline_reminders"
    __table_args__ = (
        UniqueConstraint("user_id", "call_id", "stage", "days"),
        one_of("stage", CALL_STAGES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(10))
    days: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TaskRun(Base):
    """A run of a periodic task, or a failed task of any kind (for the admin view)."""

    __tablename__ = "task_runs"
    __table_args__ = (
        one_of("status", TASK_RUN_STATES),
        Index("ix_task_runs_status_started", "status", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(120))
    task_id: Mapped[str] = mapped_column(String(64), default="")
    hostname: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default="running")
    detail: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
