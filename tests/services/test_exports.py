"""Both exports (a programme's pledges, a topic list) go through services.core.exports: one
formula guard, money as exact text in CSV and as a 0.00-formatted number in XLSX."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from unittest import mock

import pytest

from services.core import exports
from services.pledges import exports as funding_tables
from services.topics import listing as topic_list
from tests.pledge_helpers import add_pledge, make_topic
from tests.xlsx_reader import column_of, xlsx_cells, xlsx_strings

RISKY = ('=HYPERLINK("http://evil")', "+1+2", "-3", "@SUM(A1)", "\tcmd", "\rcmd")


@pytest.mark.parametrize("value", RISKY)
def test_formula_starts_are_prefixed(value):
    assert exports.safe_text(value) == "'" + value


def test_ordinary_text_is_left_alone():
    assert exports.safe_text("Vaccines = good") == "Vaccines = good"
    assert exports.safe_text(None) == ""


@pytest.fixture
def tables(db, world, make_user):
    """The pledges table and the topic list, each with a risky title and a money amount."""
    topic = make_topic(db, world, eu="1250000.50")
    topic.title = '=HYPERLINK("http://evil")'
    topic.keywords = "@SUM(A1)"
    add_pledge(db, topic, world["pharma"], "1234567.89", note="+cmd|' /C calc'!A0",
               contributing_entity="-2+3")  # fmt: skip
    db.commit()
    coordinator = make_user("coordinator")
    filters = topic_list.TopicFilters(sort="identifier")
    return {
        "pledges": (funding_tables.pledges_table(db, world["programme"]), "Amount (EUR)"),
        "topics": (topic_list.export_table(db, coordinator, filters), "eu_contribution_eur"),
    }


@pytest.mark.parametrize("name", ["pledges", "topics"])
def test_csv_is_inert_and_keeps_money_exact(tables, name):
    table, money_column = tables[name]
    parsed = list(csv.reader(io.StringIO(exports.to_csv(table))))
    header, row = parsed[0], parsed[1]
    assert not any(cell.startswith(exports.FORMULA_PREFIXES) for cell in row)
    assert any(cell.startswith("'=HYPERLINK") for cell in row)
    expected = {"pledges": "1234567.89", "topics": "1250000.50"}[name]
    assert row[header.index(money_column)] == expected  # exact text, no separators


@pytest.mark.parametrize("name", ["pledges", "topics"])
def test_xlsx_is_inert_and_money_is_a_two_decimal_number(tables, name):
    table, money_column = tables[name]
    data = exports.to_xlsx(table)
    cells = xlsx_cells(data)  # also asserts that no cell is a formula
    assert '\'=HYPERLINK("http://evil")' in xlsx_strings(data)
    money = cells[f"{column_of(cells, money_column)}2"]
    expected = {"pledges": Decimal("1234567.89"), "topics": Decimal("1250000.50")}[name]
    assert money.kind == "number" and money.number_format == "#,##0.00"
    assert Decimal(money.value).quantize(Decimal("0.01")) == expected


def test_the_views_write_through_the_shared_writer(client, db, world, make_user):
    from tests.conftest import PASSWORD
    from tests.support import login

    make_topic(db, world, status="published")
    coordinator = make_user("coordinator")
    login(client, coordinator.email, PASSWORD)
    prog = world["programme"].id
    paths = [
        "/topics/export.csv",
        "/topics/export.xlsx",
        f"/pledges/funding/programmes/{prog}/pledges.csv",
        f"/pledges/funding/programmes/{prog}/areas.xlsx",
    ]
    for path in paths:
        with (
            mock.patch.object(exports, "to_csv", wraps=exports.to_csv) as to_csv,
            mock.patch.object(exports, "to_xlsx", wraps=exports.to_xlsx) as to_xlsx,
        ):
            assert client.get(path).status_code == 200, path
        assert to_csv.call_count + to_xlsx.call_count == 1, path
