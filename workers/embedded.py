"""The embedded scheduler: Celery beat's job, in-process, when there is no broker.

Without REDIS_URL there is no beat and no worker process, so the web app starts this daemon
thread (once per serving process, at its first request; never under TESTING unless
asked): every few seconds it writes the 'beat' heartbeat and dispatches each periodic job
that is due to the in-process task pool (workers.dispatch), exactly as beat would. Every
periodic job is idempotent, so several processes (e.g. gunicorn workers on one SQLite
file) may each run one.
"""

from __future__ import annotations

import logging
import threading
import time

from workers.schedule import periodic_jobs

log = logging.getLogger(__name__)
_thread: threading.Thread | None = None
_lock = threading.Lock()
_stop: threading.Event | None = None
TICK_S = 5.0


def _loop(stop: threading.Event, tick: float) -> None:
    from workers import runs
    from workers.dispatch import dispatch

    jobs = periodic_jobs()
    last: dict[str, float] = {}
    while not stop.is_set():
        now = time.monotonic()
        runs.beat_alive(force=True)
        for job in jobs:
            if now - last.get(job.name, -job.seconds) >= job.seconds:
                last[job.name] = now
                try:
                    dispatch(job.task, *job.args)
                except Exception:
                    log.exception("embedded scheduler could not run %s", job.name)
        stop.wait(tick)


def start(tick: float = TICK_S) -> None:
    """Start the scheduler thread once per process (cheap to call on every request)."""
    if _thread is not None and _thread.is_alive():
        return
    with _lock:
        if _thread is not None and _thread.is_alive():
            return
        _start(tick)


def _start(tick: float) -> None:
    global _thread, _stop
    _stop = threading.Event()
    _thread = threading.Thread(
        target=_loop, args=(_stop, tick), name="partnering-scheduler", daemon=True
    )
    _thread.start()


def stop() -> None:
    """Stop the thread and wait for it (tests)."""
    global _thread, _stop
    if _stop is not None:
        _stop.set()
    if _thread is not None:
        _thread.join(timeout=10)
    _thread = _stop = None
