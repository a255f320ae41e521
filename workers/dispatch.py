"""Enqueue a task by name: to Celery when a broker is configured, else in-process.

The embedded default has no Redis: tasks then run on a small thread pool inside the
process that committed the data. A failed enqueue is logged, not raised: the data is
committed and the periodic sweep picks it up.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from workers import context

log = logging.getLogger(__name__)
_pool: ThreadPoolExecutor | None = None
_pending: set[Future[Any]] = set()


def _run_local(name: str, args: tuple[Any, ...]) -> None:
    from workers.celery_app import celery_app

    celery_app.loader.import_default_modules()  # the `include` modules register the tasks
    result = celery_app.tasks[name].apply(args=args)
    if result.failed():
        log.error("in-process task %s%r failed: %s", name, args, result.result)


def dispatch(name: str, *args: Any) -> None:
    global _pool
    from workers.celery_app import celery_app

    if context.settings().broker_url:
        try:
            celery_app.send_task(name, args=args)
        except Exception:  # broker down: the sweep delivers later
            log.exception("could not enqueue %s%r; the sweep will pick it up", name, args)
        return
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="partnering-task")
    future = _pool.submit(_run_local, name, args)
    _pending.add(future)
    future.add_done_callback(_pending.discard)


def wait_idle(timeout: float = 30) -> None:
    """Wait for in-process tasks to finish (tests, CLI commands before exit)."""
    wait(list(_pending), timeout=timeout)
