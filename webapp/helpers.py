"""Small helpers shared by the blueprints."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, flash, g, make_response, request
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from models import User
from services.core.context import RequestContext
from services.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from services.operations import leases
from webapp.database import db


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


def refused(
    exc: ServiceError | str, endpoint: str, *, conflict: bool = False, **values: Any
) -> Response:
    """Answer a refused action with the page it was sent from, the reason, and a status
    that says nothing happened: 409 when the object's state forbids it (``Conflict``), 422
    for input the action cannot take; a refusal (403) or a hidden object (404) is raised.

    The page is the GET view ``endpoint`` rendered in this request (as a GET, so its forms
    start empty) after everything the action changed was rolled back; the reason is shown
    as an error message at the top. ``exc`` may be a message (``conflict`` picks 409).
    """
    if isinstance(exc, ServiceError):
        raise_if_refused(exc)
        message, conflict = exc.message, isinstance(exc, Conflict)
    else:
        message = exc
    db().rollback()
    g.rollback_only = True
    flash(message, "error")
    method = request.method
    request.method = "GET"  # the page as its GET shows it: forms unsubmitted
    try:
        response: Response = make_response(current_app.view_functions[endpoint](**values))
    finally:
        request.method = method
    response.status_code = 409 if conflict else 422
    return response
