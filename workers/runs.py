"""Recording task runs and liveness from inside Celery (signals) and around periodic tasks."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from services.operations import heartbeats, task_runs
from workers.context import task_session

log = logging.getLogger(__name__)
TRACKED = {
    "workers.tasks.sweep_outbox",
    "workers.tasks.send_reminders",
    "workers.tasks.send_digests",
}
_state: dict[str, Any] = {"in_beat": False, "last_beat": 0.0}
BEAT_EVERY_S = 10.0


def _host(task: Any) -> str:
    return str(getattr(getattr(task, "request", None), "hostname", "") or socket.gethostname())


@contextmanager
def tracked(task: Any, name: str) -> Iterator[None]:
    """Record a run (running -> succeeded/failed) in its own transactions around the task."""
    task_id = str(getattr(getattr(task, "request", None), "id", "") or "")
    try:
        with task_session() as session:
            run_id = task_runs.start(session, name, task_id, _host(task)).id
    except Exception:
        log.exception("could not record the start of %s", name)
        yield
        return
    try:
        yield
    except BaseException as exc:
        _finish(run_id, False, f"{type(exc).__name__}: {exc}")
        raise
    _finish(run_id, True)


def _finish(run_id: int, ok: bool, detail: str = "") -> None:
    try:
        with task_session() as session:
            task_runs.finish(session, run_id, ok, detail)
    except Exception:
        log.exception("could not record the end of task run %s", run_id)


def record_failure(name: str, task_id: str, hostname: str, exc: BaseException) -> None:
    if name in TRACKED:
        return  # already recorded by tracked()
    try:
        with task_session() as session:
            task_runs.failed(session, name, task_id, hostname, f"{type(exc).__name__}: {exc}")
    except Exception:
        log.exception("could not record the failure of %s", name)


def beat_alive(force: bool = False) -> None:
    """Write the 'beat' heartbeat from the scheduler process, at most every few seconds."""
    now = time.monotonic()
    if not force and now - _state["last_beat"] < BEAT_EVERY_S:
        return
    _state["last_beat"] = now
    try:
        with task_session() as session:
            heartbeats.beat(session, "beat", socket.gethostname()[:64])
    except Exception:
        log.exception("could not write the beat heartbeat")


def worker_alive() -> None:
    try:
        with task_session() as session:
            heartbeats.beat(session, "worker", socket.gethostname()[:64])
    except Exception:
        log.exception("could not write the worker heartbeat")
