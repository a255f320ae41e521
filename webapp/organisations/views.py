from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename
from werkzeug.wrappers import Response

from models import ImportRun, Organisation
from models.countries import country_name
from models.organisations import SECTOR_LABELS
from services import policies
from services.core.errors import ServiceError
from services.organisations import cordis_import, involvement, lineage
from services.organisations import profiles as orgs
from services.organisations import search as orgsearch
from webapp.consortia.forms import ActionForm
from webapp.database import db
from webapp.helpers import context
from webapp.organisations.forms import ImportForm, MergeForm, OrganisationForm
from webapp.pagination import page_args, paginate
from webapp.people.panel import panel_context
from webapp.refusals import refuse_form, refused, render_form

bp = Blueprint("organisations", __name__, url_prefix="/organisations")


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here needs an account."""


def _admin_only() -> None:
    if not policies.is_admin(current_user):
        abort(403, "This page is for administrators.")


def _query_from_args() -> orgsearch.OrgQuery:
    args = request.args
    sme = {"yes": True, "no": False}.get(args.get("sme", ""))
    sort = args.get("sort", "relevance")
    lineage_id = args.get("lineage", "")
    return orgsearch.OrgQuery(
        name=args.get("q", "")[:200],
        pic=args.get("pic", "")[:20],
        country=args.get("country", "")[:80],
        sector=args.get("sector", ""),
        sme=sme,
        text=args.get("text", "")[:200],
        sort=sort if sort in orgsearch.SORTS else "relevance",
        lineage=int(lineage_id) if lineage_id.isdigit() and len(lineage_id) < 10 else None,
    )


@bp.route("/")
def index() -> str:
    query = _query_from_args()
    page = paginate(orgsearch.search(db(), query), db())
    counts = orgsearch.participation_counts(db(), [o.id for o in page.items])
    programmes = lineage.with_lineage(db())
    shown = next((p for p in programmes if p.id == query.lineage), None)
    shown = shown or (programmes[0] if programmes else None)
    histories = (
        lineage.histories(db(), lineage.prefixes(shown), [o.id for o in page.items])
        if shown is not None
        else {}
    )
    return render_template(
        "organisations/index.html",
        page=page,
        query=query,
        counts=counts,
        programmes=programmes,
        shown=shown,
        histories=histories,
        sectors=SECTOR_LABELS,
        sorts=orgsearch.SORTS,
        country_name=country_name,
    )


def _org_or_404(org_id: int) -> Organisation:
    return orgs.get(db(), org_id)


@bp.route("/<int:org_id>")
def show(org_id: int) -> str | Response:
    org, totals = orgs.with_totals(db(), org_id)
    if org.merged_into_id is not None:
        flash(f"{org.legal_name} was merged into this organisation.", "info")
        return redirect(url_for("organisations.show", org_id=org.merged_into_id))
    page, per_page = page_args(20)
    history = orgs.history_page(db(), org.id, page, per_page, totals["participations"])
    similar = orgs.similar_organisations(db(), org) if policies.is_admin(current_user) else []
    return render_template(
        "organisations/show.html",
        org=org,
        history=history,
        totals=totals,
        collaborators=orgs.collaborators(db(), org.id),
        involvement=involvement.involvement(db(), current_user, org.id, involvement.PROFILE_SHOWN),
        lineages=[
            (p, lineage.histories(db(), lineage.prefixes(p), [org.id]).get(org.id))
            for p in lineage.with_lineage(db())
        ],
        similar=similar,
        can_edit=policies.can_edit_organisation(current_user, org),
        merge_form=MergeForm() if similar else None,  # only the duplicates' buttons use it
        sectors=SECTOR_LABELS,
        country_name=country_name,
        **panel_context(org),
    )


@bp.route("/<int:org_id>/involvement")
def involvement_page(org_id: int) -> str | Response:
    org = _org_or_404(org_id)
    if org.merged_into_id is not None:
        return redirect(url_for("organisations.involvement_page", org_id=org.merged_into_id))
    return render_template(
        "organisations/involvement.html",
        org=org,
        involvement=involvement.involvement(db(), current_user, org.id),
        shown=involvement.INVOLVEMENT_SHOWN,
    )


@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
def edit(org_id: int) -> tuple[str, int] | Response:
    org = _org_or_404(org_id)
    allowed = policies.organisation_fields_editable(current_user, org)
    if not allowed:
        abort(403, "You cannot edit this organisation.")
    form = OrganisationForm(obj=org)
    for name in policies.ORG_OFFICE_FIELDS + policies.ORG_DESCRIPTIVE_FIELDS:
        if name not in allowed:
            del form[name]  # neither shown nor validated nor passed on
    if request.method == "GET" and "partner_type" in allowed:
        form.partner_type.data = org.partner_type or ""
    if form.validate_on_submit():
        data = {name: getattr(form, name).data for name in allowed}
        try:
            changed = orgs.update_profile(db(), context(), org, data)
        except ServiceError as exc:
            refuse_form(form, exc)
        else:
            flash("Saved." if changed else "Nothing changed.", "success")
            return redirect(url_for("organisations.show", org_id=org.id))
    return render_form("organisations/edit.html", org=org, form=form, allowed=allowed)


# -- imports ---------------------------------------------------------------------------------


def _save_upload(upload: FileStorage, folder: Path, default: str) -> Path:
    folder.mkdir(parents=True)
    path = folder / (secure_filename(upload.filename or "") or default)
    upload.save(path)
    return path


@bp.route("/imports", methods=["GET", "POST"])
def imports() -> tuple[str, int] | Response:
    _admin_only()
    form = ImportForm()
    if form.validate_on_submit():
        folder = Path(current_app.instance_path) / "imports" / uuid.uuid4().hex
        projects = _save_upload(form.projects.data, folder / "projects", "project.csv")
        upload = form.organisations.data
        given = isinstance(upload, FileStorage) and bool(upload.filename)
        organisations = (
            _save_upload(upload, folder / "organisations", "organization.csv")
            if given
            else projects  # one zip holds both
        )
        try:
            run = cordis_import.queue_import(
                db(),
                context(),
                projects,
                organisations,
                projects_name=form.projects.data.filename or "",
                organisations_name=upload.filename if given else "",
            )
        except ServiceError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            refuse_form(form, exc)
        else:
            flash("The import has started.", "success")
            return redirect(url_for("organisations.import_run", run_id=run.id))
    runs = paginate(cordis_import.listing(), db(), per_page=20)
    return render_form("organisations/imports.html", form=form, runs=runs)


def _run_or_404(run_id: int) -> ImportRun:
    return cordis_import.get_run(db(), run_id)


def _run_context(run: ImportRun) -> dict[str, object]:
    issues = cordis_import.skipped_rows(db(), run, 500) if run.finished else []
    return {
        "run": run,
        "issues": issues,
        "labels": cordis_import.COUNT_LABELS,
        "action": ActionForm(),
    }


@bp.route("/imports/<int:run_id>")
def import_run(run_id: int) -> str:
    _admin_only()
    return render_template("organisations/import_run.html", **_run_context(_run_or_404(run_id)))


@bp.route("/imports/<int:run_id>/status")
def import_status(run_id: int) -> str:
    """The progress and, once finished, the report (polled by htmx)."""
    _admin_only()
    return render_template("organisations/_run_status.html", **_run_context(_run_or_404(run_id)))


@bp.post("/imports/<int:run_id>/cancel")
def cancel_import(run_id: int) -> Response:
    _admin_only()
    if not ActionForm().validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    try:
        run = cordis_import.cancel_import(db(), context(), run_id)
    except ServiceError as exc:
        return refused(exc, "organisations.import_run", run_id=run_id)
    done = run.status == "cancelled"
    flash("Import cancelled." if done else "Cancel asked: the import stops after its "
          "current batch; what it imported is kept.", "success")  # fmt: skip
    return redirect(url_for("organisations.import_run", run_id=run_id))


# -- duplicates ------------------------------------------------------------------------------


@bp.route("/duplicates")
def duplicates() -> str:
    _admin_only()
    groups = orgs.duplicate_groups(db())
    counts = orgsearch.participation_counts(db(), [o.id for g in groups for o in g.organisations])
    return render_template(
        "organisations/duplicates.html", groups=groups, counts=counts, form=MergeForm()
    )


@bp.route("/merge", methods=["POST"])
def merge() -> Response:
    _admin_only()
    form = MergeForm()
    if not form.validate_on_submit():
        abort(400, "Choose the two organisations to merge.")
    try:
        keep_id, drop_id = int(form.keep_id.data), int(form.drop_id.data)
    except (TypeError, ValueError):
        abort(400, "Choose the two organisations to merge.")
    details = orgs.merge(db(), context(), keep_id, drop_id)
    flash(
        f"Merged: {details['merged']['legal_name']} now points here "
        f"({details['participations']['moved']} participations moved).",
        "success",
    )
    return redirect(url_for("organisations.show", org_id=keep_id))
