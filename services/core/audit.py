"""Writing the audit log (in the caller's transaction)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from models import AuditEntry, User


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def record(
    session: Session,
    actor: User | None,
    action: str,
    obj: Any = None,
    *,
    ip: str = "",
    **details: Any,
) -> AuditEntry:
    """Add an audit entry for ``action`` on ``obj`` by ``actor`` (flushes nothing)."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=obj.__tablename__ if obj is not None else "",
        object_id=getattr(obj, "id", None),
        ip=ip,
        details=_jsonable(details),
    )
    session.add(entry)
    return entry


def changes(obj: Any, fields: list[str], new: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Old and new values of the fields that ``new`` would change on ``obj``."""
    out: dict[str, dict[str, Any]] = {}
    for name in fields:
        if name in new and getattr(obj, name) != new[name]:
            out[name] = {"old": _jsonable(getattr(obj, name)), "new": _jsonable(new[name])}
    return out
