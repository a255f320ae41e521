"""Small helpers shared by the blueprints."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request
from flask_login import current_user
from flask_wtf import FlaskForm

from models import User
from services.core.context import RequestContext
from services.core.errors import NotFound, PermissionDenied, ServiceError
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


def form_errors_from(form: FlaskForm, exc: ServiceError) -> None:
    """Show a service error beside the fields it names, or at the top of the form."""
    placed = False
    for name, messages in exc.field_errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors) + list(messages)
            placed = True
    if not placed or not exc.field_errors:
        form.form_errors.append(exc.message)


def raise_if_refused(exc: ServiceError) -> None:
    """Answer a refusal (403) or a hidden object (404) with its status instead of a flash.

    A flashed message after a redirect looks like success to a script and to the
    authorization matrix test; the status says plainly that nothing happened.
    """
    if isinstance(exc, PermissionDenied | NotFound):
        raise exc


def job_note(job: object) -> str:
    """What a job's page says of its lease: retried after a worker stopped, cancel asked."""
    note = leases.retry_note(job, current_app.config["SETTINGS"].job_max_tries)
    if getattr(job, "cancel_requested_at", None) and getattr(job, "status", "") != "cancelled":
        note = f"{note} Cancel asked: it stops at its next checkpoint.".strip()
    return note
