"""A real Celery worker (solo pool, in a thread) against a real Redis."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import require_redis


@pytest.fixture
def redis_settings(settings):
    return dataclasses.replace(settings, redis_url=require_redis(), embedded=False)


@pytest.fixture
def redis_app(redis_settings, app) -> Iterator[Any]:
    """An app on the broker; it depends on ``app`` so that fixture, torn down last (after
    every session of the test is closed), empties the tables."""
    from webapp import create_app

    broker_app = create_app(redis_settings, TESTING=True)
    yield broker_app
    broker_app.extensions["partnering.engine"].dispose()


@pytest.fixture
def celery_worker(redis_app) -> Iterator[Any]:
    import celery.contrib.testing.tasks  # noqa: F401 - registers the ping task start_worker uses
    from celery.contrib.testing.worker import start_worker

    from workers.celery_app import celery_app

    celery_app.control.purge()
    with start_worker(celery_app, pool="solo", perform_ping_check=True, shutdown_timeout=30) as w:
        yield w
