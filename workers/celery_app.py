"""The Celery app: JSON only, late acks, one message at a time, engine disposed after fork.

Start a worker with ``celery -A workers.celery_app worker`` and beat with
``celery -A workers.celery_app beat``.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import worker_process_init


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
        },
        result_expires=3600,
        timezone="UTC",
        beat_schedule={
            "heartbeat-beat": {
                "task": "workers.tasks.heartbeat",
                "schedule": 30.0,
                "args": ("beat",),
            },
            # Imports and organisation edits reach the expertise index through this sweep.
            "refresh-expertise-index": {
                "task": "workers.consortia_tasks.refresh_expertise_index",
                "schedule": float(os.environ.get("INDEX_REFRESH_SECONDS", "300")),
            },
        },
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
