"""The query shapes the queues share: the first few rows of each group with the group's
total in the same statement, and when a topic entered its present state."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Row, Select, func, literal_column, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from models import Topic, TopicTransition
from services.worklists.items import SHOWN

# Topics nobody works on any more.
FINISHED_TOPIC_STATES = ("closed", "rejected", "withdrawn")


def ranked(
    session: Session,
    stmt: Select[Any],
    order_by: list[Any],
    group: ColumnElement[Any] | InstrumentedAttribute[Any] | None = None,
    shown: int = SHOWN,
    counted: Select[Any] | None = None,
) -> list[Row[Any]]:
    """:func:`ranked_statement`, run."""
    return list(session.execute(ranked_statement(stmt, order_by, group, shown, counted)).all())


def ranked_statement(
    stmt: Select[Any],
    order_by: list[Any],
    group: ColumnElement[Any] | InstrumentedAttribute[Any] | None = None,
    shown: int = SHOWN,
    counted: Select[Any] | None = None,
) -> Select[Any]:
    """The first ``shown`` rows of ``stmt`` per ``group`` (all rows as one group if None),
    each with ``group`` and ``total`` (the group's size) columns: one statement whatever
    the number of groups and rows. Without groups it is a plain ORDER BY ... LIMIT (a
    top-N sort) with the total as ``count(*) OVER ()``, or, given ``counted`` (a SELECT
    of ``count(*)`` of the same rows without the joins that only name things), as its
    scalar subquery: the first rows then come from an index on the order, not from
    joining every row (which a window count must do)."""
    if group is None:
        total = func.count().over() if counted is None else counted.scalar_subquery()
        stmt = stmt.add_columns(literal_column("''").label("group"), total.label("total"))
        return stmt.order_by(*order_by).limit(shown)
    stmt = stmt.add_columns(
        group.label("group"),
        func.row_number().over(partition_by=group, order_by=order_by).label("rank"),
        func.count().over(partition_by=group).label("total"),
    )
    inner = stmt.subquery()
    return select(inner).where(inner.c.rank <= shown).order_by(inner.c.group, inner.c.rank)


def entered_state() -> ColumnElement[Any]:
    """When the topic entered its present state: its last transition there, else its
    creation."""
    last = (
        select(func.max(TopicTransition.at))
        .where(TopicTransition.topic_id == Topic.id, TopicTransition.to_state == Topic.status)
        .correlate(Topic)
        .scalar_subquery()
    )
    return func.coalesce(last, Topic.created_at)
