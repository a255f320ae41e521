"""Expressions of interest: an organisation flags a published topic it would like to join."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow

if TYPE_CHECKING:
    from models.organisations import Organisation
    from models.topics import Topic

NOTE_MAX = 1000  # characters of "what it brings"


class TopicInterest(Base):
    """One organisation's interest in one topic, with a short note of what it brings."""

    __tablename__ = "topic_interests"
    __table_args__ = (UniqueConstraint("topic_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    note: Mapped[str] = mapped_column(String(NOTE_MAX), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    topic: Mapped[Topic] = relationship()
    organisation: Mapped[Organisation] = relationship()

    def __repr__(self) -> str:
        return f"<TopicInterest {self.id} topic={self.topic_id} org={self.organisation_id}>"
