"""Offset pagination for HTML lists: the page asked for in the query string (the API uses
cursors); services.core.pages runs the query."""

from __future__ import annotations

from typing import Any

from flask import request
from sqlalchemy import Select
from sqlalchemy.orm import Session

from services.core.pages import Page, page_of

PER_PAGE_MAX = 200


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(request.args.get(name, default))
    except (TypeError, ValueError):
        return default
    return min(max(value, low), high)


def page_args(per_page: int = 25) -> tuple[int, int]:
    """The page number and page size asked for in the query string (bad values fall back
    to page 1 and ``per_page``)."""
    return _int_arg("page", 1, 1, 10**9), _int_arg("per_page", per_page, 1, PER_PAGE_MAX)


def paginate(
    query: Select[Any], session: Session, per_page: int = 25, *, count_apart: bool = False
) -> Page:
    """The page of ``query`` named in ``?page=`` (bad values fall back to page 1);
    ``count_apart``: see :func:`services.core.pages.page_of`."""
    page, per_page = page_args(per_page)
    return page_of(session, query, page, per_page, count_apart=count_apart)
