"""The worker's database session: one transaction per task, committed here only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from models.db import make_engine, make_session_factory
from services.core.config import Settings, load_settings

_configured: list[Settings] = []


def configure(value: Settings) -> None:
    """Use these settings (the web app's) instead of the environment's."""
    reset()
    _configured[:] = [value]
    from workers.celery_app import celery_app, use_broker

    use_broker(celery_app, value.redis_url)


@lru_cache(maxsize=1)
def settings() -> Settings:
    return _configured[0] if _configured else load_settings()


@lru_cache(maxsize=1)
def engine() -> Engine:
    return make_engine(settings().database_url)


@lru_cache(maxsize=1)
def _factory() -> sessionmaker[Session]:
    return make_session_factory(engine())


def dispose() -> None:
    if engine.cache_info().currsize:
        engine().dispose(close=False)


def reset() -> None:
    """Forget cached settings and engine (tests that switch databases)."""
    if engine.cache_info().currsize:
        engine().dispose()
    settings.cache_clear()
    engine.cache_clear()
    _factory.cache_clear()


@contextmanager
def task_session() -> Iterator[Session]:
    """The single commit point of a task: commit on success, roll back on error."""
    from workers.dispatch import dispatch

    session = _factory()()
    session.info["dispatch"] = dispatch
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
