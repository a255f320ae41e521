"""Applications of non-member organisations to become a programme's associated or
contributing partner."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, one_of, utcnow
from models.organisations import PARTNER_TYPES, Organisation
from models.programmes import Programme

APPLICATION_STATES = ("pending", "approved", "rejected")


class PartnerApplication(Base):
    __tablename__ = "partner_applications"
    __table_args__ = (
        one_of("status", APPLICATION_STATES),
        one_of("partner_type", PARTNER_TYPES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    partner_type: Mapped[str] = mapped_column(String(20))
    motivation: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    programme: Mapped[Programme] = relationship()
