"""Enqueue a task by name: to Celery when a broker is configured, else in-process.

The embedded default has no Redis: tasks then run on a small thread pool inside the
process that committed the data. A failed enqueue is logged, not raised: the data is
committed and the periodic sweep picks it up.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from workers import context

log = logging.getLogger(__name__)
_pool: ThreadPoolExecutor | None = None
_pending: set[Future[Any]] = set()
# After a failed enqueue, skip the broker for a while instead of blocking every commit on
# it: the rows are committed and the periodic sweep rings for them once the broker is back.
BROKER_PAUSE_S = 10.0
_broker_paused_until = [0.0]


def _run_local(name: str, args: tuple[Any, ...]) -> None:
    import workers.tasks  # noqa: F401 - registers the tasks (a worker imports them itself)
    from workers.celery_app import celery_app

    if name not in celery_app.tasks:  # the task modules load with a worker, or here on demand
        celery_app.loader.import_default_modules()
    result = celery_app.tasks[name].apply(args=args)
    if result.failed():
        log.error("in-process task %s%r failed: %s", name, args, result.result)


def dispatch(name: str, *args: Any) -> None:
    global _pool
    from workers.celery_app import celery_app

    if context.settings().broker_url:
        if time.monotonic() < _broker_paused_until[0]:
            log.debug("broker paused: %s%r left to the sweep", name, args)
            return
        try:
            celery_app.send_task(name, args=args, retry=False, ignore_result=True)
        except Exception:  # broker down: the sweep delivers later
            _broker_paused_until[0] = time.monotonic() + BROKER_PAUSE_S
            log.exception("could not enqueue %s%r; the sweep will pick it up", name, args)
        return
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="partnering-task")
    future = _pool.submit(_run_local, name, args)
    _pending.add(future)
    future.add_done_callback(_finished)


def _finished(future: Future[Any]) -> None:
    _pending.discard(future)
    exc = future.exception()
    if exc is not None:
        log.error("in-process task failed to run", exc_info=exc)


def wait_idle(timeout: float = 30) -> None:
    """Wait for in-process tasks to finish (tests, CLI commands before exit)."""
    wait(list(_pending), timeout=timeout)
