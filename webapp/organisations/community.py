"""A programme's lineage (admins edit it) and its community page with exports."""

from __future__ import annotations

from decimal import Decimal

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from services import policies
from services.core import exports
from services.core.errors import ServiceError
from services.organisations import lineage
from services.organisations.community import community, community_table
from services.topics import calls as call_service
from webapp.database import db
from webapp.helpers import context
from webapp.organisations.forms import LineageForm
from webapp.organisations.views import bp
from webapp.refusals import form_status, refuse_form

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _bars(tallies: list, attr: str) -> list[tuple[str, Decimal]]:
    return [(t.label, Decimal(getattr(t, attr))) for t in tallies]


@bp.route("/lineages")
def lineages() -> str:
    if not policies.can_edit_lineage(current_user):
        abort(403, "Programme lineages are edited by administrators.")
    programmes = call_service.programmes(db())
    forms = {p.id: LineageForm(lineage=p.lineage, prefix=f"p{p.id}") for p in programmes}
    return render_template("organisations/lineages.html", programmes=programmes, forms=forms)


@bp.route("/programmes/<int:programme_id>/lineage", methods=["POST"])
def edit_lineage(programme_id: int) -> tuple[str, int] | BaseResponse:
    if not policies.can_edit_lineage(current_user):
        abort(403, "Programme lineages are edited by administrators.")
    form = LineageForm(prefix=f"p{programme_id}")
    if form.validate_on_submit():
        try:
            text = form.lineage.data or ""
            programme = lineage.update_lineage(db(), context(), programme_id, text)
        except ServiceError as exc:
            refuse_form(form, exc)
        else:
            flash(f"Saved the lineage of {programme.code}.", "success")
            return redirect(url_for("organisations.lineages"))
    programmes = call_service.programmes(db())
    forms = {p.id: LineageForm(lineage=p.lineage, prefix=f"p{p.id}") for p in programmes}
    forms[programme_id] = form
    page = render_template("organisations/lineages.html", programmes=programmes, forms=forms)
    return page, form_status(form)


@bp.route("/programmes/<int:programme_id>/community")
def community_page(programme_id: int) -> str:
    data = community(db(), lineage.get_programme(db(), programme_id))
    return render_template(
        "organisations/community.html",
        data=data,
        sector_teams=_bars(data.sectors, "teams"),
        year_teams=_bars(data.years, "teams"),
        country_orgs=_bars(data.countries, "organisations"),
    )


@bp.route("/programmes/<int:programme_id>/community.<any(csv, xlsx):fmt>")
def community_export(programme_id: int, fmt: str) -> Response:
    programme = lineage.get_programme(db(), programme_id)
    table = community_table(community(db(), programme))
    name = f"{programme.code}-community.{fmt}".replace(" ", "_")
    if fmt == "csv":
        response = Response(exports.to_csv(table), mimetype="text/csv")
    else:
        response = Response(exports.to_xlsx(table), mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
