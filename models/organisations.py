"""Organisations: applicants and partners, with sector labels of our own."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, one_of, utcnow

# Same strings as matching.sectors; CORDIS activityType codes map onto them on import.
SECTORS = ("academia", "research", "industry", "sme", "patient", "public", "other")
SECTOR_LABELS = {
    "academia": "Academia",
    "research": "Research organisation",
    "industry": "Large industry",
    "sme": "SME",
    "patient": "Patient organisation",
    "public": "Public body",
    "other": "Other",
}
PARTNER_TYPES = ("associated", "contributing")


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (
        one_of("sector", SECTORS),
        one_of("partner_type", PARTNER_TYPES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(300), index=True)
    short_name: Mapped[str | None] = mapped_column(String(120))
    # Participant Identification Code; unique when present (NULLs do not collide).
    pic: Mapped[str | None] = mapped_column(String(20), unique=True)
    country: Mapped[str] = mapped_column(String(2), index=True)
    city: Mapped[str | None] = mapped_column(String(120))
    sector: Mapped[str] = mapped_column(String(20), index=True)
    is_sme: Mapped[bool] = mapped_column(Boolean, default=False)
    is_efpia_member: Mapped[bool] = mapped_column(Boolean, default=False)
    partner_type: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def display_name(self) -> str:
        return self.short_name or self.legal_name
