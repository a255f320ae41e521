"""Users, their roles and memberships, and single-use account tokens."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from models.base import Base, one_of, utcnow

if TYPE_CHECKING:
    from models.organisations import Organisation
    from models.programmes import Sgg

GLOBAL_ROLES = ("admin", "coordinator", "viewer")
ORG_ROLES = ("partner_rep", "applicant")
TOKEN_PURPOSES = ("invite", "reset")


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (one_of("role", GLOBAL_ROLES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="viewer")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Rotated on logout and password change: a cookie holding an old value is refused.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # When the person proved the address (sign-up link) or an administrator vouched for it;
    # None for a self-registered account still waiting for its verification link.
    email_verified_at: Mapped[datetime | None]

    sgg_memberships: Mapped[list[SggMembership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    org_memberships: Mapped[list[OrganisationMembership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    # Loaded with the signed-in user, in the same round trip as the user
    # (services.accounts.load_signed_in_user), for the header every page shows; None on a
    # user loaded otherwise, whose readers then ask the database.
    unread_inbox: Mapped[int | None] = query_expression()
    reviews_anywhere: Mapped[bool | None] = query_expression()
    # A programme reviewer, or someone a topic review was ever requested from.
    asked_to_review: Mapped[bool | None] = query_expression()

    # The session protocol Flask-Login expects, without importing Flask here.
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        """The id kept in the session cookie; it changes whenever the session token rotates."""
        return f"{self.id}:{self.session_token}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class SggMembership(Base):
    __tablename__ = "sgg_memberships"
    __table_args__ = (UniqueConstraint("user_id", "sgg_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sgg_id: Mapped[int] = mapped_column(ForeignKey("sggs.id", ondelete="CASCADE"), index=True)

    user: Mapped[User] = relationship(back_populates="sgg_memberships")
    sgg: Mapped[Sgg] = relationship()


class OrganisationMembership(Base):
    """A user acting for an organisation: as partner representative or as applicant."""

    __tablename__ = "organisation_memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "organisation_id", "role"),
        one_of("role", ORG_ROLES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))

    user: Mapped[User] = relationship(back_populates="org_memberships")
    organisation: Mapped[Organisation] = relationship()


class AccountToken(Base):
    """An emailed single-use token (invitation or password reset); only its hash is kept."""

    __tablename__ = "account_tokens"
    __table_args__ = (one_of("purpose", TOKEN_PURPOSES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
