"""Offset pagination for HTML lists (the API uses cursors)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

PER_PAGE_MAX = 200


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(request.args.get(name, default))
    except (TypeError, ValueError):
        return default
    return min(max(value, low), high)


def paginate(query: Select[Any], session: Session, per_page: int = 25) -> Page:
    """Run ``query`` for the page named in ``?page=`` (bad values fall back to page 1)."""
    per_page = _int_arg("per_page", per_page, 1, PER_PAGE_MAX)
    return page_of(query, session, _int_arg("page", 1, 1, 10**9), per_page)


def page_of(query: Select[Any], session: Session, page: int, per_page: int) -> Page:
    """Page ``page`` of ``query``; a page past the end shows the last one.

    The total rides on the page's rows as ``count(*) OVER ()``: one pass over the matches
    instead of a COUNT and then the page (a search's two trigram scans became one). A
    page past the end has no rows to carry it: then the total is counted.
    """
    if query._distinct or query._group_by_clauses:  # the window would count pre-grouping
        return _counted(query, session, page, per_page)
    rows = _page_rows(query, session, page, per_page)
    if not rows and page > 1:
        return _counted(query, session, page, per_page)
    total = rows[0][-1] if rows else 0
    return Page(items=[r[0] for r in rows], page=page, per_page=per_page, total=total)


def _page_rows(query: Select[Any], session: Session, page: int, per_page: int) -> list[Any]:
    counted = query.add_columns(func.count().over().label("total_rows"))
    return list(session.execute(counted.limit(per_page).offset((page - 1) * per_page)))


def _counted(query: Select[Any], session: Session, page: int, per_page: int) -> Page:
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    page = min(page, max(1, -(-total // per_page)))
    items = list(session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, page=page, per_page=per_page, total=total)
