"""URL converters: ``<int:...>`` in every route means a database id."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

from models.base import ID_MAX

__all__ = ["ID_MAX", "IdConverter", "optional_int"]


class IdConverter(IntegerConverter):
    """An id from 1 to 2**31-1; anything else does not match the route (404, never a 500
    from a database that cannot hold the number)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)


def optional_int(value: Any) -> int | None:
    """A whole number a database integer can hold (an id, a version, a revision number),
    or None for anything else (blank, not a number, beyond 2**31-1 either way): a query
    string never reaches PostgreSQL with a number it refuses."""
    if value in (None, "", "None"):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if -ID_MAX <= number <= ID_MAX else None
