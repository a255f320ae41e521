"""Engine and session factory, plus after-commit hooks (no Flask, no Celery)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

_HOOKS = "after_commit_hooks"


def make_engine(url: str, *, immediate: bool = True, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and enforced foreign keys.

    With ``immediate`` (the default) every SQLite transaction takes the write lock when it
    begins, so a read-then-write transaction can never fail to upgrade its lock; a
    read-only observer (tests, reports) may pass ``immediate=False``.
    """
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy emit BEGIN itself so SELECT ... then UPDATE is one transaction.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _keep_prepared(dbapi_conn: Any, _record: Any) -> None:
        # psycopg prepares a statement at its 5th run and keeps 100 per connection; the
        # pages run more distinct statements than that, so a mix of pages kept evicting
        # and planning again (3 ms for the topic page's topic): keep them all.
        if hasattr(dbapi_conn, "prepared_max"):
            dbapi_conn.prepared_max = 2000

    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, future=True)


def after_commit(session: Session, hook: Callable[[], None]) -> None:
    """Run ``hook`` once the session's transaction has committed; drop it on rollback.

    This is how side effects (enqueueing a task) leave only for committed data.
    """
    session.info.setdefault(_HOOKS, []).append(hook)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    hooks = session.info.pop(_HOOKS, [])
    for hook in hooks:
        hook()


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_HOOKS, None)
