from __future__ import annotations

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from models import Topic, User
from models.organisations import SECTORS
from models.topics import TOPIC_STATES
from services import policies
from services.consortia import match_requests
from services.core import exports
from services.core.errors import Conflict, ServiceError
from services.pledges import topic_funding
from services.topics import calls as call_service
from services.topics import comments, lifecycle, review_assignments, reviews, revisions, timeline
from services.topics import content as topics
from services.topics import listing as topic_list
from webapp.database import db
from webapp.errors import wants_json
from webapp.helpers import context
from webapp.pagination import page_args
from webapp.refusals import refuse_form, refused, render_form
from webapp.topics.blueprint import bp, me
from webapp.topics.forms import (
    CoiForm,
    CommentForm,
    ReviewForm,
    TopicForm,
    TransitionForm,
    optional_int,
)


def _filters() -> topic_list.TopicFilters:
    args = request.args
    status = args.get("status") or None
    return topic_list.TopicFilters(
        status=status if status in TOPIC_STATES else None,
        sgg_id=optional_int(args.get("sgg")),
        area_id=optional_int(args.get("area")),
        call_id=optional_int(args.get("call")),
        q=(args.get("q") or "")[:200],
        sort=args.get("sort") or "-updated",
    )


def _choices() -> dict[str, list[topic_list.MenuEntry]]:
    return topic_list.filter_menus(db())


@bp.route("/topics/")
@login_required
def index() -> str:
    filters = _filters()
    page = topic_list.list_page(db(), me(), filters, *page_args())
    return render_template(
        "topics/index.html",
        page=page,
        filters=filters,
        states=TOPIC_STATES,
        labels=lifecycle.STATE_LABELS,
        sorts=topic_list.SORTS,
        may_create=policies.is_coordinator(me()) or policies.is_sgg_member(me()),
        **_choices(),
    )


@bp.route("/topics/export.<fmt>")
@login_required
def export(fmt: str) -> Response:
    table = topic_list.export_table(db(), me(), _filters())
    if fmt == "csv":
        return Response(
            exports.to_csv(table),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=topics.csv"},
        )
    if fmt == "xlsx":
        return Response(
            exports.to_xlsx(table),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": "attachment; filename=topics.xlsx"},
        )
    abort(404, "Export as csv or xlsx.")


def _fill_choices(
    form: TopicForm,
    sgg_choices: list[topic_list.MenuEntry] | None = None,
    menus: dict[str, list[topic_list.MenuEntry]] | None = None,
) -> None:
    c = menus or _choices()
    if sgg_choices is not None:
        form.sgg_id.choices = [(s.id, s.label) for s in sgg_choices]
    form.area_id.choices = [(None, "—")] + [(a.id, a.label) for a in c["areas"]]
    form.call_id.choices = [(None, "— not in a call yet —")] + [
        (k.id, f"{k.label}: {k.title}") for k in c["calls"]
    ]
    form.industry_partner_ids.choices = topics.partner_organisations(db())


def _content(form: TopicForm) -> topics.TopicContent:
    return topics.TopicContent(
        title=form.title.data or "",
        identifier=form.identifier.data or "",
        area_id=form.area_id.data,
        call_id=form.call_id.data,
        challenge=form.challenge.data or "",
        scope=form.scope.data or "",
        expected_outcomes=form.expected_outcomes.data or "",
        expected_impact=form.expected_impact.data or "",
        keywords=form.keywords.data or "",
        eu_contribution=form.eu_contribution.data,
        industry_contribution=form.industry_contribution.data,
        duration_months=form.duration_months.data,
        consortium_size_min=form.consortium_size_min.data,
        consortium_size_max=form.consortium_size_max.data,
        min_countries=form.min_countries.data,
        sme_share=form.sme_share.data,
        sector_targets={s: getattr(form, f"target_{s}").data or "" for s in SECTORS},
        industry_partner_ids=list(form.industry_partner_ids.data or []),
    )


def _place_target_errors(form: TopicForm, exc: ServiceError) -> None:
    """Sector-target messages name their sector: show each beside its field."""
    messages = exc.field_errors.pop("sector_targets", [])
    for message in messages:
        sector = message.split(":", 1)[0]
        field = getattr(form, f"target_{sector}", None)
        if field is not None and sector in SECTORS:
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        flash(f"Warning: {warning}", "warning")


@bp.route("/topics/new", methods=["GET", "POST"])
@login_required
def new() -> ResponseReturnValue:
    user = me()
    menus = _choices()
    may = policies.sggs_open_to_proposals(user, [s.id for s in menus["sggs"]])
    allowed = [s for s in menus["sggs"] if s.id in may]
    if not allowed:
        abort(403, "Only SGG members and coordinators propose topics.")
    form = TopicForm()
    form.note.label.text = "Note for the first revision (optional)"
    _fill_choices(form, allowed, menus)
    if form.validate_on_submit():
        try:
            topic = topics.create_topic(
                db(), context(user), form.sgg_id.data or 0, _content(form), form.note.data or ""
            )
        except ServiceError as exc:
            _place_target_errors(form, exc)
            refuse_form(form, exc)
        else:
            flash("Topic idea saved.", "success")
            _warn(topics.title_warnings(db(), user, topic.programme_id, topic.title, topic.id))
            return redirect(url_for("topics.detail", topic_id=topic.id))
    warnings = topics.proposal_warnings(db(), user, form.sgg_id.data, form.title.data or "")
    return render_form(
        "topics/edit.html", form=form, topic=None, sectors=SECTORS, warnings=warnings
    )


