"""Small helpers shared by the blueprints."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, g, request
from flask_login import current_user

from models import User
from services import policies
from services.core.context import RequestContext
from services.operations import leases


def context(actor: User | None = None) -> RequestContext:
    """This request's context for a service: ``actor`` (the API's token user) or else the
    signed-in user, the client's address and the public URL for links."""
    if actor is None and current_user.is_authenticated:
        actor = current_user._get_current_object()
    return RequestContext(
        actor,
        client_ip=request.remote_addr or "",
        public_url=current_app.config["PUBLIC_URL"],
        invitation_expiry_days=current_app.config["SETTINGS"].invitation_expiry_days,
    )


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after sign-in (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def job_note(job: object) -> str:
    """What a job's page says of its lease: retried after a worker stopped, cancel asked."""
    note = leases.retry_note(job, current_app.config["SETTINGS"].job_max_tries)
    if getattr(job, "cancel_requested_at", None) and getattr(job, "status", "") != "cancelled":
        note = f"{note} Cancel asked: it stops at its next checkpoint.".strip()
    return note


def role_labels(user: User) -> list[str]:
    """``policies.role_labels`` once per user and request: the header and a page (the
    dashboard, a user's page) both name the roles, and the reviewer role is a query.
    The memo lives in ``g`` and is dropped when the request ends (``forget_role_labels``)."""
    memo: dict[int, list[str]] = g.setdefault("role_labels", {})
    if user.id not in memo:
        memo[user.id] = policies.role_labels(user)
    return memo[user.id]


def forget_role_labels(_exc: BaseException | None = None) -> None:
    """Teardown of every request: a test's outer app context keeps ``g`` across requests."""
    g.pop("role_labels", None)
