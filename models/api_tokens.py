"""Personal API tokens: stored hashed, scoped read or write, revocable."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.accounts import User
from models.base import Base, one_of, utcnow

TOKEN_SCOPES = ("read", "write")


class ApiToken(Base):
    __tablename__ = "api_tokens"
    __table_args__ = (one_of("scope", TOKEN_SCOPES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # The first characters of the token, shown in lists so a user can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(10), default="read")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None
