"""The associated-partner journey: apply (partner representative or admin), decide
(coordinator)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response

from services import policies
from services.core.errors import ServiceError
from services.pledges import partners
from services.topics import calls as call_service
from webapp.database import db
from webapp.helpers import context
from webapp.pagination import paginate
from webapp.pledges.blueprint import bp
from webapp.pledges.forms import ApplicationForm, DecisionForm
from webapp.refusals import form_status, refuse_form, refused


@bp.route("/applications", methods=["GET", "POST"])
def applications() -> ResponseReturnValue:
    deciding = policies.can_decide_applications(current_user)
    orgs = partners.applicant_organisations(db(), current_user)
    if not deciding and not orgs:
        abort(403, "Partner applications are made by partner representatives and admins.")
    form = ApplicationForm()
    form.organisation_id.choices = [(o.id, o.display_name) for o in orgs]
    form.programme_id.choices = [
        (p.id, f"{p.code} — {p.name}") for p in call_service.programmes(db())
    ]
    if form.validate_on_submit():
        try:
            partners.apply(
                db(),
                context(),
                organisation_id=form.organisation_id.data,
                programme_id=form.programme_id.data,
                partner_type=form.partner_type.data,
                motivation=form.motivation.data or "",
            )
        except ServiceError as exc:
            refuse_form(form, exc)
        else:
            flash("Application sent to the programme office.", "success")
            return redirect(url_for("pledges.applications"))
    shown = None if deciding else [o.id for o in orgs]
    page = paginate(partners.applications_listing(shown), db())
    return render_template(
        "pledges/applications.html",
        form=form if orgs else None,
        page=page,
        histories=partners.histories(db(), current_user, page.items),
        deciding=deciding,
        decision_form=DecisionForm(),
    ), form_status(form)


@bp.route("/applications/<int:application_id>/decide", methods=["POST"])
def decide(application_id: int) -> Response:
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400, "The form expired or was incomplete; reload the page and try again.")
    try:
        application = partners.decide(
            db(),
            context(),
            application_id,
            approve=form.decision.data == "approve",
            note=form.note.data or "",
        )
    except ServiceError as exc:
        return refused(exc, "pledges.applications")
    flash(f"Application {application.status}.", "success")
    return redirect(url_for("pledges.applications"))
