from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
from werkzeug.wrappers import Response

from models import Invitation, Topic
from services import policies
from services.consortia import expertise_index as matching_index
from services.consortia import interest, invitation_page, invitations, invitees, jobs, params, seats
from services.consortia import match_requests as consortia
from services.consortia import review as consortium_review
from services.consortia import timeline as consortium_timeline
from services.core.errors import NotFound, ServiceError
from webapp.consortia import picker
from webapp.consortia.forms import (
    SECTOR_FIELDS,
    ActionForm,
    ContactForm,
    DeclineForm,
    RequestForm,
    SeatForm,
)
from webapp.database import db
from webapp.helpers import context
from webapp.pagination import paginate
from webapp.refusals import refuse_form, refused, render_form
from webapp.routing import optional_int

bp = Blueprint("consortia", __name__, url_prefix="/consortia")


@bp.before_request
@login_required
def _signed_in() -> None:
    return None


def _instance():
    return current_app.config["SETTINGS"].instance_path


@bp.route("/")
def index() -> str:
    if not (policies.is_coordinator(current_user) or policies.is_sgg_member(current_user)):
        return render_template("consortia/index.html", page=None, status=None)
    topic_id = optional_int(request.args.get("topic_id"))
    page = paginate(consortia.visible_requests(db(), current_user, topic_id), db())
    status = matching_index.status_summary(db()) if policies.is_admin(current_user) else None
    return render_template("consortia/index.html", page=page, status=status, topic_id=topic_id)


@bp.route("/new", methods=["GET", "POST"])
def new() -> tuple[str, int] | Response:
    topic_id = optional_int(request.args.get("topic_id")) or optional_int(
        request.form.get("topic_id")
    )
    if topic_id is None:
        abort(404, "Choose a topic first: open it and follow 'Request consortium suggestions'.")
    topic = consortia.get_topic(db(), current_user, topic_id)
    form = RequestForm()
    if request.method == "GET":
        form.fill(params.default_params(topic))
    elif picker.is_search_step():  # the picker's search or pick: nothing is requested yet
        picker.apply_pick(form)
    if not picker.is_search_step() and form.validate_on_submit():
        try:
            req, reused = consortia.request_match(db(), context(), topic.id, form.raw_params())
        except ServiceError as exc:
            refuse_form(form, exc)
            form.form_errors.extend(exc.field_errors.get("sector_counts", []))  # no one field
        else:
            if reused:
                flash("The same request was made before: here is its stored result.", "info")
            else:
                flash("Suggestions requested; they are being computed.", "success")
            return redirect(url_for("consortia.show", request_id=req.id))
    return render_form(
        "consortia/new.html",
        form=form,
        topic=topic,
        sector_fields=SECTOR_FIELDS,
        interested=len(interest.interested_ids(db(), topic.id)),
        **picker.context(form),
    )


def _page_context(request_id: int) -> dict:
    rv = consortium_review.review(db(), current_user, request_id)
    req = rv.request
    others = consortia.requests_of_topic(db(), current_user, req.topic_id)
    can_edit = policies.can_edit_match(current_user, req) and req.status == "done"
    can_invite = policies.can_invite_alternate(current_user, req)
    return {
        "rv": rv,
        "req": req,
        "invs": invitations.invitations_of(db(), req) if req.finalised_at else {},
        "offers": seats.open_seats(db(), req) if can_edit or can_invite else {},
        "swaps": seats.swap_choices(db(), req) if can_edit else {},
        "replaceable": seats.replaceable(db(), req) if can_edit or can_invite else [],
        "others": [o for o in others if o.id != req.id and o.status == "done"],
        "action": ActionForm(),
        "can_edit": can_edit,
        "can_search": can_edit or can_invite,
        "can_finalise": policies.can_finalise_match(current_user, req) and req.finalised_at is None,
        "can_invite": can_invite,
        "can_cancel": req.status in ("queued", "running")
        and req.cancel_requested_at is None
        and policies.can_cancel_match(current_user, req),
        # marked on the page when the request marks or prefers them (its snapshot)
        "interested": set(req.params.get("interested") or ()),
        "can_close": policies.can_close_consortium(current_user, req),
        "contact_form": ContactForm(),
        "history": consortium_timeline.consortium_history(db(), current_user, req),
    }


