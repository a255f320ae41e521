"""A real worker runs a task end to end; /health reports the database and broker."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
from sqlalchemy import select

from models import Heartbeat
from tests.support import free_port, service_unavailable


def test_real_worker_runs_a_task_end_to_end(celery_worker, redis_runtime, redis_app):
    heartbeat = redis_runtime.celery.tasks["workers.tasks.heartbeat"]
    result = heartbeat.delay("test-worker", "key-123")
    assert result.get(timeout=30) == "key-123"
    session = redis_app.extensions["partnering.sessions"]()
    row = session.scalars(select(Heartbeat).where(Heartbeat.name == "test-worker")).one()
    assert row.key == "key-123"
    session.close()


def test_health_reports_both_services_up(redis_app):
    r = redis_app.test_client().get("/health")
    body = r.get_json()
    assert r.status_code == 200, body
    assert body["database"]["up"] is True
    assert body["broker"]["up"] is True


def test_health_reports_a_stopped_broker_as_down(settings, request):
    import dataclasses

    from webapp import create_app

    server = shutil.which("redis-server")
    if server is None:
        service_unavailable("redis-server is not installed")
    port = free_port()
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        url = f"redis://127.0.0.1:{port}/0"
        app = create_app(dataclasses.replace(settings, redis_url=url), TESTING=True)
        request.addfinalizer(app.extensions["partnering.runtime"].close)
        client = app.test_client()
        for _ in range(50):
            if client.get("/health").status_code == 200:
                break
            time.sleep(0.1)
        assert client.get("/health").get_json()["broker"]["up"] is True
        proc.terminate()
        proc.wait(timeout=10)
        r = client.get("/health")
        assert r.status_code == 503
        assert r.get_json()["broker"]["up"] is False
        assert r.get_json()["database"]["up"] is True
    finally:
        if proc.poll() is None:
            proc.kill()


def test_embedded_health_has_no_broker_and_is_ok(client):
    body = client.get("/health").get_json()
    assert body["status"] == "ok"
    assert body["broker"]["up"] is None


@pytest.mark.parametrize("name", ["task_acks_late", "task_reject_on_worker_lost"])
def test_celery_is_configured_for_at_least_once(name, runtime):
    conf = runtime.celery.conf
    assert conf[name] is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_serializer == "json"
