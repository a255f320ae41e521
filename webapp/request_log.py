"""One log line per request, and the request id.

Each request gets an id: the client's (or the proxy's) ``X-Request-ID`` when it is a plain
token, else a new one; it is returned on the answer. After the answer is final (the commit
included) one line is logged on ``partnering.request``: method, path, status, duration, user
id and request id; as JSON lines when LOG_FORMAT=json. No query string, body, header or
cookie is logged, and paths that carry a secret (a password-reset link) are logged as their
route ("/auth/token/<token>").
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, request
from sqlalchemy import inspect

log = logging.getLogger("partnering.request")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
SECRET_VIEW_ARGS = frozenset({"token"})
FIELDS = ("method", "path", "status", "duration_ms", "user_id", "request_id")
# Our loggers: the request log and the modules' own (named after their packages).
LOGGERS = ("partnering", "webapp", "services", "workers")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class JsonFormatter(logging.Formatter):
    """A JSON object per line: time, level, logger, message and the request fields."""

    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        body.update({f: getattr(record, f) for f in FIELDS if hasattr(record, f)})
        if record.exc_info:
            body["traceback"] = self.formatException(record.exc_info)
        return json.dumps(body, ensure_ascii=False)


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record comes (servers and tests swap it)."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure(log_format: str) -> None:
    """Send our loggers' INFO and above to stderr, as text or JSON lines (idempotent)."""
    formatter = JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    for name in LOGGERS:
        logger = logging.getLogger(name)
        handler = next((h for h in logger.handlers if isinstance(h, StderrHandler)), None)
        if handler is None:
            handler = StderrHandler()
            logger.addHandler(handler)
        handler.setFormatter(formatter)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def _start() -> None:
    g.request_started = time.perf_counter()
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex


def _path() -> str:
    if request.url_rule is not None and SECRET_VIEW_ARGS & set(request.view_args or {}):
        return request.url_rule.rule
    path = request.path
    # A refused path may hold control characters: escaped, one request stays one line.
    return path if path.isprintable() else path.encode("unicode_escape").decode("ascii")


def _user_id() -> int | None:
    """The user this request acted for, if it was loaded (never loaded for the log: the
    request's session is closed by now, so the id comes from the identity map key)."""
    user = g.get("api_user") or g.get("_login_user")
    state = inspect(user, raiseerr=False) if user is not None else None
    return state.identity[0] if state is not None and state.identity else None


def _finish(response: Response) -> Response:
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers["X-Request-ID"] = request_id
    started = g.get("request_started", time.perf_counter())
    fields = {
        "method": request.method,
        "path": _path(),
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        "user_id": _user_id(),
        "request_id": request_id,
    }
    log.info(" ".join(f"{k}={v}" for k, v in fields.items()), extra=fields)
    return response


def init_app(app: Flask, log_format: str) -> None:
    """Register first: the id exists before any other hook, the line is written last."""
    configure(log_format)
    app.before_request(_start)
    app.after_request(_finish)
