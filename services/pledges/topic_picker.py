"""The topic picker of the pledge form: the topics a partner may pledge to, found by title
or identifier, at most ``PICKER_LIMIT`` at a time.

With a thousand topics open, a menu of every one of them cost more than the rest of the
page (and was no help to choose from). The form shows the first topics in the menu's
order and a search box that narrows them (as one types, or with a plain GET without
JavaScript); the chosen topic stays in the menu whatever the search. The same query
decides what the form accepts: a topic the partner may not pledge to is never offered.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, func, or_, select, true
from sqlalchemy.orm import Session

from models import Organisation, Topic, TopicIndustryPartner
from models.base import ID_MAX
from models.topics import TOPIC_STATES
from services.pledges.lifecycle import PLEDGEABLE_STATES

PICKER_LIMIT = 50
QUERY_MAX = 200
PUBLISHED = TOPIC_STATES[TOPIC_STATES.index("published") :]


@dataclass
class TopicPicker:
    """The topics offered: ``choices`` as (id, title), the chosen one first if it may be
    pledged to; ``total`` topics match ``query`` in all, ``listed`` of them in ``choices``."""

    query: str
    choices: list[tuple[int, str]]
    total: int
    listed: int
    chosen: int | None

    @property
    def more(self) -> bool:
        """More topics match than the menu lists: a search would narrow them."""
        return self.total > self.listed


def clean_query(raw: object) -> str:
    """A search as typed, without control characters (a NUL cannot be sent to PostgreSQL)
    and cut to ``QUERY_MAX`` characters: a search box never refuses what it is given."""
    text = raw if isinstance(raw, str) else ""
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Cs") else c for c in text)
    return " ".join(text.split())[:QUERY_MAX].strip()


def topic_id(raw: object) -> int | None:
    """A topic id from a query string or form ("656"), or None for anything that cannot
    be one (not ASCII digits, 0, larger than any key)."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 1 <= value <= ID_MAX else None


def pledgeable_clause(organisations: list[Organisation]) -> ColumnElement[bool]:
    """Topics a pledge of ``organisations`` may go to: published ones taking pledges, and
    unpublished ones whose industry consortium includes one of them (drafts are not shown
    to every partner)."""
    involved = select(TopicIndustryPartner.topic_id).where(
        TopicIndustryPartner.organisation_id.in_([o.id for o in organisations])
    )
    return and_(
        Topic.status.in_(PLEDGEABLE_STATES),
        Topic.status.in_(PUBLISHED) | Topic.id.in_(involved),
    )


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def _matches(query: str) -> ColumnElement[bool]:
    """Every word of ``query`` in the title or the identifier, case aside."""
    words = [
        or_(
            func.lower(Topic.title).like(_like(word), escape="\\"),
            func.lower(func.coalesce(Topic.identifier, "")).like(_like(word), escape="\\"),
        )
        for word in query.split()
    ]
    return and_(*words) if words else true()


def topic_picker(
    session: Session,
    organisations: list[Organisation],
    query: str = "",
    chosen: int | None = None,
    limit: int | None = None,
) -> TopicPicker:
    """The topics ``organisations`` may pledge to that match ``query`` (by programme and
    title, at most ``limit``, default ``PICKER_LIMIT``), and topic ``chosen`` first if they
    may pledge to it: one statement, only the two columns the menu shows."""
    limit = limit or PICKER_LIMIT
    query = clean_query(query)
    match = _matches(query)
    shown = or_(match, Topic.id == chosen) if chosen is not None else match
    first = (Topic.id == chosen).desc() if chosen is not None else None
    stmt = (
        select(
            Topic.id,
            Topic.title,
            case((match, 1), else_=0).label("hit"),
            func.count(case((match, 1))).over().label("total"),
        )
        .where(pledgeable_clause(organisations), shown)
        .order_by(
            *([first] if first is not None else []), Topic.programme_id, Topic.title, Topic.id
        )
        .limit(limit + (1 if chosen is not None else 0))
    )
    rows = session.execute(stmt).all()
    found = chosen if rows and rows[0].id == chosen else None
    if found is None:
        rows = rows[:limit]
    total = rows[0].total if rows else 0
    listed = sum(r.hit for r in rows)
    return TopicPicker(query, [(r.id, r.title) for r in rows], total, listed, found)
