"""Stable cursor pagination: the cursor encodes the last id seen (services.core.pages runs
the query)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import abort
from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from services.core.pages import rows_after
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
    """One page after ``cursor`` and the cursor of the next page (None at the end)."""
    last = decode_cursor(cursor) if cursor else None
    rows, next_after = rows_after(session, query, id_column, last, limit, descending=descending)
    return rows, None if next_after is None else encode_cursor(next_after)
