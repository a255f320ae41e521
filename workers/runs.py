"""Recording task runs and liveness around tasks and from the beat and worker processes.

Every function takes ``scope``, the runtime's ``session_scope``: each record is its own
short transaction, so a failed task still leaves its run and a heartbeat never waits for a
task's transaction.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from sqlalchemy.orm import Session

from services.operations import heartbeats, task_runs

SessionScope = Callable[[], AbstractContextManager[Session]]
log = logging.getLogger(__name__)
TRACKED = {
    "workers.tasks.sweep_outbox",
    "workers.tasks.sweep_jobs",
    "workers.tasks.send_reminders",
    "workers.tasks.send_digests",
}
BEAT_EVERY_S = 10.0


def hostname() -> str:
    return socket.gethostname()[:64]


def task_host(task: Any) -> str:
    """The worker's name (``w1@host``) running ``task``, or this host's name in-process."""
    return str(getattr(getattr(task, "request", None), "hostname", "") or socket.gethostname())


@contextmanager
def tracked(scope: SessionScope, task: Any, name: str) -> Iterator[None]:
    """Record a run (running -> succeeded/failed) in its own transactions around the task."""
    task_id = str(getattr(getattr(task, "request", None), "id", "") or "")
    try:
        with scope() as session:
            run_id = task_runs.start(session, name, task_id, task_host(task)).id
    except Exception:
        log.exception("could not record the start of %s", name)
        yield
        return
    try:
        yield
    except BaseException as exc:
        _finish(scope, run_id, False, f"{type(exc).__name__}: {exc}")
        raise
    _finish(scope, run_id, True)


def _finish(scope: SessionScope, run_id: int, ok: bool, detail: str = "") -> None:
    try:
        with scope() as session:
            task_runs.finish(session, run_id, ok, detail)
    except Exception:
        log.exception("could not record the end of task run %s", run_id)


def record_failure(
    scope: SessionScope, name: str, task_id: str, host: str, exc: BaseException
) -> None:
    if name in TRACKED:
        return  # already recorded by tracked()
    try:
        with scope() as session:
            task_runs.failed(session, name, task_id, host, f"{type(exc).__name__}: {exc}")
    except Exception:
        log.exception("could not record the failure of %s", name)


class BeatHeartbeat:
    """The 'beat' heartbeat of one scheduler (Celery beat or the embedded one)."""

    def __init__(self, scope: SessionScope) -> None:
        self.scope = scope
        self.last = float("-inf")

    def write(self, force: bool = False) -> None:
        """Write the heartbeat, at most every BEAT_EVERY_S unless forced."""
        now = time.monotonic()
        if not force and now - self.last < BEAT_EVERY_S:
            return
        self.last = now
        try:
            with self.scope() as session:
                heartbeats.beat(session, "beat", hostname())
        except Exception:
            log.exception("could not write the beat heartbeat")


def worker_alive(scope: SessionScope) -> None:
    try:
        with scope() as session:
            heartbeats.beat(session, "worker", hostname())
    except Exception:
        log.exception("could not write the worker heartbeat")
