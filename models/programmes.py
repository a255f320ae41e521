"""Programmes with their rules as settings, scientific areas, SGGs and calls."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Money, Share, one_of, utcnow

CALL_TYPES = ("single_stage", "two_stage")


class Programme(Base):
    """A partnership programme (IMI2, IHI...). Every rule of domain.md is a column here."""

    __tablename__ = "programmes"
    __table_args__ = (
        CheckConstraint("matching_ratio > 0", name="matching_ratio_positive"),
        CheckConstraint("partner_envelope >= 0", name="envelope_not_negative"),
        CheckConstraint(
            "ikaa_max_share BETWEEN 0 AND 1 AND third_country_max_share BETWEEN 0 AND 1 "
            "AND min_contribution_share BETWEEN 0 AND 1",
            name="shares_between_0_and_1",
        ),
        CheckConstraint(
            "threshold_each BETWEEN 0 AND 5 AND threshold_total BETWEEN 0 AND 15 "
            "AND stage1_threshold_each BETWEEN 0 AND 5",
            name="thresholds_in_range",
        ),
        CheckConstraint("min_consortium_size >= 1 AND min_countries >= 1", name="consortium_rules"),
        CheckConstraint("review_days BETWEEN 1 AND 365", name="review_days_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Brussels")
    # EU money per euro of eligible partner contribution (1:1 by default).
    matching_ratio: Mapped[Decimal] = mapped_column(Numeric(6, 4), default=Decimal("1"))
    # Cap on EU matching of associated/contributing partner contributions (IMI2: EUR 213 m).
    partner_envelope: Mapped[Money] = mapped_column(default=Decimal("213000000.00"))
    ikaa_max_share: Mapped[Share] = mapped_column(default=Decimal("0.40"))
    third_country_max_share: Mapped[Share] = mapped_column(default=Decimal("0.20"))
    min_contribution_share: Mapped[Share] = mapped_column(default=Decimal("0.45"))
    threshold_each: Mapped[Decimal] = mapped_column(Numeric(3, 1), default=Decimal("3"))
    threshold_total: Mapped[Decimal] = mapped_column(Numeric(3, 1), default=Decimal("10"))
    stage1_threshold_each: Mapped[Decimal] = mapped_column(Numeric(3, 1), default=Decimal("4"))
    min_consortium_size: Mapped[int] = mapped_column(default=3)
    min_countries: Mapped[int] = mapped_column(default=3)
    reminder_days: Mapped[str] = mapped_column(String(50), default="14,7,1")
    # A review's default deadline (days after assignment) and its reminder steps (days
    # before the deadline).
    review_days: Mapped[int] = mapped_column(default=14, server_default="14")
    review_reminder_days: Mapped[str] = mapped_column(
        String(50), default="3,1", server_default="3,1"
    )
    # Call-identifier prefixes and legal-basis codes, one per line, whose CORDIS projects
    # make up the programme's lineage (IHI: HORIZON-JU-IHI, H2020-JTI-IMI2, ...).
    lineage: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A new random value whenever a change reaches the programme's sums of submitted and
    # confirmed pledges (services.pledges.sums_cache): the funding pages keep the sums per
    # process under it. Random, not a counter: a rolled-back change never gives its value
    # to other sums. '' (a row written outside the ORM) is never cached.
    pledge_sums_token: Mapped[str] = mapped_column(
        String(32), default=lambda: uuid.uuid4().hex, server_default=""
    )

    sggs: Mapped[list[Sgg]] = relationship(back_populates="programme")
    calls: Mapped[list[Call]] = relationship(back_populates="programme")


class ScientificArea(Base):
    __tablename__ = "scientific_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)


class Sgg(Base):
    """A Strategic Governing Group of one programme for one scientific area."""

    __tablename__ = "sggs"
    __table_args__ = (UniqueConstraint("programme_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("scientific_areas.id"))
    name: Mapped[str] = mapped_column(String(200))

    programme: Mapped[Programme] = relationship(back_populates="sggs")
    area: Mapped[ScientificArea | None] = relationship()


class ProgrammeReviewer(Base):
    """A user who may read drafts in consultation and review topics of a programme."""

    __tablename__ = "programme_reviewers"
    __table_args__ = (UniqueConstraint("programme_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class Call(Base):
    __tablename__ = "calls"
    __table_args__ = (
        one_of("call_type", CALL_TYPES),
        CheckConstraint(
            "stage2_deadline IS NULL OR stage1_deadline IS NULL "
            "OR stage2_deadline > stage1_deadline",
            name="deadlines_ordered",
        ),
        CheckConstraint(
            "call_type = 'two_stage' OR stage2_deadline IS NULL", name="single_stage_one_deadline"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    identifier: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    call_type: Mapped[str] = mapped_column(String(20), default="two_stage")
    stage1_deadline: Mapped[datetime | None]
    stage2_deadline: Mapped[datetime | None]
    # The timezone deadlines are announced in (deadlines are stored in UTC).
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Brussels")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    programme: Mapped[Programme] = relationship(back_populates="calls")
