"""Funding views: programme, scientific area, topic and partner; CSV/XLSX exports; JSON."""

from __future__ import annotations

from decimal import Decimal

from flask import Response, abort, jsonify, render_template
from flask_login import current_user

from models.pledges import PLEDGE_KIND_LABELS
from services import policies
from services.core import exports
from services.pledges import exports as funding_tables
from services.pledges.funding import (
    area_distribution,
    decision_queue_page,
    funded_partner,
    funded_topic,
    get_programme,
    partner_funding,
    partner_pledges,
    programme_funding,
    programme_topics_page,
    topic_lines,
)
from services.pledges.topic_funding import topic_funding
from services.topics import calls as call_service
from webapp.database import db
from webapp.pagination import page_args, paginate
from webapp.pledges.blueprint import bp

EXPORTS = {"pledges": funding_tables.pledges_table, "areas": funding_tables.areas_table}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _coordinators_only() -> None:
    if not policies.can_view_funding(current_user):
        abort(403, "Funding views are for the programme office.")


@bp.route("/funding")
def funding() -> str:
    _coordinators_only()
    programmes = call_service.programmes(db())
    queue = decision_queue_page(db(), *page_args())
    overviews = [programme_funding(db(), p) for p in programmes]
    return render_template("pledges/funding.html", overviews=overviews, queue=queue)


@bp.route("/funding/programmes/<int:programme_id>")
def programme(programme_id: int) -> str:
    _coordinators_only()
    prog = get_programme(db(), programme_id)
    overview = programme_funding(db(), prog)
    areas = area_distribution(db(), prog)
    topics = programme_topics_page(db(), prog, *page_args(50))
    kinds = [(PLEDGE_KIND_LABELS[k], v) for k, v in overview.confirmed_by_kind.items()]
    return render_template(
        "pledges/programme.html",
        overview=overview,
        topics=topics,
        lines=topic_lines(db(), prog, topics.items),
        areas=areas,
        kinds=kinds,
        area_eu=[(r.area, r.eu) for r in areas[:-1]],
        area_industry=[(r.area, r.industry) for r in areas[:-1]],
    )


@bp.route("/funding/programmes/<int:programme_id>/<any(pledges, areas):table>.<any(csv, xlsx):fmt>")
def export(programme_id: int, table: str, fmt: str) -> Response:
    _coordinators_only()
    prog = get_programme(db(), programme_id)
    data = EXPORTS[table](db(), prog)
    name = f"{prog.code}-{table}.{fmt}".replace(" ", "_")
    if fmt == "csv":
        body: str | bytes = exports.to_csv(data)
        mimetype = "text/csv"
    else:
        body, mimetype = exports.to_xlsx(data), XLSX
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/funding/topics/<int:topic_id>")
def topic(topic_id: int) -> str:
    t = funded_topic(db(), current_user, topic_id)
    return render_template(
        "pledges/topic.html", topic=t, funding=topic_funding(db(), t, viewer=current_user)
    )


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


@bp.route("/funding/topics/<int:topic_id>.json")
def topic_json(topic_id: int) -> Response:
    """Topic funding for API clients: money as strings, never floats."""
    f = topic_funding(db(), funded_topic(db(), current_user, topic_id))
    return jsonify(
        topic_id=f.topic_id,
        eu_budget=_money(f.eu_budget),
        industry_budget=_money(f.industry_budget),
        pledged_by_kind={k: _money(v) for k, v in f.by_kind.items()},
        by_state={k: _money(v) for k, v in f.by_state.items()},
        pledged=_money(f.pledged),
        confirmed=_money(f.confirmed),
        eu_match=_money(f.eu_match),
        gap=_money(f.gap),
        contribution_share=None if f.share.value is None else f"{f.share.value:.4f}",
        min_contribution_share=f"{f.share.limit:.4f}",
    )


@bp.route("/funding/organisations/<int:organisation_id>")
def partner(organisation_id: int) -> str:
    org = funded_partner(db(), current_user, organisation_id)
    return render_template(
        "pledges/partner.html",
        summary=partner_funding(db(), org, shown=0),
        page=paginate(partner_pledges(org.id), db(), count_apart=True),
    )
