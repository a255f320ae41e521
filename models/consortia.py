"""Match requests (consortium suggestions) and their suggested members."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from models.base import Base, one_of, utcnow
from models.jobs import Leased
from models.organisations import Organisation
from models.topics import Topic

MATCH_STATES = ("queued", "running", "done", "failed", "cancelled")
MEMBER_STATES = ("suggested", "locked", "removed", "invited", "accepted", "declined")
# Members that still hold a seat (removed and declined ones do not).
ACTIVE_MEMBER_STATES = ("suggested", "locked", "invited", "accepted")
INDEX_STATES = ("queued", "building", "ready", "failed", "unchanged", "cancelled")
# expired: nobody answered before expires_at; it counts as a decline (the seat opens).
INVITATION_STATES = ("sent", "no_contact", "accepted", "declined", "expired", "withdrawn")


class MatchRequest(Leased, Base):
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
    # The programme's consortium rules when the request was made (its checks keep them).
    min_consortium_size: Mapped[int | None]
    min_countries: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # The expertise index the result was computed on (part of input_hash).
    index_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("expertise_indexes.id", ondelete="SET NULL")
    )
    # Set when the coordinator finalised the consortium and sent the invitations.
    finalised_at: Mapped[datetime | None]
    finalised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Set when the coordinator closed it: answers can no longer change, nobody more is invited.
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    topic: Mapped[Topic] = relationship()
    members: Mapped[list[SuggestedMember]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="SuggestedMember.rank"
    )

    @property
    def consortium_rules(self) -> tuple[int, int]:
        """(minimum size, minimum countries) the request was made under; the programme's
        current ones for a request that recorded none."""
        programme = self.topic.programme
        return (
            self.min_consortium_size or programme.min_consortium_size,
            self.min_countries or programme.min_countries,
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


class ExpertiseIndexVersion(Leased, Base):
    """One build of the expertise index: its files are stored in the database
    (``ExpertiseIndexFiles``) and copied to instance/matching/<directory> where used."""

    __tablename__ = "expertise_indexes"
    __table_args__ = (one_of("status", INDEX_STATES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    # Hash of the data the index was (or will be) built from: see services.matching_index.
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    directory: Mapped[str] = mapped_column(String(100), default="")
    # Random, per build: names the files and is checked when they are loaded, so a folder
    # shared by two databases never serves one's index to the other.
    token: Mapped[str] = mapped_column(String(32), default="", server_default="")
    reason: Mapped[str] = mapped_column(String(200), default="")
    n_candidates: Mapped[int] = mapped_column(default=0)
    n_projects: Mapped[int] = mapped_column(default=0)
    n_links: Mapped[int] = mapped_column(default=0)
    build_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class ExpertiseIndexFiles(Base):
    """The files of a ready index version (a gzipped tar): any worker host fetches them."""

    __tablename__ = "expertise_index_files"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("expertise_indexes.id", ondelete="CASCADE"), primary_key=True
    )
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    archive: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))


class Invitation(Base):
    """An invitation of a suggested member's organisation to join a finalised consortium."""

    __tablename__ = "consortium_invitations"
    __table_args__ = (one_of("status", INVITATION_STATES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("match_requests.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("suggested_members.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    # sent: someone can answer; no_contact: the organisation has no user to tell.
    status: Mapped[str] = mapped_column(String(20), default="sent")
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    responded_at: Mapped[datetime | None]
    # None for invitations sent before expiry existed (they never expire).
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
    reminded_at: Mapped[datetime | None]
    # Why the organisation declined (shown to the coordinator); "" otherwise.
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    request: Mapped[MatchRequest] = relationship()
    member: Mapped[SuggestedMember] = relationship()
    organisation: Mapped[Organisation] = relationship()
    people: Mapped[list[InvitedPerson]] = relationship(
        back_populates="invitation", cascade="all, delete-orphan", order_by="InvitedPerson.id"
    )


class InvitedPerson(Base):
    """One person an invitation was emailed to, with the hashes of their signed links.

    The raw link tokens are only in the emails: the first one, and the reminder's. A person
    without an account creates it through the link (``account_created_at``: once only).
    """

    __tablename__ = "invited_people"
    __table_args__ = (UniqueConstraint("invitation_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("consortium_invitations.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation_contacts.id", ondelete="SET NULL")
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    reminder_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    account_created_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    invitation: Mapped[Invitation] = relationship(back_populates="people")
