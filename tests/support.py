"""Shared test helpers: real services or a clear skip (a failure when CI requires them)."""

from __future__ import annotations

import os
import re
import socket
from typing import Any

import pytest
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

REQUIRE_SERVICES = os.environ.get("PARTNERING_REQUIRE_SERVICES") == "1"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
SHARED_DATA = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "cordis-he")


class CompiledTemplates(BytecodeCache):
    """Jinja's compiled templates kept for the test run, shared by every app a test builds.

    Each Flask app has its own Jinja environment and compiled the templates again (0.2-0.4 s
    for a test's first pages). Apps of the suite configure Jinja alike, and a bucket is
    keyed by the template's name and file and checked against its source's checksum, so an
    edited template is compiled afresh.
    """

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


TEMPLATES = CompiledTemplates()


def with_compiled_templates(app: Any) -> Any:
    """``app``, its templates compiled once per test run (see CompiledTemplates)."""
    app.jinja_env.bytecode_cache = TEMPLATES
    return app


def service_unavailable(reason: str) -> None:
    """Skip, or fail when PARTNERING_REQUIRE_SERVICES=1 (CI) so no real-service test hides."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service not reachable: {reason}")
    pytest.skip(reason)


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_redis() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        service_unavailable(f"Redis at {REDIS_URL} is not reachable ({exc})")
    return REDIS_URL


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1) or match.group(2)


def post_form(client: Any, url: str, data: dict[str, Any], page: str | None = None, **kw: Any):
    """GET the form page for its CSRF token, then POST ``data`` with it."""
    html = client.get(page or url).get_data(as_text=True)
    return client.post(url, data={**data, "csrf_token": csrf_from(html)}, **kw)


def login(client: Any, email: str, password: str) -> Any:
    response = post_form(client, "/auth/login", {"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response
