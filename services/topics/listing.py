"""Topic lists: filters, full-text search (LIKE, works on SQLite and PostgreSQL), sorting,
and the table that services.core.exports writes as CSV/XLSX. Every query carries the
visibility rule of ``policies``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    bindparam,
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
from services.core.pages import Page, page_of_statements

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


_BLANK = literal("")
_MENUS = union_all(
    select(literal("sggs").label("menu"), Sgg.id, Sgg.name.label("label"), _BLANK),
    select(literal("areas"), ScientificArea.id, ScientificArea.name, _BLANK),
    select(literal("calls"), Call.id, Call.identifier, Call.title),
).subquery()
_MENU_ROWS = select(_MENUS).order_by(_MENUS.c.menu, _MENUS.c.label)


def filter_menus(session: Session) -> dict[str, list[MenuEntry]]:
    """The SGGs and areas by name and the calls by identifier, for the list's filters and
    the topic form: one query (every list page shows all three menus), built once."""
    out: dict[str, list[MenuEntry]] = {"sggs": [], "areas": [], "calls": []}
    for menu, *entry in session.execute(_MENU_ROWS):
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


ListShape = tuple[policies.VisibilityShape, bool, bool, bool, bool, int, str]


def _list_shape(user: User | None, filters: TopicFilters) -> tuple[ListShape, dict[str, Any]]:
    """The statement's form (which filters are set, how many words, the sort) and its
    parameters: the list page's statement is built once per form."""
    words = [w for w in filters.q.split() if w][:10]
    sort = filters.sort if filters.sort.lstrip("-") in SORTS else "-updated"
    shape: ListShape = (
        policies.topic_visibility_shape(user),
        filters.status in TOPIC_STATES,
        bool(filters.sgg_id),
        bool(filters.area_id),
        bool(filters.call_id),
        len(words),
        sort,
    )
    params: dict[str, Any] = policies.topic_visibility_params(user)
    params.update(
        status=filters.status,
        sgg_id=filters.sgg_id,
        area_id=filters.area_id,
        call_id=filters.call_id,
        **{f"word_{i}": _like(w) for i, w in enumerate(words)},
    )
    return shape, params


@lru_cache(maxsize=256)
def _list_statements(shape: ListShape) -> tuple[Select[Any], Select[Any]]:
    """The page (rows with ``count(*) OVER ()`` as the total, LIMIT/OFFSET bound) and the
    count of all matches (asked only for a page past the end) of one list form."""
    visibility, status, sgg, area, call, n_words, sort = shape
    query = select(Topic.id).where(policies.bound_topic_visibility_clause(visibility))
    if status:
        query = query.where(Topic.status == bindparam("status"))
    if sgg:
        query = query.where(Topic.sgg_id == bindparam("sgg_id"))
    if area:
        query = query.where(Topic.area_id == bindparam("area_id"))
    if call:
        query = query.where(Topic.call_id == bindparam("call_id"))
    if n_words:
        text = search_text()
        query = query.where(
            and_(*(text.ilike(bindparam(f"word_{i}"), escape="\\") for i in range(n_words)))
        )
    count = select(func.count()).select_from(query.subquery())
    column = SORTS[sort.lstrip("-")]
    order = column.desc() if sort.startswith("-") else column.asc()
    page = (
        query.with_only_columns(
            Topic.id,
            Topic.title,
            Topic.identifier,
            Topic.status,
            Topic.eu_contribution,
            Sgg.name.label("sgg_name"),
            ScientificArea.name.label("area_name"),
            Call.identifier.label("call_identifier"),
            func.count().over().label("total_rows"),
        )
        .join(Sgg, Sgg.id == Topic.sgg_id)
        .outerjoin(ScientificArea, ScientificArea.id == Topic.area_id)
        .outerjoin(Call, Call.id == Topic.call_id)
        .order_by(order.nulls_last(), Topic.id.desc())
        .limit(bindparam("page_limit", type_=Integer))
        .offset(bindparam("page_offset", type_=Integer))
    )
    return page, count


def list_page(
    session: Session, user: User | None, filters: TopicFilters, page: int, per_page: int
) -> Page:
    """Page ``page`` of what the topic list shows of the topics ``user`` may see that pass
    ``filters``, as rows (id, title, identifier, status, eu_contribution, sgg_name,
    area_name, call_identifier, total_rows); a page past the end shows the last one. The
    statements are built once per form of the list (:func:`_list_statements`): building
    them, with the visibility rule inside, cost about a fifth of the page."""
    shape, params = _list_shape(user, filters)
    rows_statement, count_statement = _list_statements(shape)
    return page_of_statements(session, rows_statement, count_statement, params, page, per_page)


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
