"""Exports safe against formula injection; calls with deadlines in their timezone."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from services.core.errors import InvalidInput, PermissionDenied
from services.topics import calls
from services.topics import listing as topic_list
from tests.topic_support import make_topic, xlsx_strings

RISKY = ('=HYPERLINK("http://evil")', "+1+2", "-3", "@SUM(A1)", "\tcmd", "\rcmd")


@pytest.mark.parametrize("value", RISKY)
def test_safe_cell_prefixes_formula_starts(value):
    assert topic_list.safe_cell(value) == "'" + value


def test_safe_cell_leaves_ordinary_text():
    assert topic_list.safe_cell("Vaccines = good") == "Vaccines = good"
    assert topic_list.safe_cell(None) == ""


def test_csv_and_xlsx_exports_are_inert(db, world, make_user):
    coordinator = make_user("coordinator")
    for i, value in enumerate(RISKY):
        make_topic(db, world, "idea", title=f"{value} #{i}", keywords=value, identifier=f"ID{i}")
    rows = topic_list.export_rows(db, coordinator, topic_list.TopicFilters(sort="identifier"))
    parsed = list(csv.reader(io.StringIO(topic_list.to_csv(rows))))
    assert parsed[0][:3] == ["id", "identifier", "title"]
    for row in parsed[1:]:
        for cell in row:
            assert not cell.startswith(topic_list.FORMULA_PREFIXES), cell
    assert "1000000.00" in {row[7] for row in parsed[1:]}  # money exact, as text
    cells = xlsx_strings(topic_list.to_xlsx(rows))  # also asserts no formula cell
    titles = [c for c in cells if "#" in c]
    assert len(titles) == len(RISKY) and all(c.startswith("'") for c in titles)


def _input(**kw):
    values = {
        "programme_id": 0,
        "identifier": "HORIZON-JU-IHI-2027-01",
        "title": "Call 1",
        "call_type": "two_stage",
        "timezone": "Europe/Brussels",
        "stage1_local": datetime(2027, 4, 25, 17, 0),
        "stage2_local": datetime(2027, 11, 7, 17, 0),
    }
    values.update(kw)
    return calls.CallInput(**values)


def test_deadlines_entered_in_the_calls_timezone_are_stored_in_utc(db, world, make_user):
    coordinator = make_user("coordinator")
    call = calls.save_call(db, coordinator, _input(programme_id=world["programme"].id))
    db.commit()
    db.refresh(call)
    assert call.stage1_deadline == datetime(2027, 4, 25, 15, 0, tzinfo=UTC)  # CEST, UTC+2
    assert call.stage2_deadline == datetime(2027, 11, 7, 16, 0, tzinfo=UTC)  # CET, UTC+1
    assert calls.to_local(call.stage1_deadline, call.timezone) == datetime(2027, 4, 25, 17, 0)
    with pytest.raises(PermissionDenied):
        calls.save_call(db, make_user(), _input(programme_id=world["programme"].id))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"call_type": "single_stage"}, "stage2_local"),
        ({"stage2_local": datetime(2027, 1, 1)}, "stage2_local"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"identifier": " "}, "identifier"),
        ({"call_type": "three_stage"}, "call_type"),
        ({"stage1_local": None}, "stage1_local"),
    ],
)
def test_bad_calls_are_refused(db, world, make_user, changes, field):
    coordinator = make_user("coordinator")
    with pytest.raises(InvalidInput) as exc:
        calls.save_call(db, coordinator, _input(programme_id=world["programme"].id, **changes))
    assert field in exc.value.field_errors


def test_call_identifiers_are_unique(db, world, make_user):
    coordinator = make_user("coordinator")
    calls.save_call(db, coordinator, _input(programme_id=world["programme"].id))
    db.commit()
    with pytest.raises(InvalidInput) as exc:
        calls.save_call(db, coordinator, _input(programme_id=world["programme"].id))
    assert "identifier" in exc.value.field_errors
