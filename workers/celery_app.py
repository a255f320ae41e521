"""The Celery app of a runtime: JSON only, late acks, one message at a time.

``create_celery(settings)`` configures an app and nothing else; ``workers.runtime`` builds
it together with the engine and attaches itself as ``app.runtime``, which is how a task
(``self.runtime``), the beat scheduler and the worker's signals find their runtime.
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from celery.signals import worker_ready

from services.core.config import Settings
from workers import observe, runs
from workers.schedule import beat_schedule


class RuntimeTask(Task):
    """The base of our tasks: the runtime of the app the task runs on, failures recorded."""

    @property
    def runtime(self) -> Any:
        return self.app.runtime  # type: ignore[attr-defined]  # set by workers.runtime

    def on_failure(
        self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any
    ) -> None:
        host = str(getattr(self.request, "hostname", "") or "")
        runs.record_failure(self.runtime.session_scope, self.name, task_id or "", host, exc)


def create_celery(settings: Settings) -> Celery[RuntimeTask]:
    app = Celery("partnering", task_cls=RuntimeTask, set_as_current=False)
    app.conf.update(
        broker_url=settings.broker_url or "memory://",
        result_backend=settings.broker_url,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": settings.celery_visibility_timeout,
            "unacked_restore_interval": 1,
            "unacked_restore_throttle": 1,
            # Publishing fails fast when the broker is down (the commit is done; the sweep
            # rings later) instead of blocking a web request for seconds.
            "max_retries": 1,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.5,
        },
        result_expires=3600,
        timezone="UTC",
        beat_schedule=beat_schedule(settings),
        beat_scheduler="workers.schedule:HeartbeatScheduler",
    )
    worker_ready.connect(_worker_ready, dispatch_uid="partnering.worker_ready")
    observe.connect()
    return app


def _worker_ready(sender: Any = None, **_kwargs: Any) -> None:
    runtime = getattr(getattr(sender, "app", None), "runtime", None)
    if runtime is not None:
        runs.worker_alive(runtime.session_scope)
