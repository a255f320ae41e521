"""Logging for every process (web, CLI, Celery worker and beat): one configuration, text or
JSON lines (LOG_FORMAT), and the context of each line.

The context is what a line is about: the web request's id (``request_id``) and, in a task,
the task's name and id. The web app binds the request id when a request starts; the
dispatcher carries it into the headers of the tasks that request enqueues, and the worker
binds it again, with the task's name and id, while the task runs (workers/observe.py), so
``request_id`` joins a request's line to the lines of the tasks it caused.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from typing import Any

# The request line's own fields, then the context's.
FIELDS = ("method", "path", "status", "duration_ms", "user_id")
CONTEXT_FIELDS = ("request_id", "task_name", "task_id")
# Our loggers: the request log, the modules' own (named after their packages); Celery's in
# the worker and beat.
LOGGERS = ("partnering", "webapp", "services", "workers")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"

_context: ContextVar[dict[str, str] | None] = ContextVar("partnering_log_context", default=None)


def current() -> dict[str, str]:
    """The fields bound to this thread or task (a copy)."""
    return dict(_context.get() or {})


def bind(**fields: str | None) -> Token[dict[str, str] | None]:
    """Bind ``fields`` (None ones are left out) to the lines logged from here on, until
    ``reset`` with the token returned (a request's or a task's hooks bracket it)."""
    return _context.set({**(_context.get() or {}), **{k: v for k, v in fields.items() if v}})


def reset(token: Token[dict[str, str] | None]) -> None:
    _context.reset(token)


class ContextFilter(logging.Filter):
    """Puts the bound fields on each record (a field given by ``extra`` wins)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in (_context.get() or {}).items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


class JsonFormatter(logging.Formatter):
    """A JSON object per line: time, level, logger, message, the request and context fields."""

    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        body.update({f: getattr(record, f) for f in FIELDS + CONTEXT_FIELDS if hasattr(record, f)})
        if record.exc_info:
            body["traceback"] = self.formatException(record.exc_info)
        return json.dumps(body, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The text line, with the context fields the message does not already carry."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        message = record.getMessage()
        extra = [
            f"{f}={getattr(record, f)}"
            for f in CONTEXT_FIELDS
            if hasattr(record, f) and f"{f}=" not in message
        ]
        return " ".join([line, *extra]) if extra else line


class StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a record comes (servers and tests swap it)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure(
    log_format: str, loggers: tuple[str, ...] = LOGGERS, level: int = logging.INFO
) -> None:
    """Send ``loggers``' records from ``level`` up to stderr, as text or JSON lines, with
    their context (idempotent: a second call changes the format, adds no handler)."""
    formatter = JsonFormatter() if log_format == "json" else TextFormatter()
    for name in loggers:
        logger = logging.getLogger(name)
        handler = next((h for h in logger.handlers if isinstance(h, StderrHandler)), None)
        if handler is None:
            handler = StderrHandler()
            handler.addFilter(ContextFilter())
            logger.addHandler(handler)
        handler.setFormatter(formatter)
        logger.setLevel(level if name not in LOGGERS else logging.INFO)
        logger.propagate = False
