"""The people of an organisation: contacts that invitations can reach (CORDIS has none)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.accounts import ORG_ROLES
from models.base import Base, one_of, utcnow

if TYPE_CHECKING:
    from models.accounts import User
    from models.organisations import Organisation

# pending until a partner representative or a coordinator decides.
JOIN_STATES = ("pending", "approved", "refused")
# manual: typed in on a page or the API; csv: imported from a file; join: an approved join request.
CONTACT_SOURCES = ("manual", "csv", "join")


class Contact(Base):
    """A person who can speak for an organisation; ``user_id`` is set once they have an account."""

    __tablename__ = "organisation_contacts"
    __table_args__ = (
        UniqueConstraint("organisation_id", "email"),
        one_of("source", CONTACT_SOURCES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    # Stored lower-cased and stripped, so one address is one contact per organisation.
    email: Mapped[str] = mapped_column(String(254), index=True)
    function: Mapped[str] = mapped_column(String(200), default="")
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    source: Mapped[str] = mapped_column(String(10), default="manual")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])

    def __repr__(self) -> str:
        return f"<Contact {self.id} {self.email} org={self.organisation_id}>"


class JoinRequest(Base):
    """A verified person asks to act for an organisation; a representative or coordinator
    decides. Approval grants ``role`` (an organisation membership) and adds a contact."""

    __tablename__ = "join_requests"
    __table_args__ = (one_of("status", JOIN_STATES), one_of("role", ORG_ROLES))

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    # The role granted on approval (applicant unless the decider chose partner_rep).
    role: Mapped[str] = mapped_column(String(20), default="applicant")
    reason: Mapped[str] = mapped_column(String(500), default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    def __repr__(self) -> str:
        return f"<JoinRequest {self.id} {self.user_id}->{self.organisation_id} {self.status}>"
