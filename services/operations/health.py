"""Health of the database and the broker, for /health and the admin view."""

from __future__ import annotations

from typing import Any

import redis
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session


def database_up(session: Session) -> tuple[bool, str]:
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        session.rollback()
        return False, type(exc).__name__
    return True, session.get_bind().dialect.name


def broker_up(redis_url: str | None) -> tuple[bool | None, str]:
    """None when no broker is configured (embedded default: tasks run in-process)."""
    if not redis_url:
        return None, "in-process (no REDIS_URL)"
    try:
        client = redis.Redis.from_url(redis_url, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except redis.RedisError as exc:
        return False, type(exc).__name__
    return True, "redis"


def check(session: Session, redis_url: str | None) -> dict[str, Any]:
    db_ok, db_detail = database_up(session)
    broker_ok, broker_detail = broker_up(redis_url)
    status = "ok" if db_ok and broker_ok is not False else "degraded"
    return {
        "status": status,
        "database": {"up": db_ok, "detail": db_detail},
        "broker": {"up": broker_ok, "detail": broker_detail},
    }
