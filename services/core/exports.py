"""CSV and XLSX exports of funding tables, safe against formula injection.

Text cells that a spreadsheet would read as a formula (starting with = + - @ or a tab or
carriage return) are prefixed with an apostrophe; XLSX text is written with write_string,
never parsed as a formula. Money is exact text in CSV ("1234.56"); in XLSX it is a number
cell with a two-decimal format so that it can be summed (every Numeric(14,2) value has at
most 14 significant digits and so round-trips through the spreadsheet's double exactly).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import xlsxwriter
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Organisation, Pledge, Programme, Topic
from models.pledges import PLEDGE_KIND_LABELS
from services.pledges.funding import area_distribution

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list[Any]]


def safe_text(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(DANGEROUS) else text


def _cell(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return safe_text(value)


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


def to_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_text(h) for h in table.header])
    for row in table.rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def to_xlsx(table: Table) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(table.title[:31].replace("/", "-"))
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    for col, name in enumerate(table.header):
        sheet.write_string(0, col, safe_text(name), bold)
    for r, row in enumerate(table.rows, start=1):
        for col, value in enumerate(row):
            if isinstance(value, Decimal):
                # Spreadsheet cells hold doubles; any Numeric(14,2) value (<= 15 significant
                # digits) round-trips exactly, and the CSV export carries the exact strings.
                sheet.write_number(r, col, float(value), money)
            elif isinstance(value, int) and not isinstance(value, bool):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, safe_text(value))
    sheet.set_column(0, len(table.header) - 1, 18)
    book.close()
    return out.getvalue()
