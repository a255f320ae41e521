"""Liveness of background processes, recorded in the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Heartbeat
from models.base import utcnow


def beat(session: Session, name: str, key: str = "") -> None:
    row = session.get(Heartbeat, name)
    if row is None:
        session.add(Heartbeat(name=name, at=utcnow(), key=key))
    else:
        row.at = utcnow()
        row.key = key


_LAST = select(Heartbeat.name, Heartbeat.at)  # built once: every admin page reads it


def last_beats(session: Session) -> dict[str, datetime]:
    return {name: at for name, at in session.execute(_LAST)}
