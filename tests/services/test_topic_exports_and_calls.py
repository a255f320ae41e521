"""Calls with deadlines in their timezone (the topic export: tests/services/test_exports.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.core.context import RequestContext
from services.core.errors import InvalidInput, PermissionDenied
from services.topics import calls

# Deadlines must lie between today and 20 years ahead: next year's April (CEST) and
# November (CET) keep the summer/winter time checks whatever the year the tests run.
Y = date.today().year + 1


def _input(**kw):
    values = {
        "programme_id": 0,
        "identifier": "HORIZON-JU-IHI-2027-01",
        "title": "Call 1",
        "call_type": "two_stage",
        "timezone": "Europe/Brussels",
        "stage1_local": datetime(Y, 4, 25, 17, 0),
        "stage2_local": datetime(Y, 11, 7, 17, 0),
    }
    values.update(kw)
    return calls.CallInput(**values)


def test_deadlines_entered_in_the_calls_timezone_are_stored_in_utc(db, world, make_user):
    coordinator = make_user("coordinator")
    call = calls.save_call(
        db, RequestContext(coordinator), _input(programme_id=world["programme"].id)
    )
    db.commit()
    db.refresh(call)
    assert call.stage1_deadline == datetime(Y, 4, 25, 15, 0, tzinfo=UTC)  # CEST, UTC+2
    assert call.stage2_deadline == datetime(Y, 11, 7, 16, 0, tzinfo=UTC)  # CET, UTC+1
    assert calls.to_local(call.stage1_deadline, call.timezone) == datetime(Y, 4, 25, 17, 0)
    with pytest.raises(PermissionDenied):
        calls.save_call(db, RequestContext(make_user()), _input(programme_id=world["programme"].id))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"call_type": "single_stage"}, "stage2_local"),
        ({"stage2_local": datetime(Y, 1, 1)}, "stage2_local"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"identifier": " "}, "identifier"),
        ({"call_type": "three_stage"}, "call_type"),
        ({"stage1_local": None}, "stage1_local"),
    ],
)
def test_bad_calls_are_refused(db, world, make_user, changes, field):
    coordinator = make_user("coordinator")
    with pytest.raises(InvalidInput) as exc:
        calls.save_call(
            db, RequestContext(coordinator), _input(programme_id=world["programme"].id, **changes)
        )
    assert field in exc.value.field_errors


def test_call_identifiers_are_unique(db, world, make_user):
    coordinator = make_user("coordinator")
    calls.save_call(db, RequestContext(coordinator), _input(programme_id=world["programme"].id))
    db.commit()
    with pytest.raises(InvalidInput) as exc:
        calls.save_call(db, RequestContext(coordinator), _input(programme_id=world["programme"].id))
    assert "identifier" in exc.value.field_errors
