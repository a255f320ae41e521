"""The runtime: engine, session factory, task dispatcher and Celery app, built once from
the settings and handed to the web app (``webapp.create_app(runtime=...)``) and to the
worker entry point (``workers.entry``). Importing a module configures nothing; two
runtimes in one process (tests) each use their own database and broker.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from celery import Celery
from celery.signals import worker_process_init
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from models.db import make_engine, make_session_factory
from services.core.config import Settings
from services.pledges.sums_cache import SharedSums

# The task modules register their shared tasks with every Celery app, ours included.
from workers import (  # noqa: F401
    consortia_tasks,
    import_tasks,
    invitation_tasks,
    review_tasks,
    tasks,
)
from workers.celery_app import RuntimeTask, create_celery
from workers.dispatch import Dispatcher
from workers.embedded import EmbeddedScheduler
from workers.schedule import periodic_jobs


@dataclass(eq=False)
class Runtime:
    """What the web app, the CLI and the worker share; one per process and settings."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    celery: Celery[RuntimeTask]
    dispatcher: Dispatcher
    scheduler: EmbeddedScheduler = field(init=False)
    _pid: int = field(init=False, default_factory=os.getpid)

    def __post_init__(self) -> None:
        # Sessions ring the dispatcher after their commit (services.notifications.notify.ring)
        # and share the funding pages' sums through Redis (services.pledges.sums_cache).
        info: dict[str, Any] = {"dispatch": self.dispatcher.dispatch}
        if self.settings.redis_url:
            info["pledge_sums"] = SharedSums(self.settings.redis_url)
        self.sessions.configure(info=info)
        self.scheduler = EmbeddedScheduler(
            periodic_jobs(self.settings), self.dispatcher.dispatch, self.session_scope
        )
        self.celery.runtime = self  # type: ignore[attr-defined]  # how tasks find it
        worker_process_init.connect(self._after_fork, weak=True)

    @contextmanager
    def session_scope(self) -> Iterator[Session]:
        """The single commit point of a task or a CLI command: one transaction, committed
        on success, rolled back on any error."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def _after_fork(self, **_kwargs: Any) -> None:
        # A forked pool child must not reuse the parent's pooled connections.
        if os.getpid() != self._pid:
            self.engine.dispose(close=False)

    def close(self) -> None:
        """Stop the scheduler, let in-process tasks finish, release the connections."""
        self.scheduler.stop()
        self.dispatcher.close()
        self.celery.close()
        self.engine.dispose()


def build_runtime(settings: Settings) -> Runtime:
    """The runtime of these settings; with a broker URL tasks go to Celery workers."""
    celery = create_celery(settings)
    engine = make_engine(settings.database_url)
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        celery=celery,
        dispatcher=Dispatcher(celery, use_broker=bool(settings.broker_url)),
    )
