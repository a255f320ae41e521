"""/metrics: counters and histograms move with requests and tasks, scrape-time gauges read
the outbox and the jobs, the endpoint is protected, and gunicorn's workers add up."""

# ruff: noqa: S310  (urlopen of http://127.0.0.1 only: the gunicorn under test)
from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support import free_port, post_form
from webapp import create_app

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "scrape-token-0123456789"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(found: dict, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def embedded_app(runtime, settings):
    """The app as on a laptop: /metrics open."""
    runtime.settings = dataclasses.replace(settings, embedded=True)
    return create_app(runtime=runtime, TESTING=True, EMBEDDED_SCHEDULER=False)


def test_counters_move_and_gauges_read_the_database(embedded_app, runtime, make_user) -> None:
    client = embedded_app.test_client()
    before = samples(client.get("/metrics").get_data(as_text=True))
    client.get("/health/live")
    client.get("/health/live")
    client.get("/no/such/page")
    post_form(client, "/auth/reset", {"email": make_user().email})
    runtime.dispatcher.wait_idle()
    answer = client.get("/metrics")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    after = samples(answer.get_data(as_text=True))

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    live = {"endpoint": "main.live", "method": "GET", "status": "200"}
    assert moved("partnering_http_requests_total", **live) == 2
    assert (
        moved("partnering_http_requests_total", endpoint="unmatched", method="GET", status="404")
        == 1
    )
    assert (
        moved("partnering_http_request_duration_seconds_count", endpoint="main.live", method="GET")
        == 2
    )
    task = {"task": "workers.tasks.deliver_outbox", "outcome": "SUCCESS"}
    assert moved("partnering_tasks_total", **task) == 1
    assert moved("partnering_task_duration_seconds_count", **task) == 1
    # Read at scrape time: the reset mail waits in the outbox (no SMTP server here).
    outbox = {s: value(after, "partnering_outbox_messages", state=s) for s in ("pending", "sent")}
    assert sum(outbox.values()) == 1
    assert value(after, "partnering_match_jobs", state="running") == 0
    assert ("partnering_import_runs", (("state", "queued"),)) in after


def test_metrics_are_protected(runtime, settings) -> None:
    production = create_app(runtime=runtime, TESTING=True)
    assert production.test_client().get("/metrics").status_code == 404  # no token: off

    runtime.settings = dataclasses.replace(settings, metrics_token=TOKEN)
    client = create_app(runtime=runtime, TESTING=True).test_client()
    for header in (
        {},
        {"Authorization": "Bearer wrong-token-0123456789"},
        {"Authorization": TOKEN},
    ):
        refused = client.get("/metrics", headers=header)
        assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith(
            "Bearer"
        )
        assert b"partnering_http" not in refused.data
    ok = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200 and b"partnering_http_requests_total" in ok.data


def worker_files(metrics_dir: Path) -> set[str]:
    """The pids (with suffix) of the workers that wrote a counter file."""
    return {p.name.split("_")[-1] for p in metrics_dir.glob("counter_*.db")}


def test_gunicorn_workers_add_up(migrated, tmp_path) -> None:
    """Two real gunicorn workers in multiprocess mode: a scrape counts every worker's
    requests, whichever worker answers it."""
    port = free_port()
    metrics_dir = tmp_path / "metrics"
    env = {
        **{k: v for k, v in os.environ.items() if k != "REDIS_URL"},
        "DATABASE_URL": migrated,
        "SECRET_KEY": "metrics-test-secret-key",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "METRICS_TOKEN": TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    metrics_dir.mkdir()
    (metrics_dir / "counter_999999.db").write_bytes(b"stale")  # emptied at start
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen([str(gunicorn), "webapp.wsgi:app"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/health/live", timeout=5).read()
                break
            except OSError:
                assert proc.poll() is None, "gunicorn exited"
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
        # The second worker may still be booting when the first answers: go on asking
        # (a new connection each) until both have counted a request.
        while len(worker_files(metrics_dir) - {"999999.db"}) < 2:
            assert time.monotonic() < deadline, "the second worker never answered"
            urllib.request.urlopen(f"{base}/health/live", timeout=30).read()
        scrape = urllib.request.Request(
            f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        # Requests of the start loop that timed out were still answered: count from here.
        before = samples(urllib.request.urlopen(scrape, timeout=30).read().decode())
        for _ in range(30):
            urllib.request.urlopen(f"{base}/health/live", timeout=30).read()
        pids = worker_files(metrics_dir)
        after = samples(urllib.request.urlopen(scrape, timeout=30).read().decode())
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    live = {"endpoint": "main.live", "method": "GET", "status": "200"}
    counted = [value(x, "partnering_http_requests_total", **live) for x in (before, after)]
    assert counted[1] - counted[0] == 30
    assert len(pids) == 2 and "999999.db" not in pids
