"""The web request's X-Request-ID crosses into the tasks it enqueues: a real Celery worker
process (LOG_FORMAT=json) logs the task's start and end with the task's name and id and the
request's id; in-process tasks (the embedded default) do the same."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from tests.support import post_form
from tests.workers.faults import Processes, wait_for

TASK = "workers.tasks.deliver_outbox"


def _task_lines(text: str) -> list[dict]:
    found = []
    for line in text.splitlines():
        if line.startswith("{") and '"partnering.task"' in line:
            found.append(json.loads(line))
    return found


def test_request_id_crosses_into_a_real_worker_log(
    redis_settings, redis_runtime, redis_app, make_user, tmp_path: Path
) -> None:
    redis_runtime.celery.control.purge()
    env = {
        "DATABASE_URL": redis_settings.database_url,
        "REDIS_URL": redis_settings.redis_url,
        "SECRET_KEY": redis_settings.secret_key,
        "INSTANCE_PATH": str(tmp_path / "worker"),
        "LOG_FORMAT": "json",
    }
    procs = Processes(env, tmp_path)
    procs.worker(pool="solo", concurrency=1)
    try:
        user = make_user()
        client = redis_app.test_client()
        answer = post_form(
            client, "/auth/reset", {"email": user.email}, headers={"X-Request-ID": "req-cross-42"}
        )
        assert answer.status_code == 302 and answer.headers["X-Request-ID"] == "req-cross-42"

        def finished() -> list[dict]:
            text = "".join(p.read_text(errors="replace") for p in procs.logs if p.exists())
            return [r for r in _task_lines(text) if r["message"].startswith("task finished")]

        wait_for(lambda: bool(finished()), 120, "the worker to log the task\n" + procs.tail())
    finally:
        procs.stop_all()
    text = "".join(p.read_text(errors="replace") for p in procs.logs)
    lines = [r for r in _task_lines(text) if r.get("request_id") == "req-cross-42"]
    assert [r["message"].split()[:2] for r in lines] == [["task", "started"], ["task", "finished"]]
    assert {r["task_name"] for r in lines} == {TASK}
    assert len({r["task_id"] for r in lines}) == 1 and lines[0]["task_id"]
    assert "state=SUCCESS" in lines[1]["message"]


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, log_format="json")


def test_in_process_tasks_log_the_request_id(app, runtime, make_user, capsys) -> None:
    user = make_user()
    client = app.test_client()
    post_form(client, "/auth/reset", {"email": user.email}, headers={"X-Request-ID": "embedded-7"})
    runtime.dispatcher.wait_idle()
    lines = [r for r in _task_lines(capsys.readouterr().err) if r["task_name"] == TASK]
    assert lines and {r["request_id"] for r in lines} == {"embedded-7"}
    assert lines[-1]["message"].startswith("task finished state=SUCCESS")
