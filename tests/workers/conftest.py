"""A real Celery worker (solo pool, in a thread) against a real Redis."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import require_redis, with_compiled_templates
from webapp import create_app
from workers.runtime import Runtime, build_runtime


@pytest.fixture
def redis_settings(settings):
    return dataclasses.replace(settings, redis_url=require_redis(), embedded=False)


@pytest.fixture
def redis_runtime(redis_settings, app) -> Iterator[Runtime]:
    """A runtime on the broker; it depends on ``app`` so that fixture, torn down after this
    one is closed (every session of the test with it), empties the tables."""
    built = build_runtime(redis_settings)
    yield built
    built.close()


@pytest.fixture
def redis_app(redis_runtime) -> Any:
    """The web app on the broker's runtime (the embedded ``app`` is another one)."""
    return with_compiled_templates(create_app(runtime=redis_runtime, TESTING=True))


@pytest.fixture
def celery_worker(redis_runtime, redis_app) -> Iterator[Any]:
    """A worker thread consuming the broker of ``redis_app``'s runtime."""
    import celery.contrib.testing.tasks  # noqa: F401 - registers the ping task start_worker uses
    from celery.contrib.testing.worker import start_worker

    broker_app = redis_runtime.celery
    broker_app.control.purge()
    with start_worker(broker_app, pool="solo", perform_ping_check=True, shutdown_timeout=30) as w:
        yield w
