"""A partner's pledges: list, create, edit, submit, withdraw; coordinators decide."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response

from models import Organisation, Pledge
from models.pledges import BREAKDOWN_FIELDS
from services import policies
from services.core.errors import ServiceError
from services.pledges import decisions as pledge_decisions
from services.pledges import lifecycle as pledges
from services.pledges import partners, topic_picker
from services.pledges.funding import partner_funding
from webapp.database import db
from webapp.helpers import context
from webapp.pledges.blueprint import bp
from webapp.pledges.forms import ActionForm, PledgeForm, ReasonForm
from webapp.refusals import refuse_form, refused, render_form

FORM_FIELDS = (
    "kind",
    "amount",
    "personnel",
    "consumables",
    "equipment",
    "samples",
    "subcontracting",
    "other",
    "third_country_costs",
    "entity",
    "affiliated_entity",
    "start_year",
    "end_year",
    "note",
)


def _my_orgs() -> list[Organisation]:
    return partners.represented_organisations(db(), current_user)


@bp.route("/")
def mine() -> str:
    if not policies.is_partner_rep(current_user):
        abort(403, "This page lists the pledges of organisations you represent.")
    summaries = [partner_funding(db(), org) for org in _my_orgs()]
    return render_template("pledges/mine.html", summaries=summaries)


def _form_data(form: PledgeForm) -> dict[str, Any]:
    return {name: getattr(form, name).data for name in FORM_FIELDS}


def _fill_choices(form: PledgeForm, orgs: list[Organisation]) -> None:
    form.organisation_id.choices = [(o.id, o.display_name) for o in orgs]


def _topic_menu(form: PledgeForm, orgs: list[Organisation]) -> topic_picker.TopicPicker:
    """The topic menu (``services.pledges.topic_picker``): on a GET the ``?topic_q=`` search
    with the ``?topic_id=`` topic chosen; on a POST the topic sent, offered (and so accepted
    by the field) only if ``orgs`` may pledge to it."""
    args = request.form if request.method == "POST" else request.args
    chosen = topic_picker.topic_id(args.get("topic_id"))
    query = "" if request.method == "POST" else args.get("topic_q", "")
    picker = topic_picker.topic_picker(db(), orgs, query, chosen)
    form.topic_id.choices = picker.choices
    if request.method == "GET" and chosen is not None:
        form.topic_id.data = chosen
    return picker


def _wants_menu_alone() -> bool:
    """htmx asking for the topic menu as one types; not its history restore, which needs
    the whole page (the URL is the page's own)."""
    headers = request.headers
    return (
        request.method == "GET"
        and bool(headers.get("HX-Request"))
        and not headers.get("HX-History-Restore-Request")
    )


@bp.route("/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    """A new draft pledge. The topic menu offers the first topics and a search (as one
    types with htmx, which asks this page for the menu alone; a plain GET without)."""
    orgs = [o for o in _my_orgs() if policies.can_pledge_for(current_user, o)]
    if not orgs:
        abort(403, "Only partner representatives pledge, for the organisations they represent.")
    form = PledgeForm()
    _fill_choices(form, orgs)
    picker = _topic_menu(form, orgs)
    if _wants_menu_alone():
        menu = render_template("pledges/_topic_menu.html", form=form, picker=picker)
        return menu, 200, {"Vary": "HX-Request"}
    if form.validate_on_submit():
        try:
            pledge = pledges.create_pledge(
                db(),
                context(),
                topic_id=form.topic_id.data,
                organisation_id=form.organisation_id.data,
                data=_form_data(form),
            )
        except ServiceError as exc:
            refuse_form(form, exc)
        else:
            flash("Draft pledge saved. Submit it when it is ready.", "success")
            return redirect(url_for("pledges.detail", pledge_id=pledge.id))
    return render_form("pledges/form.html", form=form, pledge=None, picker=picker)


def _pledge(pledge_id: int) -> Pledge:
    try:
        return pledges.get_pledge(db(), current_user, pledge_id)
    except ServiceError as exc:
        abort(exc.status, exc.message)


@bp.route("/<int:pledge_id>")
def detail(pledge_id: int) -> str:
    pledge = _pledge(pledge_id)
    history = pledges.history(db(), current_user, pledge)
    return render_template(
        "pledges/detail.html",
        pledge=pledge,
        history=history,
        action_form=ActionForm(),
        reason_form=ReasonForm(),
        can_act=policies.can_pledge_for(current_user, pledge.organisation_id),
        can_decide=policies.can_decide_pledges(current_user),
    )


@bp.route("/<int:pledge_id>/edit", methods=["GET", "POST"])
def edit(pledge_id: int) -> ResponseReturnValue:
    pledge = _pledge(pledge_id)
    if not policies.can_pledge_for(current_user, pledge.organisation_id):
        abort(403, "Only the organisation's partner representative edits its pledge.")
    if pledge.status != "draft":
        abort(409, f"Only draft pledges can be edited; this one is {pledge.status}.")
    form = PledgeForm(obj=pledge if request.method == "GET" else None)
    _fill_choices(form, [pledge.organisation])
    form.topic_id.choices = [(pledge.topic_id, pledge.topic.title)]
    form.topic_id.data, form.organisation_id.data = pledge.topic_id, pledge.organisation_id
    if request.method == "GET":
        form.entity.data = "affiliated" if pledge.contributing_entity else "self"
        form.affiliated_entity.data = pledge.contributing_entity
        for name in ("amount", "third_country_costs", *BREAKDOWN_FIELDS):
            value = getattr(pledge, name)
            getattr(form, name).data = "" if value is None else f"{value:.2f}"
    if form.validate_on_submit():
        try:
            pledges.update_pledge(db(), context(), pledge, _form_data(form))
        except ServiceError as exc:
            refuse_form(form, exc)
        else:
            flash("Pledge updated.", "success")
            return redirect(url_for("pledges.detail", pledge_id=pledge.id))
    return render_form("pledges/form.html", form=form, pledge=pledge)


def _act(pledge_id: int, action: str) -> Response:
    """Run one state change from a button; the message (or warnings) comes back as a flash,
    a refusal as the pledge page with the reason (409/422)."""
    pledge = _pledge(pledge_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400, "The form expired or was incomplete; reload the page and try again.")
    reason = form.reason.data or ""
    session = db()
    try:
        if action == "submit":
            pledges.submit_pledge(session, context(), pledge)
            flash("Pledge submitted to the programme office.", "success")
        elif action == "withdraw":
            pledges.withdraw_pledge(session, context(), pledge, reason=reason)
            flash("Pledge withdrawn.", "success")
        elif action == "confirm":
            decision = pledge_decisions.confirm_pledge(session, context(), pledge.id)
            flash(f"Pledge confirmed; EU match EUR {decision.pledge.eu_match:,.2f}.", "success")
            for warning in decision.warnings:
                flash(f"Warning: {warning}", "warning")
        else:
            pledge_decisions.reject_pledge(session, context(), pledge.id, reason=reason)
            flash("Pledge rejected.", "success")
    except ServiceError as exc:
        return refused(exc, "pledges.detail", pledge_id=pledge_id)
    return redirect(url_for("pledges.detail", pledge_id=pledge_id))


@bp.route("/<int:pledge_id>/submit", methods=["POST"])
def submit(pledge_id: int) -> Response:
    return _act(pledge_id, "submit")


@bp.route("/<int:pledge_id>/withdraw", methods=["POST"])
def withdraw(pledge_id: int) -> Response:
    return _act(pledge_id, "withdraw")


@bp.route("/<int:pledge_id>/confirm", methods=["POST"])
def confirm(pledge_id: int) -> Response:
    return _act(pledge_id, "confirm")


@bp.route("/<int:pledge_id>/reject", methods=["POST"])
def reject(pledge_id: int) -> Response:
    return _act(pledge_id, "reject")
