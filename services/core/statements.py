"""Statements built once and shared where the viewer does not change them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.sql import Executable

from models import User
from services import policies

Statement = TypeVar("Statement", bound=Executable)
_OFFICE: dict[str, Any] = {}


def office_statement(name: str, user: User, build: Callable[[], Statement]) -> Statement:
    """``build()``, once per process for the programme office. Every visibility clause of
    a coordinator is TRUE, so the statement of an office queue is the same for all of
    them, and building one (then generating its cache key) cost as much as running it.
    ``build`` may read nothing else of the user; anyone else gets a statement of their own."""
    if not policies.is_coordinator(user):
        return build()
    stmt = _OFFICE.get(name)
    if stmt is None:
        stmt = _OFFICE[name] = build()
    return stmt
