"""The runtime is built from settings, never by importing a module: two runtimes in one
process each use their own database and broker."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from models import Heartbeat, TaskRun
from services.core import schema
from tests.workers.faults import RedisServer
from workers.runtime import build_runtime

ROOT = Path(__file__).resolve().parents[2]
# Import every module of ours (the entry points that build an app by design excepted) and
# report the engines and Celery apps that came into being.
IMPORT_ALL = """
import importlib, json, pkgutil, sqlalchemy
import celery._state

engines = []
real_create_engine = sqlalchemy.create_engine
sqlalchemy.create_engine = lambda *a, **k: engines.append(str(a[0])) or real_create_engine(*a, **k)
imported = []
for package in ("models", "matching", "services", "workers", "webapp"):
    root = importlib.import_module(package)
    for info in pkgutil.walk_packages(root.__path__, package + "."):
        if info.name not in {"webapp.wsgi", "webapp.__main__"}:
            importlib.import_module(info.name)
            imported.append(info.name)
print(json.dumps({
    "imported": imported,
    "engines": engines,
    "celery_apps": [app.main for app in celery._state._get_active_apps()],
}))
"""


@pytest.mark.slow  # imports numpy/scipy and every blueprint in a fresh interpreter
@pytest.mark.backend_independent
def test_importing_our_modules_configures_nothing():
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        # Unreachable services and no SECRET_KEY: reading the settings would fail loudly.
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/nothing",
    }
    env.pop("SECRET_KEY", None)
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert {"workers.tasks", "workers.runtime", "workers.entry", "webapp.cli"} <= set(
        report["imported"]
    )
    assert report["engines"] == []
    assert report["celery_apps"] == []


def _beats(runtime) -> set[str]:
    with runtime.sessions() as session:
        return set(session.scalars(select(Heartbeat.name)))


def test_two_embedded_runtimes_run_tasks_on_their_own_database(runtime, settings, tmp_path):
    other_url = f"sqlite:///{tmp_path / 'other.db'}"
    schema.upgrade(other_url)
    other = build_runtime(dataclasses.replace(settings, database_url=other_url))
    try:
        runtime.dispatcher.dispatch("workers.tasks.heartbeat", "first")
        other.dispatcher.dispatch("workers.tasks.heartbeat", "second")
        runtime.dispatcher.wait_idle()
        other.dispatcher.wait_idle()
        assert _beats(runtime) == {"first"}
        assert _beats(other) == {"second"}
    finally:
        other.close()


def test_a_failed_task_is_recorded_by_the_runtime_it_ran_on(runtime):
    runtime.dispatcher.dispatch("workers.consortia_tasks.run_match", 999_999, "key")
    runtime.dispatcher.wait_idle()
    with runtime.sessions() as session:
        run = session.scalars(select(TaskRun)).one()
    assert (run.task, run.status) == ("workers.consortia_tasks.run_match", "failed")
    assert "No such match request." in run.detail


def _queued(url: str) -> list[tuple[str, list[str]]]:
    """(task name, args) of each message waiting in Celery's queue on that broker."""
    client = redis.Redis.from_url(url)
    messages = [json.loads(raw) for raw in client.lrange("celery", 0, -1)]
    client.close()
    return [(m["headers"]["task"], json.loads(base64.b64decode(m["body"]))[0]) for m in messages]


def test_two_runtimes_ring_their_own_broker(settings):
    servers = [RedisServer(), RedisServer()]
    runtimes = []
    try:
        for server in servers:
            server.start()
            runtimes.append(build_runtime(dataclasses.replace(settings, redis_url=server.url)))
        runtimes[0].dispatcher.dispatch("workers.tasks.heartbeat", "first")
        runtimes[1].dispatcher.dispatch("workers.tasks.heartbeat", "second")
        assert _queued(servers[0].url) == [("workers.tasks.heartbeat", ["first"])]
        assert _queued(servers[1].url) == [("workers.tasks.heartbeat", ["second"])]
    finally:
        for built in runtimes:
            built.close()
        for server in servers:
            server.stop()
