from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from models import Topic
from services import policies
from services.consortia import expertise_index as matching_index
from services.consortia import invitations, params
from services.consortia import match_requests as consortia
from services.consortia import review as consortium_review
from services.core.errors import ServiceError
from webapp.consortia.forms import SECTOR_FIELDS, ActionForm, RequestForm
from webapp.database import db
from webapp.helpers import context, form_errors_from, raise_if_refused
from webapp.pagination import paginate

bp = Blueprint("consortia", __name__, url_prefix="/consortia")


@bp.before_request
@login_required
def _signed_in() -> None:
    return None


def _instance():  # type: ignore[no-untyped-def]
    return current_app.config["SETTINGS"].instance_path




@bp.route("/")
def index() -> str:
    if not (policies.is_coordinator(current_user) or policies.is_sgg_member(current_user)):
        return render_template("consortia/index.html", page=None, status=None)
    topic_id = request.args.get("topic_id", type=int)
    page = paginate(consortia.visible_requests(db(), current_user, topic_id), db())
    status = matching_index.status_summary(db()) if policies.is_admin(current_user) else None
    return render_template("consortia/index.html", page=page, status=status, topic_id=topic_id)


@bp.route("/new", methods=["GET", "POST"])
def new() -> str | Response:
    topic_id = request.args.get("topic_id", type=int) or request.form.get("topic_id", type=int)
    if topic_id is None:
        abort(404, "Choose a topic first: open it and follow 'Request consortium suggestions'.")
    topic = consortia.get_topic(db(), current_user, topic_id)
    form = RequestForm()
    if request.method == "GET":
        form.fill(params.default_params(topic))
    if form.validate_on_submit():
        try:
            req, reused = consortia.request_match(db(), context(), topic.id, form.raw_params())
        except ServiceError as exc:
            form_errors_from(form, exc)
            form.form_errors.extend(exc.field_errors.get("sector_counts", []))  # no one field
        else:
            if reused:
                flash("The same request was made before: here is its stored result.", "info")
            else:
                flash("Suggestions requested; they are being computed.", "success")
            return redirect(url_for("consortia.show", request_id=req.id))
    return render_template(
        "consortia/new.html", form=form, topic=topic, sector_fields=SECTOR_FIELDS
    )


def _page_context(request_id: int) -> dict:
    rv = consortium_review.review(db(), current_user, request_id)
    req = rv.request
    invs = invitations.invitations_of(db(), req) if req.finalised_at else {}
    offers = {
        m.id: consortium_review.alternates_of(db(), m)
        for m in rv.out + rv.members
        if (m.status == "declined" or (invs.get(m.id) and invs[m.id].status == "no_contact"))
        and not (m.explanation or {}).get("replaced_by")
    }
    alt_ids = [int(a[0]) for m in rv.members for a in (m.explanation or {}).get("alternates", [])]
    others = consortia.requests_of_topic(db(), current_user, req.topic_id)
    return {
        "rv": rv,
        "req": req,
        "invs": invs,
        "offers": offers,
        "names": consortium_review.organisation_names(db(), alt_ids),
        "others": [o for o in others if o.id != req.id and o.status == "done"],
        "action": ActionForm(),
        "can_edit": policies.can_edit_match(current_user, req) and req.status == "done",
        "can_finalise": policies.can_finalise_match(current_user, req) and req.finalised_at is None,
        "can_invite": policies.can_invite_alternate(current_user, req),
    }


@bp.route("/<int:request_id>")
def show(request_id: int) -> str:
    ctx = _page_context(request_id)
    q = request.args.get("q", "")
    ctx["q"] = q
    ctx["found"] = consortium_review.search_organisations(db(), q) if ctx["can_edit"] else []
    return render_template("consortia/show.html", **ctx)


@bp.route("/<int:request_id>/progress")
def progress(request_id: int) -> str | Response:
    req = consortia.get_request(db(), current_user, request_id)
    response = Response(render_template("consortia/_progress.html", req=req))
    if req.status in ("done", "failed"):
        response.headers["HX-Refresh"] = "true"
    return response


def _act(request_id: int, fn, ok: str) -> Response:  # type: ignore[no-untyped-def]
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    try:
        fn()
    except ServiceError as exc:
        raise_if_refused(exc)
        g.rollback_only = True  # nothing of a refused action is kept
        flash(exc.message, "error")
    else:
        flash(ok, "success")
    return redirect(url_for("consortia.show", request_id=request_id))


@bp.post("/<int:request_id>/members/<int:member_id>/<action>")
def member_action(request_id: int, member_id: int, action: str) -> Response:
    if action not in ("lock", "unlock", "remove", "restore"):
        abort(404)
    return _act(
        request_id,
        lambda: consortium_review.set_status(db(), context(), request_id, member_id, action),
        f"Member {action}ed; the checks are updated.",
    )


