"""Topic lists: filters, full-text search (LIKE, works on SQLite and PostgreSQL), sorting,
and the table that services.core.exports writes as CSV/XLSX. Every query carries the
visibility rule of ``policies``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    func,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.orm import Session, selectinload

from models import Call, ScientificArea, Sgg, Topic, User
from models.topics import TOPIC_STATES
from services import policies
from services.core.exports import Table

SEARCH_FIELDS = (
    Topic.title,
    Topic.identifier,
    Topic.challenge,
    Topic.scope,
    Topic.expected_outcomes,
    Topic.expected_impact,
    Topic.keywords,
)
SORTS = {
    "title": Topic.title,
    "status": Topic.status,
    "updated": Topic.updated_at,
    "created": Topic.created_at,
    "identifier": Topic.identifier,
    "budget": Topic.eu_contribution,
}
EXPORT_LIMIT = 10_000


class MenuEntry(NamedTuple):
    id: int
    label: str  # an SGG's or area's name, a call's identifier
    title: str  # a call's title ("" for the others)


def filter_menus(session: Session) -> dict[str, list[MenuEntry]]:
    """The SGGs and areas by name and the calls by identifier, for the list's filters and
    the topic form: one query (every list page shows all three menus)."""
    blank = literal("")
    menus = union_all(
        select(literal("sggs").label("menu"), Sgg.id, Sgg.name.label("label"), blank),
        select(literal("areas"), ScientificArea.id, ScientificArea.name, blank),
        select(literal("calls"), Call.id, Call.identifier, Call.title),
    ).subquery()
    out: dict[str, list[MenuEntry]] = {"sggs": [], "areas": [], "calls": []}
    for menu, *entry in session.execute(select(menus).order_by(menus.c.menu, menus.c.label)):
        out[menu].append(MenuEntry(*entry))
    return out


@dataclass
class TopicFilters:
    status: str | None = None
    sgg_id: int | None = None
    area_id: int | None = None
    call_id: int | None = None
    q: str = ""
    sort: str = "-updated"


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_text() -> ColumnElement[str]:
    """The content fields joined by spaces: the expression of PostgreSQL's trigram index
    ix_topics_search_trgm (models.topics.TOPIC_SEARCH_TEXT), written with inline literals
    so the planner recognises it. A query word has no whitespace, so a match never spans
    two fields: it is the same as testing each field, one index probe instead of seven scans.
    """
    empty, space = literal_column("''", String), literal_column("' '", String)
    parts = [func.coalesce(f, empty) for f in SEARCH_FIELDS]
    joined: Any = parts[0]
    for part in parts[1:]:
        joined = joined.op("||")(space).op("||")(part)
    return joined


def search_clause(q: str) -> ColumnElement[bool] | None:
    """Every word must occur (case-insensitive substring) in one of the content fields."""
    words = [w for w in q.split() if w][:10]
    if not words:
        return None
    text = search_text()
    return and_(*(text.ilike(_like(w), escape="\\") for w in words))


def _filtered(user: User | None, filters: TopicFilters) -> Select[tuple[Topic]]:
    query = select(Topic).where(policies.topic_visibility_clause(user))
    if filters.status in TOPIC_STATES:
        query = query.where(Topic.status == filters.status)
    if filters.sgg_id:
        query = query.where(Topic.sgg_id == filters.sgg_id)
    if filters.area_id:
        query = query.where(Topic.area_id == filters.area_id)
    if filters.call_id:
        query = query.where(Topic.call_id == filters.call_id)
    clause = search_clause(filters.q)
    if clause is not None:
        query = query.where(clause)
    key = filters.sort.lstrip("-")
    column = SORTS.get(key, Topic.updated_at)
    descending = filters.sort.startswith("-") if key in SORTS else True
    order = column.desc() if descending else column.asc()
    return query.order_by(order.nulls_last(), Topic.id.desc())


def topic_query(user: User | None, filters: TopicFilters) -> Select[tuple[Topic]]:
    """The visible topics matching ``filters``, in order, with their SGG, area and call."""
    return _filtered(user, filters).options(
        selectinload(Topic.sgg), selectinload(Topic.area), selectinload(Topic.call)
    )


def topic_rows(user: User | None, filters: TopicFilters) -> Select[Any]:
    """The topics ``user`` may see that pass ``filters``, all of them (a call's page), as
    rows of what a call's row shows: no ORM objects, long texts nor SGG, area and call."""
    return _filtered(user, filters).with_only_columns(
        Topic.id, Topic.identifier, Topic.title, Topic.status
    )


def list_page_query(user: User | None, filters: TopicFilters) -> Select[Any]:
    """What a list row shows, as rows (id, title, identifier, status, eu_contribution,
    sgg_name, area_name, call_identifier), in one statement: the long texts, three extra
    queries per page and then four ORM objects per row made up most of the list's time."""
    return (
        _filtered(user, filters)
        .with_only_columns(
            Topic.id,
            Topic.title,
            Topic.identifier,
            Topic.status,
            Topic.eu_contribution,
            Sgg.name.label("sgg_name"),
            ScientificArea.name.label("area_name"),
            Call.identifier.label("call_identifier"),
        )
        .join(Sgg, Sgg.id == Topic.sgg_id)
        .outerjoin(ScientificArea, ScientificArea.id == Topic.area_id)
        .outerjoin(Call, Call.id == Topic.call_id)
    )


EXPORT_HEADER = [
    "id",
    "identifier",
    "title",
    "status",
    "sgg",
    "area",
    "call",
    "eu_contribution_eur",
    "industry_contribution_eur",
    "duration_months",
    "keywords",
]


def export_table(session: Session, user: User | None, filters: TopicFilters) -> Table:
    """The filtered, visible topics (at most ``EXPORT_LIMIT``) for services.core.exports."""
    rows: list[list[Any]] = [
        [
            t.id,
            t.identifier,
            t.title,
            t.status,
            t.sgg.name,
            t.area.name if t.area else "",
            t.call.identifier if t.call else "",
            t.eu_contribution,
            t.industry_contribution,
            t.duration_months,
            t.keywords,
        ]
        for t in session.scalars(topic_query(user, filters).limit(EXPORT_LIMIT))
    ]
    return Table("Topics", EXPORT_HEADER, rows)
