"""The admin view of background work: queue depth, task runs, outbox backlog, heartbeats."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import OutboxMessage, TaskRun
from models.base import utcnow
from services.core.config import Settings
from services.operations import heartbeats, task_runs

QUEUE = "celery"  # Celery's default queue: a Redis list on the broker database
WATCHED = (("worker", "worker"), ("beat", "scheduler (beat)"))


@dataclass
class Overview:
    queue_depth: int | None
    queue_detail: str
    heartbeats: dict[str, datetime | None]
    warnings: list[str]
    running: list[TaskRun]
    failed_runs: list[TaskRun]
    outbox_counts: dict[str, int]
    oldest_due: datetime | None
    failed_messages: list[OutboxMessage] = field(default_factory=list)


def queue_depth(redis_url: str | None) -> tuple[int | None, str]:
    """LLEN of the Celery queue; None (with why) without a broker or when it is down."""
    if not redis_url:
        return None, "no broker: tasks run in-process"
    try:
        return int(_broker(redis_url).llen(QUEUE)), "redis"
    except redis.RedisError as exc:
        return None, f"broker unreachable ({type(exc).__name__})"


@functools.cache
def _broker(redis_url: str) -> redis.Redis:
    """One client (and connection pool) per broker URL and process: a new client per page
    parsed the URL and opened a connection each time (4,000 Python calls). The pool
    reconnects after the broker comes back, and after a fork (gunicorn's workers)."""
    return redis.Redis.from_url(redis_url, socket_connect_timeout=1, socket_timeout=1)


def warnings(session: Session, settings: Settings, now: datetime | None = None) -> list[str]:
    """One sentence per background process that has gone silent."""
    return silent(heartbeats.last_beats(session), settings, now or utcnow())


def silent(beats: dict[str, datetime], settings: Settings, now: datetime) -> list[str]:
    """The warnings of ``warnings`` from heartbeats already read."""
    limit = timedelta(seconds=settings.silence_seconds)
    out = []
    for name, label in WATCHED:
        at = beats.get(name)
        if at is None:
            out.append(f"No {label} has reported yet: background work may not be running.")
        elif now - at > limit:
            minutes = int((now - at).total_seconds() // 60)
            out.append(f"The {label} has been silent for {minutes} min (last seen {at:%H:%M} UTC).")
    return out


def overview(session: Session, settings: Settings) -> Overview:
    depth, detail = queue_depth(settings.redis_url)
    beats = heartbeats.last_beats(session)
    # Mail by state and, in the same statement, the oldest immediate one still due.
    due = OutboxMessage.mode == "immediate"
    rows = session.execute(
        select(OutboxMessage.status, func.count(), func.min(OutboxMessage.created_at).filter(due))
        .where(OutboxMessage.channel == "email")
        .group_by(OutboxMessage.status)
    ).all()
    counts = {status: count for status, count, _first in rows}
    waiting = [first for status, _, first in rows if status in ("pending", "sending") and first]
    oldest = min(waiting, default=None)
    failed = list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status == "failed")
            .order_by(OutboxMessage.id.desc())
            .limit(50)
        )
    )
    return Overview(
        queue_depth=depth,
        queue_detail=detail,
        heartbeats={name: beats.get(name) for name, _ in WATCHED},
        warnings=silent(beats, settings, utcnow()),
        running=task_runs.recent(session, "running"),
        failed_runs=task_runs.recent(session, "failed"),
        outbox_counts=counts,
        oldest_due=oldest,
        failed_messages=failed,
    )


def as_dict(view: Overview) -> dict[str, Any]:
    """A JSON-friendly summary (for scripts and tests)."""
    return {
        "queue_depth": view.queue_depth,
        "heartbeats": {k: v.isoformat() if v else None for k, v in view.heartbeats.items()},
        "warnings": view.warnings,
        "outbox": view.outbox_counts,
    }
