"""Pledges: partner contributions to topics, cash or in kind."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    false,
    select,
)
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Money, one_of, utcnow
from models.organisations import Organisation
from models.topics import Topic

PLEDGE_KINDS = ("ikop", "fc", "ikaa")
PLEDGE_KIND_LABELS = {
    "ikop": "In-kind to operational activities",
    "fc": "Financial contribution (cash)",
    "ikaa": "In-kind to additional activities",
}
PLEDGE_STATES = ("draft", "submitted", "confirmed", "rejected", "withdrawn")
# What programme_sums and area_distribution read of each pledge.
PROGRAMME_SUM_COLUMNS = [
    "kind",
    "from_envelope",
    "organisation_id",
    "topic_id",
    "amount",
    "eu_match",
    "third_country_costs",
]
BREAKDOWN_FIELDS = ("personnel", "consumables", "equipment", "samples", "subcontracting", "other")


def _topic_programme(context: DefaultExecutionContext) -> int | None:
    """The programme of the topic of the row being inserted (the default of
    ``Pledge.programme_id``; the services give it and skip this query)."""
    topic_id = context.get_current_parameters()["topic_id"]
    return context.connection.scalar(select(Topic.programme_id).where(Topic.id == topic_id))


class Pledge(Base):
    __tablename__ = "pledges"
    __table_args__ = (
        one_of("kind", PLEDGE_KINDS),
        one_of("status", PLEDGE_STATES),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("eu_match IS NULL OR eu_match >= 0", name="match_not_negative"),
        CheckConstraint(
            "end_year IS NULL OR start_year IS NULL OR end_year >= start_year", name="years_ordered"
        ),
        CheckConstraint(
            "third_country_costs >= 0 AND third_country_costs <= amount",
            name="third_country_within_amount",
        ),
        # programme_id is the topic's, copied (the funding pages sum a programme's 15,000
        # pledges on every request; through topics that join doubled the time) and held
        # equal to it by this key: no write path can store another programme.
        ForeignKeyConstraint(
            ["topic_id", "programme_id"],
            ["topics.id", "topics.programme_id"],
            name="fk_pledges_topic_programme",
        ),
        # Covering on PostgreSQL: a programme's sums read the index alone (no table rows).
        Index(
            "ix_pledges_programme_id_status",
            "programme_id",
            "status",
            postgresql_include=PROGRAMME_SUM_COLUMNS,
        ),
        # The decision queue: submitted pledges, longest waiting first.
        Index("ix_pledges_status_updated_at", "status", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), index=True)
    # Rows inserted without it (tests, scripts) get their topic's: _topic_programme.
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), default=_topic_programme)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    amount: Mapped[Money]
    personnel: Mapped[Money | None]
    consumables: Mapped[Money | None]
    equipment: Mapped[Money | None]
    samples: Mapped[Money | None]
    subcontracting: Mapped[Money | None]
    other: Mapped[Money | None]
    contributing_entity: Mapped[str] = mapped_column(String(300), default="")
    start_year: Mapped[int | None]
    end_year: Mapped[int | None]
    note: Mapped[str] = mapped_column(Text, default="")
    # Part of the amount spent in non-associated third countries (the 20 % rule on IKOP).
    third_country_costs: Mapped[Money] = mapped_column(default=Decimal("0"), server_default="0")
    # Set on confirmation: True when the EU match is drawn from the programme's envelope for
    # associated/contributing partners (members' contributions are matched outside it).
    from_envelope: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    # EU matching granted on confirmation (within the programme's envelope).
    eu_match: Mapped[Money | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    topic: Mapped[Topic] = relationship(foreign_keys=[topic_id])
    organisation: Mapped[Organisation] = relationship()
