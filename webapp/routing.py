"""URL converters: ``<int:...>`` in every route means a database id."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

from models.base import ID_MAX

__all__ = ["ID_MAX", "IdConverter"]


class IdConverter(IntegerConverter):
    """An id from 1 to 2**31-1; anything else does not match the route (404, never a 500
    from a database that cannot hold the number)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)
