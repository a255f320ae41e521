"""Bearer-token authentication and scopes for every API blueprint."""

from __future__ import annotations

from flask import abort, g, request

from models import User
from services.accounts import api_tokens
from webapp.database import db

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def authenticate() -> None:
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw:
        abort(401, "Send a personal API token: Authorization: Bearer <token>.")
    found = api_tokens.authenticate(db(), raw.strip())
    if found is None:
        abort(401, "The API token is unknown or revoked.")
    g.api_user, g.api_token = found
    if request.method not in SAFE_METHODS and g.api_token.scope != "write":
        abort(403, "This token is read-only; create a write token to change data.")


def api_user() -> User:
    return g.api_user
