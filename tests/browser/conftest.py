"""A real server on a free port (werkzeug in a thread) and Debian's chromium via Playwright.

The server is the production app (CSRF on, the CSP sent) against the test database; with
no Redis, background tasks run in the in-process pool, so a consortium request completes
while the browser waits for it.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from services.core.config import Settings
from tests.support import free_port, service_unavailable, with_compiled_templates

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


@pytest.fixture
def live_server(app: Any, settings: Settings) -> Iterator[str]:
    """The app of this test served over HTTP; yields its base URL."""
    from werkzeug.serving import make_server

    from webapp import create_app

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    served = with_compiled_templates(
        create_app(dataclasses.replace(settings, public_url=base), EMBEDDED_SCHEDULER=False)
    )
    server = make_server("127.0.0.1", port, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        thread.join(timeout=10)
        served.extensions["partnering.engine"].dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        service_unavailable(f"{CHROMIUM} is not installed (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    return ARTIFACTS
