"""The programme's funding tables (pledges, funding per area) for CSV and XLSX export."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Organisation, Pledge, Programme, Topic
from models.pledges import PLEDGE_KIND_LABELS
from services.core.exports import Table
from services.pledges.funding import area_distribution


def pledges_table(session: Session, programme: Programme) -> Table:
    stmt = (
        select(Pledge, Topic, Organisation)
        .join(Topic, Topic.id == Pledge.topic_id)
        .join(Organisation, Organisation.id == Pledge.organisation_id)
        .where(Topic.programme_id == programme.id)
        .order_by(Topic.id, Pledge.id)
    )
    rows = [
        [
            p.id,
            t.id,
            t.title,
            o.legal_name,
            p.contributing_entity or o.legal_name,
            PLEDGE_KIND_LABELS[p.kind],
            p.status,
            p.amount,
            p.eu_match if p.eu_match is not None else "",
            p.third_country_costs,
            p.start_year or "",
            p.end_year or "",
            p.note,
        ]
        for p, t, o in session.execute(stmt)
    ]
    header = [
        "Pledge",
        "Topic",
        "Topic title",
        "Organisation",
        "Contributing entity",
        "Kind",
        "Status",
        "Amount (EUR)",
        "EU match (EUR)",
        "Third-country costs (EUR)",
        "Start year",
        "End year",
        "Note",
    ]
    return Table(f"{programme.code} pledges", header, rows)


def areas_table(session: Session, programme: Programme) -> Table:
    def pct(v: Decimal | None) -> str:
        return "" if v is None else f"{v * 100:.1f}"

    rows = [
        [
            r.area,
            r.eu,
            pct(r.eu_share),
            r.industry,
            pct(r.industry_share),
            r.total,
            pct(r.total_share),
        ]
        for r in area_distribution(session, programme)
    ]
    header = [
        "Scientific area",
        "EU contribution (EUR)",
        "EU share (%)",
        "Industry contribution (EUR)",
        "Industry share (%)",
        "Total (EUR)",
        "Share of total (%)",
    ]
    return Table(f"{programme.code} funding per area", header, rows)
