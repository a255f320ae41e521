"""The people of an organisation: contacts that invitations can reach (CORDIS has none)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, one_of, utcnow

if TYPE_CHECKING:
    from models.accounts import User
    from models.organisations import Organisation

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
