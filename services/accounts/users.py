"""Accounts: passwords (argon2), sign-in, invitations and password resets by single-use token."""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Select, bindparam, exists, func, or_, select
from sqlalchemy.orm import Session, joinedload, with_expression

from models import AccountToken, OutboxMessage, ProgrammeReviewer, TopicReview, User
from models.accounts import GLOBAL_ROLES, new_session_token
from models.base import utcnow
from services import policies
from services.core import audit
from services.core.context import RequestContext
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from services.notifications.notify import queue_email
from services.organisations import contacts

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the account does not exist, so timing does not reveal
    accounts; made on first use (hashing at import slowed every process start)."""
    return _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters.",
            {"password": [f"At least {MIN_PASSWORD_LENGTH} characters."]},
        )


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def listing() -> Select[tuple[User]]:
    """Every account by name; pass to the paginator."""
    return select(User).order_by(User.name)


def active_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.is_active.is_(True))))


# Built once: every request runs it (the statement's construction costs as much as its
# compiled-cache lookup).
_SIGNED_IN = (
    select(User)
    .where(User.id == bindparam("user_id"))
    .options(
        joinedload(User.sgg_memberships),
        joinedload(User.org_memberships),
        with_expression(
            User.unread_inbox,
            select(func.count(OutboxMessage.id))
            .where(
                OutboxMessage.recipient_id == User.id,
                OutboxMessage.channel == "inbox",
                OutboxMessage.read_at.is_(None),
            )
            .scalar_subquery(),
        ),
        with_expression(
            User.reviews_anywhere, exists().where(ProgrammeReviewer.user_id == User.id)
        ),
        with_expression(
            User.asked_to_review,
            or_(
                exists().where(ProgrammeReviewer.user_id == User.id),
                exists().where(TopicReview.reviewer_id == User.id),
            ),
        ),
    )
)


def load_signed_in_user(session: Session, user_id: int, token: str) -> User | None:
    """The user a session cookie names, or None once the cookie is dead (signed out,
    password changed, deactivated). One round trip brings both membership lists, the
    unread inbox count and whether the user reviews (the header of every page, the
    dashboard) too: every request pays it."""
    user = session.execute(_SIGNED_IN, {"user_id": user_id}).unique().scalar()
    if user is None or not user.is_active or user.session_token != token:
        return None
    return user


def authenticate(session: Session, ctx: RequestContext, email: str, password: str) -> User | None:
    """Return the user if the password is right; audit the attempt either way."""
    user = find_user(session, email)
    stored = user.password_hash if user is not None and user.password_hash else _dummy_hash()
    try:
        ok: bool = _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None or not user.is_active or not user.password_hash:
        audit.record(
            session, user, "login.failed", user, ip=ctx.client_ip, email=normalise_email(email)
        )
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = utcnow()
    audit.record(session, user, "login", user, ip=ctx.client_ip)
    return user


def logout(session: Session, ctx: RequestContext) -> None:
    """Rotate the session token: every cookie issued before now stops working."""
    user = ctx.user
    user.session_token = new_session_token()
    audit.record(session, user, "logout", user, ip=ctx.client_ip)


def create_user(
    session: Session,
    ctx: RequestContext,
    *,
    email: str,
    name: str,
    role: str = "viewer",
    password: str | None = None,
) -> User:
    """Create an account (no actor in ``ctx`` means the command line, trusted)."""
    actor = ctx.actor
    if actor is not None and not policies.can_manage_users(actor):
        raise PermissionDenied("Only administrators can create accounts.")
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise InvalidInput("Enter a valid email address.", {"email": ["Not an email address."]})
    if role not in GLOBAL_ROLES:
        raise InvalidInput(f"Unknown role {role!r}; choose one of {', '.join(GLOBAL_ROLES)}.")
    if not name.strip():
        raise InvalidInput("A name is required.", {"name": ["Required."]})
    if find_user(session, email) is not None:
        raise Conflict(f"An account for {email} already exists.", {"email": ["Already taken."]})
    if password is not None:
        check_password_strength(password)
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        password_hash=hash_password(password) if password else None,
        email_verified_at=utcnow(),  # an administrator (or the command line) vouches for it
    )
    session.add(user)
    session.flush()
    contacts.link_contacts(session, user)
    audit.record(session, actor, "user.created", user, ip=ctx.client_ip, role=role)
    return user


def set_role(session: Session, ctx: RequestContext, user: User, role: str) -> None:
    actor = ctx.user
    if not policies.can_manage_users(actor):
        raise PermissionDenied("Only administrators can change roles.")
    if role not in GLOBAL_ROLES:
        raise InvalidInput(f"Unknown role {role!r}.")
    if user.id == actor.id and role != "admin":
        raise Conflict("You cannot remove your own administrator role.")
    old = user.role
    user.role = role
    user.session_token = new_session_token()
    audit.record(session, actor, "user.role_changed", user, ip=ctx.client_ip, old=old, new=role)


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _issue_token(session: Session, user: User, purpose: str, hours: int) -> str:
    raw = secrets.token_urlsafe(32)
    session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=_token_hash(raw),
            expires_at=utcnow() + timedelta(hours=hours),
        )
    )
    return raw


def invite_user(
    session: Session, ctx: RequestContext, *, email: str, name: str, role: str, hours: int = 48
) -> User:
    """Create an account without a password and email a single-use link to choose one."""
    actor = ctx.user
    user = create_user(session, ctx, email=email, name=name, role=role)
    raw = _issue_token(session, user, "invite", hours)
    link = ctx.link(f"/auth/token/{raw}")
    queue_email(
        session, user, "account.invite", "account_invite", link=link, inviter=actor, hours=hours
    )
    audit.record(session, actor, "user.invited", user, ip=ctx.client_ip)
    return user


def request_password_reset(
    session: Session, ctx: RequestContext, email: str, *, hours: int = 2
) -> None:
    """Email a reset link if the account exists; say nothing either way (no enumeration)."""
    user = find_user(session, email)
    if user is None or not user.is_active:
        audit.record(
            session, None, "password.reset_unknown", ip=ctx.client_ip, email=normalise_email(email)
        )
        return
    raw = _issue_token(session, user, "reset", hours)
    link = ctx.link(f"/auth/token/{raw}")
    queue_email(session, user, "account.reset", "password_reset", link=link, hours=hours)
    audit.record(session, user, "password.reset_requested", user, ip=ctx.client_ip)


def peek_token(session: Session, raw: str) -> AccountToken:
    """The valid token for ``raw``, or NotFound with the reason (used, expired, unknown)."""
    token = session.scalar(select(AccountToken).where(AccountToken.token_hash == _token_hash(raw)))
    if token is None:
        raise NotFound("This link is not valid. Ask for a new one.")
    if token.used_at is not None:
        raise Conflict("This link has already been used. Ask for a new one.")
    if token.expires_at <= utcnow():
        raise Conflict("This link has expired. Ask for a new one.")
    return token


def redeem_token(session: Session, ctx: RequestContext, raw: str, password: str) -> User:
    """Set the password from an invitation or reset link; the link then stops working."""
    token = peek_token(session, raw)
    check_password_strength(password)
    # Claim the token atomically so two simultaneous submits cannot both use it.
    claimed = (
        session.query(AccountToken)
        .filter(AccountToken.id == token.id, AccountToken.used_at.is_(None))
        .update({AccountToken.used_at: utcnow()}, synchronize_session=False)
    )
    if claimed != 1:
        raise Conflict("This link has already been used. Ask for a new one.")
    user = token.user
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    audit.record(session, user, f"password.set_by_{token.purpose}", user, ip=ctx.client_ip)
    return user


def change_password(session: Session, ctx: RequestContext, current: str, new: str) -> None:
    user = ctx.user
    try:
        ok = bool(user.password_hash) and _hasher.verify(user.password_hash or "", current)
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        raise InvalidInput(
            "Your current password is not right.",
            {"current_password": ["Your current password is not right."]},
        )
    check_password_strength(new)
    user.password_hash = hash_password(new)
    user.session_token = new_session_token()
    audit.record(session, user, "password.changed", user, ip=ctx.client_ip)


def rename(session: Session, ctx: RequestContext, name: str) -> None:
    user = ctx.user
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("A name of 1 to 200 characters is required.", {"name": ["Required."]})
    old = user.name
    user.name = name
    audit.record(session, user, "user.renamed", user, ip=ctx.client_ip, old=old, new=name)
