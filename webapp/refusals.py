"""How an HTML page answers a refused action: with the page, the reason and a status that
says nothing happened, never a redirect with a flash that a script would take for success.

The rule, for every form and every action button of the web app:

- success: 302 to the page that shows the result (post/redirect/get);
- a form whose fields fail their checks (WTForms or the service's ``InvalidInput``): the
  form again, its fields as typed, each error beside its field, **422**;
- the object's state forbids the action (``Conflict``): the page again with the reason,
  **409**;
- the action is not the person's to do (``PermissionDenied``) or the object is hidden
  (``NotFound``): the error page, **403** / **404** (the form is not theirs to see);
- a request that cannot be read at all (a missing or wrong CSRF token, a malformed JSON
  body, a body over the limit): the error page, **400** (413), before any view runs; a
  form field with a NUL byte is refused there too, as invalid input (422, webapp.guard).

Whatever the status, a refused action changes nothing: the session is rolled back before
the page is rendered (so it shows what is stored, not what the refused action flushed) and
the request's single commit point (webapp.database) never commits an answer of 400 or more.
The JSON API answers the same statuses as problem JSON (webapp.errors).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, g, make_response, render_template, request
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from services.core.errors import NotFound, PermissionDenied, ServiceError
from webapp.database import db
from webapp.errors import refusal_status


def raise_if_refused(exc: ServiceError) -> None:
    """Answer a refusal (403) or a hidden object (404) with the error page and its status."""
    if isinstance(exc, PermissionDenied | NotFound):
        raise exc


def _roll_back() -> None:
    db().rollback()
    g.rollback_only = True


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


def refuse_form(form: FlaskForm, exc: ServiceError) -> None:
    """Record the refusal of the action ``form`` asked for: roll back what it flushed, put
    the reason beside its fields (or at the top) and remember the status the page answers
    (``render_form``); 403 and 404 are raised (the error page)."""
    raise_if_refused(exc)
    _roll_back()
    form_errors_from(form, exc)
    g.refusal_status = refusal_status(exc)


def form_status(*forms: FlaskForm | None) -> int:
    """The status of a page with forms: a refusal's (``refuse_form``), else 422 when a
    submitted form failed its checks, else 200."""
    status = g.get("refusal_status")
    if status:
        return int(status)
    failed = any(f is not None and f.is_submitted() and (f.errors or f.form_errors) for f in forms)
    return 422 if failed else 200


def render_form(template: str, **context: Any) -> tuple[str, int]:
    """``render_template`` with the status of the forms it shows (``form_status``)."""
    forms = [value for value in context.values() if isinstance(value, FlaskForm)]
    return render_template(template, **context), form_status(*forms)


def refused(
    exc: ServiceError | str, endpoint: str, *, conflict: bool = False, **values: Any
) -> Response:
    """Answer a refused action with the page it was sent from, the reason, and a status
    that says nothing happened (the module's rule: 409 for the object's state, 422 for
    input; a refusal (403) or a hidden object (404) is raised).

    The page is the GET view ``endpoint`` rendered in this request (as a GET, so its forms
    start empty) after everything the action changed was rolled back; the reason is shown
    as an error message at the top. ``exc`` may be a message (``conflict`` picks 409).
    """
    if isinstance(exc, ServiceError):
        raise_if_refused(exc)
        message, status = exc.message, refusal_status(exc)
    else:
        message, status = exc, 409 if conflict else 422
    _roll_back()
    flash(message, "error")
    method = request.method
    request.method = "GET"  # the page as its GET shows it: forms unsubmitted
    try:
        response: Response = make_response(current_app.view_functions[endpoint](**values))
    finally:
        request.method = method
    response.status_code = status
    return response
