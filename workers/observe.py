"""What a worker says about its tasks: a start and an end line for each (task name, task id
and the id of the web request that enqueued it on every line logged meanwhile), and the
worker's and beat's logging set up like the web app's (services/core/logs.py).

Celery's signals are process-wide; ``connect()`` is idempotent (dispatch uids).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from celery.signals import setup_logging, task_postrun, task_prerun, worker_init, worker_ready
from prometheus_client import CONTENT_TYPE_LATEST

from services.core import logs
from services.core.config import Settings
from services.operations import metrics

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
        seconds = time.perf_counter() - started
        log.info("task finished state=%s duration_ms=%s", state, round(seconds * 1000, 1))
        metrics.observe_task(getattr(task, "name", "?"), str(state or "UNKNOWN"), seconds)
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


def _settings_of(sender: Any) -> Settings | None:
    runtime = getattr(getattr(sender, "app", None), "runtime", None)
    return runtime.settings if runtime is not None else None


def _worker_init(sender: Any = None, **_kw: Any) -> None:
    settings = _settings_of(sender)
    if settings is not None and settings.worker_metrics_port is not None:
        metrics.prepare_multiproc_dir(settings.prometheus_multiproc_dir)  # before the pool


def _worker_ready(sender: Any = None, **_kw: Any) -> None:
    settings = _settings_of(sender)
    if settings is not None:
        serve_metrics(settings)


def connect() -> None:
    task_prerun.connect(_started, dispatch_uid="partnering.task_started")
    task_postrun.connect(_finished, dispatch_uid="partnering.task_finished")
    worker_init.connect(_worker_init, dispatch_uid="partnering.metrics_dir")
    worker_ready.connect(_worker_ready, dispatch_uid="partnering.metrics_server")


def serve_metrics(settings: Settings) -> None:
    """In a worker's main process with WORKER_METRICS_PORT: ``/metrics`` of its tasks (all
    pool processes' with PROMETHEUS_MULTIPROC_DIR), behind METRICS_TOKEN when set."""
    if settings.worker_metrics_port is None:
        return

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        header = str(environ.get("HTTP_AUTHORIZATION", ""))
        if settings.metrics_token and not metrics.token_matches(settings.metrics_token, header):
            start_response("401 Unauthorized", [("WWW-Authenticate", 'Bearer realm="metrics"')])
            return [b"A bearer token is required.\n"]
        body = metrics.exposition(settings.prometheus_multiproc_dir)
        start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
        return [body]

    # Every interface: Prometheus scrapes the worker from another container (docker-compose),
    # as it does gunicorn's 0.0.0.0:8000; METRICS_TOKEN guards the answer.
    everywhere = "0.0.0.0"  # noqa: S104  # nosec B104
    server = make_server(everywhere, settings.worker_metrics_port, app, WSGIServer, _Quiet)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    log.info("worker metrics on port %s", settings.worker_metrics_port)


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass
