"""Error pages that say what happened; JSON answers for API clients."""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Flask, Response, g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from services.core.errors import InvalidInput, ServiceError

log = logging.getLogger(__name__)

TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    422: "Invalid input",
    413: "Too large",
    429: "Too many requests",
    500: "Something went wrong",
}
DEFAULT_MESSAGES = {
    400: "The request could not be understood. Check what you entered and try again.",
    401: "Sign in, or send a valid API token.",
    403: "You do not have permission to see or do this.",
    404: "There is nothing at this address.",
    405: "This address does not accept that kind of request.",
    409: "This cannot be done in the object's current state.",
    413: "The upload is larger than the limit.",
    429: "Too many attempts in a short time. Wait a minute and try again.",
    500: "An unexpected error happened on our side; it has been logged. Nothing was saved.",
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def render_error(
    code: int, message: str | None = None, field_errors: dict[str, Any] | None = None
) -> tuple[Response | str, int]:
    title = TITLES.get(code, "Error")
    message = message or DEFAULT_MESSAGES.get(code, "")
    if wants_json():
        body: dict[str, Any] = {
            "type": "about:blank",
            "title": title,
            "status": code,
            "detail": message,
        }
        if field_errors:
            body["errors"] = field_errors
        response = Response(json.dumps(body), status=code, mimetype="application/problem+json")
        return response, code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def _http_error(exc: HTTPException) -> tuple[Response | str, int]:
    code = exc.code or 500
    message = exc.description if exc.description and not _is_default(exc) else None
    data = getattr(exc, "data", None)  # webargs puts its errors there
    if code == 422 and isinstance(data, dict):
        # webargs validation: report the field errors (by location, then field)
        messages = data.get("messages", {})
        fields = {k: v for loc in messages.values() for k, v in loc.items()}
        return render_error(422, "Some fields are not valid.", fields)
    if code == 429:
        message = f"{DEFAULT_MESSAGES[429]} (Limit: {exc.description}.)"
    if code == 413:
        limit = request.max_content_length
        if limit:
            message = f"The upload is larger than the limit of {_size(limit)}. Nothing was saved."
    return render_error(code, message)


def _size(limit: int) -> str:
    """A byte limit as people say it: 200 MB, 512 KB."""
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB"
    return f"{max(1, limit // 1024)} KB"


def _is_default(exc: HTTPException) -> bool:
    return exc.description == type(exc).description


def _csrf_error(exc: CSRFError) -> tuple[Response | str, int]:
    return render_error(
        400,
        "The form had expired or was sent from elsewhere (missing or wrong security token). "
        "Reload the page and submit again.",
    )


def refusal_status(exc: ServiceError) -> int:
    """The status of a refused action, alike for pages and the API: 422 for input it cannot
    take (``InvalidInput``, with field errors), else the error's own (403, 404, 409)."""
    return 422 if isinstance(exc, InvalidInput) else exc.status


def _service_error(exc: ServiceError) -> tuple[Response | str, int]:
    return render_error(refusal_status(exc), exc.message, exc.field_errors)


def _unexpected(exc: Exception) -> tuple[Response | str, int]:
    log.exception("unhandled error on %s %s", request.method, request.path)
    # A failed statement leaves PostgreSQL's transaction aborted: roll back first, so the
    # error page (which loads the signed-in user for its menu) can itself be rendered.
    session = g.get("db")
    if session is not None:
        session.rollback()
    return render_error(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(ServiceError, _service_error)
    app.register_error_handler(Exception, _unexpected)
