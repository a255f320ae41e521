"""Answers that carry secrets or personal data are never stored by a browser or a proxy.

``Cache-Control: no-store`` on every API answer, the account pages (API tokens, including
the page that shows a new token once), the sign-in and password pages, the inbox and the
administration pages (people's addresses and roles). API 401s say how to authenticate
(``WWW-Authenticate: Bearer``, RFC 6750).
"""

from __future__ import annotations

from flask import Flask, Response, request

NO_STORE_PREFIXES = ("/api/", "/account/", "/auth/", "/admin/", "/inbox/")
BEARER_CHALLENGE = 'Bearer realm="Partnering Machine API"'


def _headers(response: Response) -> Response:
    path = request.path
    if path.startswith(NO_STORE_PREFIXES):
        response.headers["Cache-Control"] = "no-store"
    if response.status_code == 401 and path.startswith("/api/"):
        invalid = bool(request.headers.get("Authorization"))
        response.headers["WWW-Authenticate"] = BEARER_CHALLENGE + (
            ', error="invalid_token"' if invalid else ""
        )
    return response


def init_app(app: Flask) -> None:
    """Register before the commit hook (after_request hooks run last-registered first), so
    the headers reach every answer, the commit's own 409 included."""
    app.after_request(_headers)
