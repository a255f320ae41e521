"""Self-registration: a person signs up with name, email and password; the account stays
inactive until they follow the signed, expiring link mailed to that address.

The answer is the same whether or not the address has an account (no enumeration): a new
address gets a verification link, a pending one gets its link again, an address with a
working account gets a note that it already has one (sign in or reset the password), and a
deactivated one gets nothing. The password is hashed in every case, so timing tells
nothing either. The link carries the account id and a fingerprint of its session token;
verifying rotates the token, so a link works once.
"""

from __future__ import annotations

import hashlib

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from models import User
from models.accounts import new_session_token
from models.base import utcnow
from services.accounts.users import check_password_strength, find_user, hash_password
from services.core import audit
from services.core.config import Settings
from services.core.context import RequestContext
from services.core.emails import valid_email
from services.core.errors import Conflict, InvalidInput, NotFound
from services.core.text import clean_text
from services.notifications.notify import queue_email
from services.organisations.contacts import NAME_MAX, link_contacts

SALT = "partnering-verify-email"


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt=SALT)


def _fingerprint(user: User) -> str:
    raw = f"{user.id}:{user.email}:{user.session_token}".encode()
    return hashlib.sha256(raw).hexdigest()[:20]


def verification_link(ctx: RequestContext, settings: Settings, user: User) -> str:
    token = _serializer(settings).dumps([user.id, _fingerprint(user)])
    return ctx.link(f"/auth/verify/{token}")


def _send_link(session: Session, ctx: RequestContext, settings: Settings, user: User) -> None:
    queue_email(
        session,
        user,
        "account.verify",
        "verify_email",
        link=verification_link(ctx, settings, user),
        hours=settings.token_hours,
    )


def sign_up(
    session: Session,
    ctx: RequestContext,
    settings: Settings,
    *,
    name: str,
    email: str,
    password: str,
) -> None:
    """Register ``email`` (or mail its owner what to do); the caller always says the same."""
    errors: dict[str, list[str]] = {}
    for check in (
        lambda: clean_text(name, "name", "A name", NAME_MAX, True),
        lambda: valid_email(email),
        lambda: check_password_strength(password),
    ):
        try:
            check()
        except InvalidInput as exc:
            errors.update(exc.field_errors)
    if errors:
        raise InvalidInput("Check the fields marked below.", errors)
    name, email = clean_text(name, "name", "A name", NAME_MAX, True), valid_email(email)
    password_hash = hash_password(password)  # hashed whatever happens next: same timing
    existing = find_user(session, email)
    if existing is None:
        user = User(
            email=email,
            name=name,
            role="viewer",
            password_hash=password_hash,
            is_active=False,
            email_verified_at=None,
        )
        session.add(user)
        session.flush()
        _send_link(session, ctx, settings, user)
        audit.record(session, None, "user.signed_up", user, ip=ctx.client_ip)
    elif existing.email_verified_at is None:
        # Pending: the first sign-up's password stays; only the owner of the mailbox can
        # activate it, and the mail says to ignore it if they did not ask.
        _send_link(session, ctx, settings, existing)
        audit.record(session, None, "user.sign_up_repeated", existing, ip=ctx.client_ip)
    elif existing.is_active:
        queue_email(
            session, existing, "account.exists", "account_exists", link=ctx.link("/auth/login")
        )
        audit.record(session, None, "user.sign_up_existing", existing, ip=ctx.client_ip)
    else:
        audit.record(session, None, "user.sign_up_deactivated", existing, ip=ctx.client_ip)


def check_link(session: Session, settings: Settings, token: str) -> User:
    """The account a verification link names, if the link is still good (changes nothing)."""
    try:
        user_id, fingerprint = _serializer(settings).loads(
            token, max_age=settings.token_hours * 3600
        )
    except SignatureExpired:
        raise Conflict("This link has expired. Sign up again to receive a new one.") from None
    except (BadSignature, ValueError, TypeError):
        raise NotFound("This link is not valid. Copy the whole link from the email.") from None
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None:
        raise NotFound("This link is not valid. Copy the whole link from the email.")
    if user.email_verified_at is not None:
        raise Conflict("This address is already verified: sign in.")
    if fingerprint != _fingerprint(user):
        raise Conflict("This link is no longer valid. Sign up again to receive a new one.")
    return user


def verify_email(session: Session, ctx: RequestContext, settings: Settings, token: str) -> User:
    """Activate the account a verification link names; link its contacts to it."""
    user = check_link(session, settings, token)
    user.email_verified_at = utcnow()
    user.is_active = True
    user.session_token = new_session_token()
    linked = link_contacts(session, user)
    audit.record(session, user, "user.email_verified", user, ip=ctx.client_ip, contacts=linked)
    return user
