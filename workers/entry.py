"""Worker and beat entry point: ``celery -A workers.entry worker`` (or ``beat``).

Celery reads ``workers.entry.app``; only then is the runtime built from the environment
settings, so importing this module (or any other) configures nothing. Worker and beat
log like the web app (LOG_FORMAT), each task's lines with its name, id and request id.
Bad settings exit with status 2 and one line naming each bad variable.
"""

from __future__ import annotations

from typing import Any

from celery import Celery

from services.core.config import load_settings_or_exit
from workers import observe
from workers.runtime import build_runtime


def __getattr__(name: str) -> Celery[Any]:
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    settings = load_settings_or_exit()
    observe.configure_logging(settings.log_format)  # before Celery sets up its own
    app = build_runtime(settings).celery
    globals()["app"] = app  # built once per process
    return app
