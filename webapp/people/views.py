"""Contacts of an organisation and join requests: parse the form, call one service, redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from models import JoinRequest
from services import policies
from services.core.errors import PermissionDenied, ServiceError
from services.organisations import contacts
from services.organisations import join_requests as joins
from services.organisations import profiles as orgs
from services.organisations import search as orgsearch
from services.organisations.contacts_csv import ContactImportRefused, import_contacts
from webapp.database import db
from webapp.helpers import context
from webapp.pagination import paginate
from webapp.people.forms import (
    ApproveForm,
    ContactForm,
    ContactImportForm,
    JoinForm,
    RefuseForm,
)
from webapp.refusals import refuse_form, refused, render_form

bp = Blueprint("people", __name__)


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here needs an account."""


def _back(org_id: int) -> Response:
    return redirect(url_for("organisations.show", org_id=org_id) + "#people")


def _require_manager(org_id: int) -> None:
    if not policies.can_manage_contacts(current_user, org_id):
        raise PermissionDenied("You cannot change the contacts of this organisation.")


# -- contacts ----------------------------------------------------------------------------


@bp.route("/organisations/<int:org_id>/contacts/new", methods=["GET", "POST"])
def add_contact(org_id: int) -> tuple[str, int] | Response:
    org = orgs.get(db(), org_id)
    _require_manager(org.id)
    form = ContactForm()
    if form.validate_on_submit():
        try:
            contact = contacts.add_contact(
                db(),
                context(),
                org.id,
                name=form.name.data or "",
                email=form.email.data or "",
                function=form.function.data or "",
            )
        except ServiceError as exc:
            refuse_form(form, exc)
        else:
            flash(f"{contact.name} is now a contact of {org.display_name}.", "success")
            return _back(org.id)
    return render_form("people/contact_form.html", org=org, form=form, contact=None)


@bp.route("/organisations/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
def edit_contact(contact_id: int) -> tuple[str, int] | Response:
    contact = contacts.get_contact(db(), current_user, contact_id)
    _require_manager(contact.organisation_id)
    form = ContactForm(obj=contact)
    form.submit.label.text = "Save"
    if form.validate_on_submit():
        try:
            contacts.edit_contact(
                db(),
                context(),
                contact.id,
                name=form.name.data or "",
                email=form.email.data or "",
                function=form.function.data or "",
            )
        except ServiceError as exc:
            refuse_form(form, exc)
        else:
            flash("Contact saved.", "success")
            return _back(contact.organisation_id)
    return render_form(
        "people/contact_form.html", org=contact.organisation, form=form, contact=contact
    )


@bp.route("/organisations/contacts/<int:contact_id>/remove", methods=["POST"])
def remove_contact(contact_id: int) -> Response:
    contact = contacts.get_contact(db(), current_user, contact_id)
    org_id, name = contact.organisation_id, contact.name
    contacts.remove_contact(db(), context(), contact.id)
    flash(f"{name} is no longer a contact.", "success")
    return _back(org_id)


@bp.route("/organisations/<int:org_id>/contacts/import", methods=["GET", "POST"])
def import_file(org_id: int) -> tuple[str, int] | Response:
    org = orgs.get(db(), org_id)
    _require_manager(org.id)
    form = ContactImportForm()
    errors = []
    if form.validate_on_submit():
        try:
            report = import_contacts(db(), context(), form.file.data.read(), organisation_id=org.id)
        except ContactImportRefused as exc:
            refuse_form(form, exc)
            errors = exc.errors
        except ServiceError as exc:
            refuse_form(form, exc)
        else:
            flash(
                f"Imported {report.added} contact(s); {report.known} already known "
                f"left as they were.",
                "success",
            )
            return _back(org.id)
    return render_form("people/import.html", org=org, form=form, errors=errors)


# -- join requests -----------------------------------------------------------------------


@bp.route("/join")
def join_start() -> str:
    """Find your organisation by name or PIC, then ask to join it."""
    name, pic = request.args.get("q", "")[:200], request.args.get("pic", "")[:20]
    page = None
    if name.strip() or pic.strip():
        query = orgsearch.OrgQuery(name=name, pic=pic)
        page = paginate(orgsearch.search(db(), query), db(), per_page=20)
    return render_template(
        "people/join_start.html",
        page=page,
        q=name,
        pic=pic,
        mine=joins.requests_of(db(), current_user),
    )


@bp.route("/organisations/<int:org_id>/join", methods=["GET", "POST"])
def join(org_id: int) -> tuple[str, int] | Response:
    org = orgs.get(db(), org_id)
    form = JoinForm()
    if form.validate_on_submit():
        try:
            joins.request_to_join(db(), context(), org.id, form.note.data or "")
        except ServiceError as exc:
            refuse_form(form, exc)
        else:
            flash(
                f"Your request to join {org.display_name} is sent; you will be told the answer.",
                "success",
            )
            return redirect(url_for("people.join_start"))
    return render_form("people/join.html", org=org, form=form)


@bp.route("/organisations/join-requests")
def join_requests() -> str:
    pending = joins.pending_for(db(), current_user)
    return render_template(
        "people/join_requests.html",
        pending=[(jr, joins.evidence(db(), jr)) for jr in pending],
        mine=joins.requests_of(db(), current_user),
        approve_form=ApproveForm(formdata=None),
        refuse_form=RefuseForm(formdata=None),
    )


def _decidable(request_id: int) -> JoinRequest:
    """The request if the viewer decides it: 404 for strangers, 403 for the requester."""
    jr = joins.get_request(db(), current_user, request_id)
    if not policies.can_decide_join_requests(current_user, jr.organisation_id):
        raise PermissionDenied("Only its partner representatives or a coordinator decide.")
    return jr


def _decide(form: Any, act: Callable[[], object], done: str, missing: str) -> Response:
    """Approve or refuse from the pending page; a refusal answers 409/422 with that page."""
    if not form.validate_on_submit():
        return refused(missing, "people.join_requests")
    try:
        act()
    except ServiceError as exc:
        return refused(exc, "people.join_requests")
    flash(done, "success")
    return redirect(url_for("people.join_requests"))


@bp.route("/organisations/join-requests/<int:request_id>/approve", methods=["POST"])
def approve(request_id: int) -> Response:
    form, jr = ApproveForm(), _decidable(request_id)
    return _decide(
        form,
        lambda: joins.approve(db(), context(), jr.id, form.role.data or "applicant"),
        f"{jr.user.name} now acts for {jr.organisation.display_name}.",
        "Choose a role.",
    )


@bp.route("/organisations/join-requests/<int:request_id>/refuse", methods=["POST"])
def refuse(request_id: int) -> Response:
    form, jr = RefuseForm(), _decidable(request_id)
    return _decide(
        form,
        lambda: joins.refuse(db(), context(), jr.id, form.reason.data or ""),
        f"The request of {jr.user.name} is refused; they are told why.",
        "Give a reason for the refusal.",
    )
