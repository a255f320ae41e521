"""Stable cursor pagination: order by id, the cursor encodes the last id seen."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import abort
from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from webapp.routing import ID_MAX


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = text.partition(":")
        if kind != "id" or not value.isdigit() or len(value) > 10 or int(value) > ID_MAX:
            raise ValueError(text)
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        abort(400, "The cursor is not valid; start again without it.")


def cursor_page(
    session: Session,
    query: Select[Any],
    id_column: InstrumentedAttribute[int],
    cursor: str | None,
    limit: int,
    *,
    descending: bool = False,
) -> tuple[list[Any], str | None]:
    """One page after ``cursor`` and the cursor of the next page (None at the end).

    Rows are ordered by id only (any order of ``query`` is dropped), ascending or, with
    ``descending``, newest first: a cursor stays valid whatever is inserted meanwhile.
    """
    query = query.order_by(None)
    if cursor:
        last = decode_cursor(cursor)
        query = query.where(id_column < last if descending else id_column > last)
    order = id_column.desc() if descending else id_column
    rows = list(session.scalars(query.order_by(order).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1].id) if more and rows else None
