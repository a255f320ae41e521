"""What a worker says about its tasks: a start and an end line for each (task name, task id
and the id of the web request that enqueued it on every line logged meanwhile), and the
worker's and beat's logging set up like the web app's (services/core/logs.py).

Celery's signals are process-wide; ``connect()`` is idempotent (dispatch uids).
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

from celery.signals import setup_logging, task_postrun, task_prerun

from services.core import logs

log = logging.getLogger("partnering.task")
_running: dict[str, tuple[Any, float]] = {}  # task id -> (log context token, start)


def request_id_of(task: Any) -> str | None:
    """The request id a task's message carries (broker: a header; in-process: ``headers``)."""
    request = getattr(task, "request", None)
    given = getattr(request, "request_id", None) or (getattr(request, "headers", None) or {}).get(
        "request_id"
    )
    return str(given) if given else None


def _started(task_id: str | None = None, task: Any = None, **_kw: Any) -> None:
    if task is None or not task_id:
        return
    token = logs.bind(request_id=request_id_of(task), task_name=task.name, task_id=task_id)
    _running[task_id] = (token, time.perf_counter())
    log.info("task started")


def _finished(task_id: str | None = None, task: Any = None, state: Any = None, **_kw: Any) -> None:
    token, started = _running.pop(task_id or "", (None, None))
    if started is not None:
        ms = round((time.perf_counter() - started) * 1000, 1)
        log.info("task finished state=%s duration_ms=%s", state, ms)
    if token is not None:
        with contextlib.suppress(ValueError):  # ended in another context: nothing to undo
            logs.reset(token)


def configure_logging(log_format: str) -> None:
    """The worker's and beat's logging (instead of Celery's): our loggers and Celery's, as
    text or JSON lines with the task's context. Connected by workers/entry.py."""

    def _setup(loglevel: Any = None, **_kw: Any) -> None:
        level = loglevel if isinstance(loglevel, int) else logging.getLevelName(loglevel or "INFO")
        logs.configure(log_format, (*logs.LOGGERS, "celery", "kombu"), level=level)

    setup_logging.connect(_setup, weak=False, dispatch_uid="partnering.setup_logging")


def connect() -> None:
    task_prerun.connect(_started, dispatch_uid="partnering.task_started")
    task_postrun.connect(_finished, dispatch_uid="partnering.task_finished")
