"""The embedded scheduler: Celery beat's job, in-process, when there is no broker.

Without REDIS_URL there is no beat and no worker process, so the web app starts this daemon
thread (once per serving process, at its first request; never under TESTING unless
asked): every few seconds it writes the 'beat' heartbeat and dispatches each periodic job
that is due to the runtime's in-process task pool, exactly as beat would. Every periodic
job is idempotent, so several processes (e.g. gunicorn workers on one SQLite file) may
each run one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from workers.runs import BeatHeartbeat, SessionScope
from workers.schedule import Periodic

log = logging.getLogger(__name__)
TICK_S = 5.0


class EmbeddedScheduler:
    """One runtime's scheduler thread (started at most once at a time)."""

    def __init__(
        self,
        jobs: list[Periodic],
        dispatch: Callable[..., None],
        scope: SessionScope,
    ) -> None:
        self.jobs = jobs
        self.dispatch = dispatch
        self.heartbeat = BeatHeartbeat(scope)
        self._thread: threading.Thread | None = None
        self._stop: threading.Event | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, tick: float = TICK_S) -> None:
        """Start the thread unless it runs (cheap to call on every request)."""
        if self.running:
            return
        with self._lock:
            if self.running:
                return
            self._stop = threading.Event()
            self._thread = threading.Thread(
                target=self._loop,
                args=(self._stop, tick),
                name="partnering-scheduler",
                daemon=True,
            )
            self._thread.start()

    def _loop(self, stop: threading.Event, tick: float) -> None:
        last: dict[str, float] = {}
        while not stop.is_set():
            now = time.monotonic()
            self.heartbeat.write(force=True)
            for job in self.jobs:
                if now - last.get(job.name, -job.seconds) >= job.seconds:
                    last[job.name] = now
                    self._run(job)
            stop.wait(tick)

    def _run(self, job: Periodic) -> None:
        try:
            self.dispatch(job.task, *job.args)
        except Exception:
            log.exception("embedded scheduler could not run %s", job.name)

    def stop(self) -> None:
        """Stop the thread and wait for it (tests, closing the runtime)."""
        with self._lock:
            thread, stop = self._thread, self._stop
            self._thread = self._stop = None
        if stop is not None:
            stop.set()
        if thread is not None:
            thread.join(timeout=10)
