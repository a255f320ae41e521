"""The administrators' list of accounts, as the columns its rows show."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from models import User

# Built once (its construction costs as much as its compiled-cache lookup): rows of what the
# list shows, with ``has_password`` (an invitation not yet accepted has none), not the hash.
_LISTING = select(
    User.id,
    User.name,
    User.email,
    User.role,
    User.is_active,
    User.last_login_at,
    (func.coalesce(func.length(User.password_hash), 0) > 0).label("has_password"),
).order_by(User.name)


def listing_rows() -> Select[Any]:
    """Every account by name, as rows; pass to the paginator."""
    return _LISTING
