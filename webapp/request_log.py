"""One log line per request, and the request id.

Each request gets an id: the client's (or the proxy's) ``X-Request-ID`` when it is a plain
token, else a new one; it is returned on the answer. After the answer is final (the commit
included) one line is logged on ``partnering.request``: method, path, status, duration, user
id and request id; as JSON lines when LOG_FORMAT=json (services/core/logs.py). No query
string, body, header or cookie is logged, and paths that carry a secret (a password-reset
link) are logged as their route ("/auth/token/<token>").
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request
from sqlalchemy import inspect

from services.core import logs

log = logging.getLogger("partnering.request")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
SECRET_VIEW_ARGS = frozenset({"token"})
configure = logs.configure  # one logging configuration for web, CLI, worker and beat


def _start() -> None:
    g.request_started = time.perf_counter()
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
    # Lines logged while serving, and the tasks this request enqueues, carry the id.
    g.log_context = logs.bind(request_id=g.request_id)


def _end(_exc: BaseException | None) -> None:
    token = g.pop("log_context", None)
    if token is not None:
        logs.reset(token)


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
    app.teardown_request(_end)
