"""The Celery app: JSON only, late acks, one message at a time, engine disposed after fork.

Start a worker with ``celery -A workers.celery_app worker`` and beat with
``celery -A workers.celery_app beat``.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import (
    beat_init,
    before_task_publish,
    task_failure,
    worker_process_init,
    worker_ready,
)

from workers.schedule import beat_schedule


def create_celery(redis_url: str | None) -> Celery:
    app = Celery(
        "partnering",
        include=["workers.tasks", "workers.import_tasks", "workers.consortia_tasks"],
    )
    visibility = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))
    app.conf.update(
        broker_url=redis_url or "memory://",
        result_backend=redis_url,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": visibility,
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
        beat_schedule=beat_schedule(),
    )
    return app


def use_broker(app: Celery, redis_url: str | None) -> None:
    """Point the app at another broker (the web app passes its own settings)."""
    app.conf.update(broker_url=redis_url or "memory://", result_backend=redis_url)


# Reads only REDIS_URL at import: the worker loads its full settings lazily (workers.context).
celery_app = create_celery(os.environ.get("REDIS_URL") or None)


@worker_process_init.connect
def _dispose_engine_after_fork(**_kwargs: object) -> None:
    # A forked child must not reuse the parent's pooled connections.
    from workers import context

    context.dispose()


@worker_ready.connect
def _worker_ready(**_kwargs: object) -> None:
    from workers import runs

    runs.worker_alive()


@beat_init.connect
def _beat_started(**_kwargs: object) -> None:
    # The scheduler proves it is alive by writing its own heartbeat whenever it publishes.
    from workers import runs

    runs._state["in_beat"] = True
    runs.beat_alive(force=True)


@before_task_publish.connect
def _beat_publishing(**_kwargs: object) -> None:
    from workers import runs

    if runs._state["in_beat"]:
        runs.beat_alive()


@task_failure.connect
def _task_failed(
    sender: object = None,
    task_id: str = "",
    exception: BaseException | None = None,
    **_kwargs: object,
) -> None:
    from workers import runs

    name = str(getattr(sender, "name", sender))
    hostname = str(getattr(getattr(sender, "request", None), "hostname", "") or "")
    runs.record_failure(name, task_id or "", hostname, exception or RuntimeError("unknown"))