def _org_id() -> int:
    value = request.form.get("organisation_id", type=int)
    if value is None:
        abort(400, "Choose an organisation.")
    return value


@bp.post("/<int:request_id>/members/<int:member_id>/swap")
def swap(request_id: int, member_id: int) -> Response:
    org_id = _org_id()
    return _act(
        request_id,
        lambda: consortium_review.swap(db(), context(), request_id, member_id, org_id, _instance()),
        "Member swapped; scores and checks are updated.",
    )


@bp.post("/<int:request_id>/add")
def add(request_id: int) -> Response:
    org_id = _org_id()
    replace = request.form.get("replace", type=int)
    if replace:
        return swap(request_id, replace)
    return _act(
        request_id,
        lambda: consortium_review.add(db(), context(), request_id, org_id, _instance()),
        "Organisation added; scores and checks are updated.",
    )


@bp.post("/<int:request_id>/reoptimise")
def reoptimise(request_id: int) -> Response:
    return _act(
        request_id,
        lambda: consortium_review.reoptimise(db(), context(), request_id, _instance()),
        "Seats refilled around your locked and chosen members.",
    )


@bp.post("/<int:request_id>/rerun")
def rerun(request_id: int) -> Response:
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    req = consortia.get_request(db(), current_user, request_id)
    params = {k: v for k, v in req.params.items() if k != "query"}
    try:
        new, reused = consortia.request_match(db(), context(), req.topic_id, params)
    except ServiceError as exc:
        raise_if_refused(exc)
        flash(exc.message, "error")
        return redirect(url_for("consortia.show", request_id=request_id))
    flash(
        "Same inputs as a stored result: nothing recomputed."
        if reused
        else "Inputs changed (topic text or expertise index): computing a new suggestion.",
        "info",
    )
    return redirect(url_for("consortia.show", request_id=new.id))


@bp.post("/<int:request_id>/finalise")
def finalise(request_id: int) -> Response:
    return _act(
        request_id,
        lambda: invitations.finalise(db(), context(), request_id),
        "Consortium finalised; invitations sent.",
    )


@bp.post("/<int:request_id>/members/<int:member_id>/invite-alternate")
def invite_alternate(request_id: int, member_id: int) -> Response:
    org_id = _org_id()
    return _act(
        request_id,
        lambda: invitations.invite_alternate(db(), context(), request_id, member_id, org_id),
        "The alternate is invited.",
    )


@bp.route("/compare")
def compare() -> str:
    a, b = request.args.get("a", type=int), request.args.get("b", type=int)
    if a is None or b is None:
        abort(400, "Choose two suggestions to compare.")
    cmp = consortium_review.compare(db(), current_user, a, b)
    return render_template("consortia/compare.html", cmp=cmp)


@bp.route("/invitations")
def my_invitations() -> str:
    return render_template(
        "consortia/invitations.html", invitations=invitations.my_invitations(db(), current_user)
    )


@bp.route("/invitations/<int:invitation_id>")
def invitation(invitation_id: int) -> str:
    inv = invitations.get_invitation(db(), current_user, invitation_id)
    return render_template(
        "consortia/invitation.html",
        inv=inv,
        action=ActionForm(),
        can_respond=policies.can_respond_invitation(current_user, inv) and inv.status == "sent",
    )


@bp.post("/invitations/<int:invitation_id>/<answer>")
def respond(invitation_id: int, answer: str) -> Response:
    if answer not in ("accept", "decline"):
        abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    try:
        inv = invitations.respond(db(), context(), invitation_id, answer == "accept")
    except ServiceError as exc:
        raise_if_refused(exc)
        flash(exc.message, "error")
    else:
        flash(f"Invitation {inv.status}.", "success")
    return redirect(url_for("consortia.invitation", invitation_id=invitation_id))


@bp.route("/expertise-index", methods=["GET", "POST"])
def expertise_index() -> str | Response:
    if not policies.can_build_index(current_user):
        abort(403, "This page is for administrators.")
    form = ActionForm()
    if form.validate_on_submit():
        version = matching_index.request_build(db(), context(), "admin button")
        flash(f"Index build {version.id} queued.", "success")
        return redirect(url_for("consortia.expertise_index"))
    return render_template(
        "consortia/expertise_index.html",
        status=matching_index.status_summary(db()),
        versions=matching_index.recent_versions(db()),
        form=form,
    )


@bp.app_template_global()
def topic_match_link(topic: Topic) -> str | None:
    """The URL of 'Request consortium suggestions' for a topic, if the user may use it."""
    if policies.can_request_match(current_user, topic):
        return url_for("consortia.new", topic_id=topic.id)
    return None