def _form_from_topic(topic: Topic) -> TopicForm:
    form = TopicForm(obj=topic, version=str(topic.version))
    if request.method == "GET":
        form.industry_partner_ids.data = [p.organisation_id for p in topic.industry_partners]
        for sector in SECTORS:
            value = (topic.sector_targets or {}).get(sector)
            if isinstance(value, str):
                value = f"{(float(value) * 100):g}%"
            getattr(form, f"target_{sector}").data = "" if value is None else str(value)
    return form


@bp.route("/topics/<int:topic_id>/edit", methods=["GET", "POST"])
@login_required
def edit(topic_id: int) -> ResponseReturnValue:
    session = db()
    topic = topics.get_topic(session, me(), topic_id)
    if not policies.can_edit_topic(me(), topic):
        abort(403, "You may not edit this topic in its current state.")
    form = _form_from_topic(topic)
    del form.sgg_id
    _fill_choices(form)
    if form.validate_on_submit():
        expected = optional_int(form.version.data) or 0
        try:
            topics.update_topic(
                session, context(me()), topic, _content(form), expected, form.note.data or ""
            )
        except ServiceError as exc:
            _place_target_errors(form, exc)
            refuse_form(form, exc)
            if isinstance(exc, Conflict):  # a stale version: the next save overwrites
                form.version.data = str(topics.get_topic(session, me(), topic_id).version)
        else:
            flash("Topic saved; a new revision was recorded.", "success")
            _warn(topics.title_warnings(session, me(), topic.programme_id, topic.title, topic.id))
            return redirect(url_for("topics.detail", topic_id=topic.id))
    title = form.title.data if form.title.data else topic.title
    warnings = topics.title_warnings(session, me(), topic.programme_id, title, topic.id)
    newest = revisions.latest_revision(session, topic)
    latest = [newest] if newest else []
    return render_form(
        "topics/edit.html",
        form=form,
        topic=topic,
        sectors=SECTORS,
        latest=latest,
        authors=revisions.revision_authors(session, me(), latest),
        warnings=warnings,
    )


def _funding(topic: Topic, user: User | None) -> topic_funding.TopicFunding | None:
    """Pledge totals for those who may see them (coordinators, the topic's SGG); who
    pledged what is on the topic's funding page (the section links to it)."""
    if not policies.can_view_topic_funding(user, topic):
        return None
    return topic_funding.topic_funding(db(), topic)


@bp.route("/topics/<int:topic_id>")
@login_required
def detail(topic_id: int) -> str:
    session = db()
    user = me()
    topic = topics.get_topic(session, user, topic_id)
    review, shown_reviews = reviews.page_reviews(session, user, topic)
    comment_form = CommentForm()
    levels = policies.comment_levels_for(user, topic)
    comment_form.level.choices = [(lv, comments.LEVEL_LABELS[lv]) for lv in levels]
    match = match_requests.latest_request(session, topic.id)
    audit = timeline.topic_audit(session, topic.id)
    return render_template(
        "topics/detail.html",
        topic=topic,
        history=timeline.topic_history(session, user, topic, audit),
        moves=[
            (t, lifecycle.refusal(user, topic, t.name, "x"))
            for t in lifecycle.available(user, topic)
        ],
        may_edit=policies.can_edit_topic(user, topic),
        my_review=review,
        # Built only for the form it renders: a form costs 150-300 calls to build.
        coi_form=CoiForm() if review is not None and review.coi == "pending" else None,
        review_form=ReviewForm(obj=review) if review else None,
        reviews=shown_reviews,
        summary=(
            reviews.summary(session, topic, shown_reviews)
            if policies.can_see_reviews(user, topic)
            else []
        ),
        may_assign=policies.can_assign_reviewers(user, topic),
        assignments=review_assignments.assignment_history(session, user, topic, audit),
        due_date_of=review_assignments.due_date_of,
        threads=comments.visible_threads(session, user, topic),
        comment_form=comment_form,
        level_labels=comments.LEVEL_LABELS,
        match=match,
        funding=_funding(topic, user),
        local=call_service.to_local,
    )


@bp.route("/topics/<int:topic_id>/transition/<name>", methods=["POST"])
@login_required
def transition(topic_id: int, name: str) -> ResponseReturnValue:
    session = db()
    topic = topics.get_topic(session, me(), topic_id)
    form = TransitionForm()
    if not form.validate_on_submit():
        return refused("The form was incomplete.", "topics.detail", topic_id=topic.id)
    try:
        step = lifecycle.transition(session, context(me()), topic, name, form.comment.data or "")
    except ServiceError as exc:
        if wants_json():
            raise
        return refused(exc, "topics.detail", topic_id=topic.id)
    if wants_json():
        return jsonify({"id": topic.id, "status": topic.status, "transition": step.name}), 200
    flash(f"The topic is now: {lifecycle.STATE_LABELS[topic.status]}.", "success")
    return redirect(url_for("topics.detail", topic_id=topic.id))
