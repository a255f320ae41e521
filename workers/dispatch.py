"""Enqueue a task by name: to Celery when a broker is configured, else in-process.

The embedded default has no Redis: tasks then run on a small thread pool inside the
process that committed the data, through the same Celery app (``Task.apply``). A failed
enqueue is logged, not raised: the data is committed and the periodic sweep picks it up.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from celery import Celery

from services.core import logs

log = logging.getLogger(__name__)
# After a failed enqueue, skip the broker for a while instead of blocking every commit on
# it: the rows are committed and the periodic sweep rings for them once the broker is back.
BROKER_PAUSE_S = 10.0


class Dispatcher:
    """The doorbell of one runtime: ``dispatch(name, *args)`` after a commit."""

    def __init__(self, celery: Celery[Any], use_broker: bool) -> None:
        self.celery = celery
        self.use_broker = use_broker
        self._pool: ThreadPoolExecutor | None = None
        self._pending: set[Future[Any]] = set()
        self._lock = threading.Lock()
        self._broker_paused_until = 0.0

    def dispatch(self, name: str, *args: Any) -> None:
        # The request (or task) that enqueues passes its id on: the task's lines carry it.
        request_id = logs.current().get("request_id")
        headers = {"request_id": request_id} if request_id else {}
        if self.use_broker:
            self._send(name, args, headers)
            return
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="partnering-task")
            future = self._pool.submit(self._run_local, name, args, headers)
            self._pending.add(future)
        future.add_done_callback(self._finished)

    def _send(self, name: str, args: tuple[Any, ...], headers: dict[str, str]) -> None:
        if time.monotonic() < self._broker_paused_until:
            log.debug("broker paused: %s%r left to the sweep", name, args)
            return
        try:
            self.celery.send_task(name, args=args, retry=False, ignore_result=True, headers=headers)
        except Exception:  # broker down: the sweep delivers later
            self._broker_paused_until = time.monotonic() + BROKER_PAUSE_S
            log.exception("could not enqueue %s%r; the sweep will pick it up", name, args)

    def _run_local(self, name: str, args: tuple[Any, ...], headers: dict[str, str]) -> None:
        result = self.celery.tasks[name].apply(args=args, headers=headers)
        if result.failed():
            log.error("in-process task %s%r failed: %s", name, args, result.result)

    def _finished(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)
        exc = future.exception()
        if exc is not None:
            log.error("in-process task failed to run", exc_info=exc)

    def wait_idle(self, timeout: float = 30) -> None:
        """Wait for in-process tasks to finish (tests, CLI commands before exit)."""
        with self._lock:
            pending = list(self._pending)
        wait(pending, timeout=timeout)

    def close(self) -> None:
        """Let queued in-process tasks finish, then stop the pool's threads."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
