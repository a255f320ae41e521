"""Call topics: content, budget, desired consortium and lifecycle state."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Money, Share, one_of, utcnow
from models.organisations import Organisation
from models.programmes import Call, Programme, ScientificArea, Sgg

TOPIC_STATES = (
    "idea",
    "screening",
    "drafting",
    "consultation",
    "approved",
    "published",
    "stage1_open",
    "stage1_closed",
    "consortium_selected",
    "stage2",
    "closed",
    "rejected",
    "withdrawn",
)
# The searched texts as one string (words never span two fields: a space separates them).
# PostgreSQL serves ILIKE '%word%' on it from a pg_trgm GIN index; the text is the form
# PostgreSQL reports for the index, so the models and the migrated schema compare equal.
TOPIC_SEARCH_TEXT = (
    "((((((((((((COALESCE(title, ''::character varying)::text || ' '::text) "
    "|| COALESCE(identifier, ''::character varying)::text) || ' '::text) "
    "|| COALESCE(challenge, ''::text)) || ' '::text) || COALESCE(scope, ''::text)) "
    "|| ' '::text) || COALESCE(expected_outcomes, ''::text)) || ' '::text) "
    "|| COALESCE(expected_impact, ''::text)) || ' '::text) || COALESCE(keywords, ''::text))"
)

# A title's length without its spaces: the duplicate-title warning's cheap filter.
TITLE_LENGTH = "length(replace(title, ' ', ''))"


class Topic(Base):
    __tablename__ = "topics"
    __table_args__ = (
        one_of("status", TOPIC_STATES),
        CheckConstraint(
            "(eu_contribution IS NULL OR eu_contribution >= 0) AND "
            "(industry_contribution IS NULL OR industry_contribution >= 0)",
            name="budget_not_negative",
        ),
        CheckConstraint(
            "consortium_size_min IS NULL OR consortium_size_max IS NULL "
            "OR consortium_size_min <= consortium_size_max",
            name="size_range_ordered",
        ),
        CheckConstraint("duration_months IS NULL OR duration_months > 0", name="duration_positive"),
        # The key of pledges' (topic_id, programme_id) foreign key: a pledge's programme is
        # its topic's, whoever writes the row.
        Index("uq_topics_id_programme_id", "id", "programme_id", unique=True),
        Index(
            "ix_topics_search_trgm",
            text(TOPIC_SEARCH_TEXT),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
        # services.topics.content.same_title: an index probe, not a scan of every text.
        Index("ix_topics_programme_title_length", "programme_id", text(TITLE_LENGTH)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    sgg_id: Mapped[int] = mapped_column(ForeignKey("sggs.id"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("scientific_areas.id"), index=True)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"), index=True)
    identifier: Mapped[str | None] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(30), default="idea", index=True)
    challenge: Mapped[str] = mapped_column(Text, default="")
    scope: Mapped[str] = mapped_column(Text, default="")
    expected_outcomes: Mapped[str] = mapped_column(Text, default="")
    expected_impact: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[str] = mapped_column(Text, default="")
    eu_contribution: Mapped[Money | None]
    industry_contribution: Mapped[Money | None]
    duration_months: Mapped[int | None]
    # The desired applicant consortium profile, read by matching.
    consortium_size_min: Mapped[int | None]
    consortium_size_max: Mapped[int | None]
    min_countries: Mapped[int | None]
    sme_share: Mapped[Share | None]
    sector_targets: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    programme: Mapped[Programme] = relationship()
    sgg: Mapped[Sgg] = relationship()
    area: Mapped[ScientificArea | None] = relationship()
    call: Mapped[Call | None] = relationship()
    industry_partners: Mapped[list[TopicIndustryPartner]] = relationship(
        back_populates="topic", cascade="all, delete-orphan"
    )

    @property
    def total_budget(self) -> Decimal:
        return (self.eu_contribution or Decimal(0)) + (self.industry_contribution or Decimal(0))


class TopicIndustryPartner(Base):
    """An organisation of the topic's pre-defined industry consortium."""

    __tablename__ = "topic_industry_partners"
    __table_args__ = (UniqueConstraint("topic_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)

    topic: Mapped[Topic] = relationship(back_populates="industry_partners")
    organisation: Mapped[Organisation] = relationship()