@bp.route("/<int:request_id>")
def show(request_id: int) -> str:
    try:
        ctx = _page_context(request_id)
    except NotFound:  # an accepted member sees the consortium read-only, or 404 again
        view = invitation_page.member_view(db(), current_user, request_id)
        return render_template("consortia/member.html", c=view)
    q = request.args.get("q", "")
    ctx["q"] = q
    ctx["found"] = seats.search_organisations(db(), q) if ctx["can_search"] else []
    return render_template("consortia/show.html", **ctx)


@bp.route("/<int:request_id>/progress")
def progress(request_id: int) -> str | Response:
    req = consortia.get_request(db(), current_user, request_id)
    response = Response(render_template("consortia/_progress.html", req=req))
    if req.status in ("done", "failed"):
        response.headers["HX-Refresh"] = "true"
    return response


def _act(request_id: int, fn: Callable[[], Any], ok: str | Callable[[Any], str]) -> Response:
    """Run one edit; ``ok`` is the success message, or makes it from what ``fn`` returned."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    try:
        result = fn()
    except ServiceError as exc:
        return refused(exc, "consortia.show", request_id=request_id)
    flash(ok(result) if callable(ok) else ok, "success")
    return redirect(url_for("consortia.show", request_id=request_id))


@bp.post("/<int:request_id>/members/<int:member_id>/<action>")
def member_action(request_id: int, member_id: int, action: str) -> Response:
    if action not in consortium_review.PAST_TENSE:
        abort(404)
    return _act(
        request_id,
        lambda: consortium_review.set_status(db(), context(), request_id, member_id, action),
        f"Member {consortium_review.PAST_TENSE[action]}; the checks are updated.",
    )


def _placed(done: seats.Placement) -> str:
    name = done.member.organisation.display_name
    seat = "takes an extra seat"
    if done.replaced is not None:
        seat = f"takes the seat of {done.replaced.organisation.display_name}"
    if done.invitation is None:
        verb = "Member swapped" if done.replaced else "Organisation added"
        return f"{verb}: {name} {seat}; scores and checks are updated."
    if done.invitation.status == "no_contact":
        return f"{name} {seat}, but it has nobody to invite yet: add a contact for it."
    return f"{name} {seat}. The {'alternate' if done.replaced else 'organisation'} is invited."


def _place(
    request_id: int, seat_id: int | None = None, service: Callable[..., Any] = seats.place
) -> Response:
    """The search box, the swap list and the offer buttons: seat one organisation."""
    form = SeatForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400, "The form expired; reload the page and try again.")
        reason = "; ".join(
            f"{form[name].label.text}: {' '.join(e)}" for name, e in form.errors.items()
        )
        return refused(reason + ". Nothing was changed.", "consortia.show", request_id=request_id)
    seat = seat_id if seat_id is not None else form.replace.data
    return _act(
        request_id,
        lambda: service(db(), context(), request_id, form.organisation_id.data, seat, _instance()),
        _placed,
    )


@bp.post("/<int:request_id>/members/<int:member_id>/swap")
def swap(request_id: int, member_id: int) -> Response:
    return _place(request_id, member_id)


@bp.post("/<int:request_id>/add")
def add(request_id: int) -> Response:
    return _place(request_id)


@bp.post("/<int:request_id>/reoptimise")
def reoptimise(request_id: int) -> Response:
    return _act(
        request_id,
        lambda: consortium_review.reoptimise(db(), context(), request_id, _instance()),
        "Seats refilled around your locked and chosen members.",
    )


def _cancelled(job: Any) -> str:
    if job.status == "cancelled":
        return "Cancelled."
    return "Cancel asked: the work stops at its next checkpoint."


@bp.post("/<int:request_id>/cancel")
def cancel(request_id: int) -> Response:
    return _act(request_id, lambda: jobs.cancel_match(db(), context(), request_id), _cancelled)


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
        return refused(exc, "consortia.show", request_id=request_id)
    flash(
        "Same inputs as a stored result: nothing recomputed."
        if reused
        else "Inputs changed (topic text or expertise index): computing a new suggestion.",
        "info",
    )
    return redirect(url_for("consortia.show", request_id=new.id))


def _finalised(sent: list[Invitation]) -> str:
    quiet = sum(1 for inv in sent if inv.status == "no_contact")
    text = f"Consortium finalised; invitations sent to {len(sent) - quiet} of {len(sent)} members."
    if quiet:
        text += (
            f" {quiet} have nobody to invite: add a contact for them, or give their seats to "
            "an alternate."
        )
    return text


@bp.post("/<int:request_id>/finalise")
def finalise(request_id: int) -> Response:
    return _act(
        request_id,
        lambda: invitations.finalise(db(), context(), request_id),
        _finalised,
    )


@bp.post("/<int:request_id>/close")
def close(request_id: int) -> Response:
    return _act(
        request_id,
        lambda: invitations.close(db(), context(), request_id),
        "Consortium closed: the answers are final and nobody more is invited.",
    )


@bp.post("/<int:request_id>/members/<int:member_id>/contact")
def add_contact(request_id: int, member_id: int) -> Response:
    form = ContactForm()

    def run() -> Invitation:
        return invitees.add_contact_and_invite(
            db(),
            context(),
            request_id,
            member_id,
            name=form.name.data or "",
            email=form.email.data or "",
            function=form.function.data or "",
        )

    return _act(
        request_id,
        run,
        lambda inv: (
            f"Contact added; the invitation for {inv.organisation.display_name} is "
            f"sent to {inv.people[-1].email}."
        ),
    )


@bp.post("/<int:request_id>/members/<int:member_id>/invite-alternate")
def invite_alternate(request_id: int, member_id: int) -> Response:
    return _place(request_id, member_id, seats.invite_to_seat)


@bp.route("/compare")
def compare() -> str:
    a, b = optional_int(request.args.get("a")), optional_int(request.args.get("b"))
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
    view = invitation_page.invitee_view(db(), current_user, invitation_id)
    return render_template(
        "consortia/invitation.html", v=view, action=ActionForm(), decline=DeclineForm()
    )


@bp.post("/invitations/<int:invitation_id>/<answer>")
def respond(invitation_id: int, answer: str) -> Response:
    if answer not in ("accept", "decline"):
        abort(404)
    form = DeclineForm()
    if not form.validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    try:
        inv = invitations.respond(
            db(), context(), invitation_id, answer == "accept", reason=form.reason.data or ""
        )
    except ServiceError as exc:
        return refused(exc, "consortia.invitation", invitation_id=invitation_id)
    flash(
        f"Invitation {inv.status}. You can change your answer until the consortium is closed.",
        "success",
    )
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


@bp.post("/expertise-index/<int:version_id>/cancel")
def cancel_index_build(version_id: int) -> Response:
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    try:
        flash(_cancelled(jobs.cancel_index_build(db(), context(), version_id)), "success")
    except ServiceError as exc:
        return refused(exc, "consortia.expertise_index")
    return redirect(url_for("consortia.expertise_index"))


@bp.app_template_global()
def topic_match_link(topic: Topic) -> str | None:
    """The URL of 'Request consortium suggestions' for a topic, if the user may use it."""
    if policies.can_request_match(current_user, topic):
        return url_for("consortia.new", topic_id=topic.id)
    return None
