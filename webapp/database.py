"""The request's database session and the single commit point of the web app.

A view calls one service; the session is committed once, after the view returned a
response below 400, and rolled back otherwise. Side effects registered with
``models.db.after_commit`` run only after that commit. Sessions come from the app's
runtime (``current_runtime()``, workers/runtime.py), whose ``session_scope()`` is the
commit point of CLI commands and tasks instead.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from webapp.errors import render_error
from workers.runtime import Runtime

log = logging.getLogger(__name__)


def current_runtime() -> Runtime:
    """The runtime the current app was created with."""
    return current_app.extensions["partnering.runtime"]


def db() -> Session:
    """The session of the current request (created on first use)."""
    if "db" not in g:
        g.db = current_runtime().sessions()
    return g.db


def _finish(response: Response) -> Response:
    session: Session | None = g.pop("db", None)
    if session is None:
        return response
    try:
        if response.status_code < 400 and not g.get("rollback_only"):
            try:
                session.commit()
            except (IntegrityError, StaleDataError) as exc:
                session.rollback()
                log.info("commit refused: %s", exc)
                body, code = render_error(
                    409,
                    "Your change clashed with another change made at the same time or with "
                    "existing data, and was not saved. Reload and try again.",
                )
                return body if isinstance(body, Response) else Response(body, status=code)
            except DBAPIError:
                session.rollback()
                raise
        else:
            session.rollback()
    finally:
        session.close()
    return response


def _teardown(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db", None)
    if session is not None:
        session.rollback()
        session.close()


def init_app(app: Flask) -> None:
    app.after_request(_finish)
    app.teardown_request(_teardown)
