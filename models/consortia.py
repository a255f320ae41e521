"""Match requests (consortium suggestions) and their suggested members."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, one_of, utcnow
from models.organisations import Organisation
from models.topics import Topic

MATCH_STATES = ("queued", "running", "done", "failed")
MEMBER_STATES = ("suggested", "locked", "removed", "invited", "accepted", "declined")


class MatchRequest(Base):
    __tablename__ = "match_requests"
    __table_args__ = (one_of("status", MATCH_STATES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Hash of everything the result depends on: same inputs, same stored result.
    input_hash: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    progress: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    topic: Mapped[Topic] = relationship()
    members: Mapped[list[SuggestedMember]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="SuggestedMember.rank"
    )


class SuggestedMember(Base):
    __tablename__ = "suggested_members"
    __table_args__ = (
        UniqueConstraint("request_id", "organisation_id"),
        one_of("status", MEMBER_STATES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("match_requests.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    rank: Mapped[int]
    is_alternate: Mapped[bool] = mapped_column(default=False)
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="suggested")

    request: Mapped[MatchRequest] = relationship(back_populates="members")
    organisation: Mapped[Organisation] = relationship()
