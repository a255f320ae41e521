"""The README's run command serves the login page; docker-compose.yml is valid."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_readme_names_exactly_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    quickstart = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    assert "make run" in quickstart and "make test" in quickstart


@pytest.mark.slow
def test_make_run_starts_and_serves_the_login_page(tmp_path):
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PARTNERING_ENV"}
    }
    env.update(INSTANCE_PATH=str(tmp_path / "instance"), PORT=str(port))
    proc = subprocess.Popen(
        ["make", "run", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 300
        body = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/auth/login", timeout=2) as r:
                    body = r.read().decode()
                    break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail("make run exited:\n" + (proc.stdout.read() if proc.stdout else ""))
                time.sleep(0.5)
        assert "Sign in" in body
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            output, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            output, _ = proc.communicate()
    assert "admin@demo.partnering" in output  # the demo accounts were printed
    assert "Upgraded from (empty) to " in output  # the migration says what it did


def _make_run_lines(*args: str, env: dict[str, str] | None = None) -> list[str]:
    out = subprocess.run(
        ["make", "-n", "run", *args],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "PUBLIC_URL"} | (env or {}),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    return [line for line in out.splitlines() if "partnering run" in line]


def test_make_run_links_point_at_its_host_and_port():
    """Email links follow HOST and PORT; an explicit PUBLIC_URL wins."""
    assert _make_run_lines("PORT=39715") == [
        "PUBLIC_URL=http://127.0.0.1:39715 .venv/bin/partnering run --host 127.0.0.1 --port 39715"
    ]
    assert _make_run_lines("HOST=0.0.0.0")[0].startswith("PUBLIC_URL=http://127.0.0.1:5000 ")
    given = _make_run_lines("PORT=1", env={"PUBLIC_URL": "https://pm.example.org"})
    assert given[0].startswith("PUBLIC_URL=https://pm.example.org ")
    assert _make_run_lines("PUBLIC_URL=https://x.org")[0].startswith("PUBLIC_URL=https://x.org ")


def test_docker_compose_file_is_valid():
    tool = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
    result = subprocess.run(
        [tool, "--builtin-schema", "vendor.compose-spec", str(ROOT / "docker-compose.yml")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    compose = shutil.which("docker-compose")
    if compose:
        env = {**os.environ, "SECRET_KEY": "x" * 40}
        result = subprocess.run(
            [compose, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr


def test_compose_has_every_service():
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert {"web", "worker", "beat", "postgres", "redis", "mail", "migrate"} <= set(
        compose["services"]
    )


def test_gunicorn_config_serves_pages_and_keeps_connections_alive(tmp_path):
    """The production server settings (gunicorn.conf.py): gthread workers that keep a
    connection open between requests, so an idle browser connection holds no worker."""
    import http.client

    from services.core import schema

    url = f"sqlite:///{tmp_path / 'gunicorn.db'}"
    schema.upgrade(url)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "gunicorn-config-test-secret-key",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
    }
    env.pop("REDIS_URL", None)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen([str(gunicorn), "webapp.wsgi:app"], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/health/live")
                first = conn.getresponse()
                break
            except OSError:
                assert proc.poll() is None, "gunicorn exited"
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
        first.read()
        assert first.status == 200
        assert (first.getheader("Connection") or "").lower() != "close"
        sock = conn.sock
        conn.request("GET", "/auth/login")
        second = conn.getresponse()
        assert second.status == 200 and "Sign in" in second.read().decode()
        assert conn.sock is sock  # the same connection served both
        conn.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
