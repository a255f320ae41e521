"""Personal API tokens: created and revoked by their user, stored hashed, shown once."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ApiToken, User
from models.api_tokens import TOKEN_SCOPES
from models.base import utcnow
from services.core import audit
from services.core.context import RequestContext
from services.core.errors import InvalidInput, NotFound

TOKEN_PREFIX = "pm_"  # noqa: S105 - a public marker, not a secret
MAX_ACTIVE_TOKENS = 20


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        )
    )


def create_token(
    session: Session, ctx: RequestContext, *, name: str, scope: str
) -> tuple[ApiToken, str]:
    """Create a token; the raw value is returned once and never stored."""
    user = ctx.user
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("Give the token a name of 1 to 100 characters.", {"name": ["Required."]})
    if scope not in TOKEN_SCOPES:
        raise InvalidInput("Choose the read or write scope.", {"scope": ["Read or write."]})
    active = [t for t in list_tokens(session, user) if t.active]
    if len(active) >= MAX_ACTIVE_TOKENS:
        raise InvalidInput(f"You already have {MAX_ACTIVE_TOKENS} active tokens; revoke one first.")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id, name=name, scope=scope, prefix=raw[:10], token_hash=_hash(raw)
    )
    session.add(token)
    session.flush()
    audit.record(
        session, user, "api_token.created", token, ip=ctx.client_ip, scope=scope, name=name
    )
    return token, raw


def revoke_token(session: Session, ctx: RequestContext, token_id: int) -> ApiToken:
    user = ctx.user
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(session, user, "api_token.revoked", token, ip=ctx.client_ip, name=token.name)
    return token


def authenticate(session: Session, raw: str) -> tuple[User, ApiToken] | None:
    """The active user and token for a raw bearer token, or None."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(raw)))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    token.last_used_at = utcnow()
    return token.user, token
