"""Calls: deadlines in the future and in order at creation and edit (on the call's own
clock), and the topics of a call (approved topics join; a published call keeps them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from models import AuditEntry
from services.core.context import RequestContext
from services.core.errors import Conflict, InvalidInput, PermissionDenied
from services.topics import call_topics, calls
from tests.topic_support import make_call, make_topic


def _input(world, zone="Europe/Brussels", **kw):
    now = datetime.now(ZoneInfo(zone)).replace(tzinfo=None, second=0, microsecond=0)
    values = {
        "programme_id": world["programme"].id,
        "identifier": "HORIZON-JU-IHI-2027-02",
        "title": "Call 2",
        "call_type": "two_stage",
        "timezone": zone,
        "stage1_local": now + timedelta(days=60),
        "stage2_local": now + timedelta(days=200),
    }
    values.update(kw)
    return calls.CallInput(**values)


def _errors(db, coordinator, data, call=None) -> dict[str, list[str]]:
    with pytest.raises(InvalidInput) as exc:
        calls.save_call(db, RequestContext(coordinator), data, call)
    db.rollback()
    return exc.value.field_errors


def test_past_and_unordered_deadlines_are_field_errors_at_creation(db, world, make_user):
    coordinator = make_user("coordinator")
    zone = "Pacific/Kiritimati"  # UTC+14
    now = datetime.now(ZoneInfo(zone)).replace(tzinfo=None, second=0, microsecond=0)
    earlier_today = _input(world, zone, stage1_local=now - timedelta(minutes=5))
    assert "in the future" in _errors(db, coordinator, earlier_today)["stage1_local"][0]
    # The wall clock is read in the call's zone: two hours after UTC's "now" has passed in
    # Kiritimati (UTC+14) and still lies ahead in Pago Pago (UTC-11).
    soon = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=2)
    late = _input(world, zone, stage1_local=soon, stage2_local=soon + timedelta(days=99))
    assert "stage1_local" in _errors(db, coordinator, late)
    ahead = _input(world, "Pacific/Pago_Pago", stage1_local=soon, stage2_local=None)
    assert calls.save_call(db, RequestContext(coordinator), ahead).stage1_deadline is not None
    db.rollback()
    # Both deadlines ahead but stage 2 first: refused beside stage 2.
    swapped = _input(
        world, zone, stage1_local=now + timedelta(days=90), stage2_local=now + timedelta(days=30)
    )
    assert "after the stage 1" in _errors(db, coordinator, swapped)["stage2_local"][0]
    # A past stage 1 and an earlier stage 2 are both named.
    both = _errors(
        db,
        coordinator,
        _input(world, stage1_local=datetime(2020, 5, 1, 17), stage2_local=datetime(2020, 4, 1)),
    )
    assert set(both) == {"stage1_local", "stage2_local"}
    assert db.query(AuditEntry).filter_by(action="call.create").count() == 0


def test_deadlines_are_checked_again_on_edit_but_an_unchanged_past_one_stays(db, world, make_user):
    coordinator = make_user("coordinator")
    ctx = RequestContext(coordinator)
    call = calls.save_call(db, ctx, _input(world))
    db.commit()
    local1 = calls.to_local(call.stage1_deadline, call.timezone)
    # Moving stage 1 into the past, or after stage 2, is refused; nothing changes.
    past = _input(world, stage1_local=datetime(2021, 1, 1, 12))
    assert "stage1_local" in _errors(db, coordinator, past, call)
    late = _input(world, stage1_local=local1 + timedelta(days=400))
    assert "stage2_local" in _errors(db, coordinator, late, call)
    db.refresh(call)
    assert calls.to_local(call.stage1_deadline, call.timezone) == local1
    # Once stage 1 has passed (the call ran), other edits keep it as it is.
    call.stage1_deadline = datetime.now(UTC) - timedelta(days=3)
    db.commit()
    kept = calls.to_local(call.stage1_deadline, call.timezone)
    renamed = calls.save_call(
        db, ctx, _input(world, title="Call 2 (renamed)", stage1_local=kept), call
    )
    db.commit()
    assert renamed.title == "Call 2 (renamed)"


def test_coordinators_add_approved_topics_and_remove_them_until_published(db, world, make_user):
    coordinator = make_user("coordinator")
    ctx = RequestContext(coordinator)
    call = make_call(db, world)
    approved = make_topic(db, world, "approved", title="Ready topic")
    drafting = make_topic(db, world, "drafting", title="Draft topic")
    assert [t.id for t in call_topics.addable(db, coordinator, call)] == [approved.id]
    with pytest.raises(Conflict, match="Only approved topics"):
        call_topics.add_topic(db, ctx, call.id, drafting.id)
    db.rollback()
    with pytest.raises(PermissionDenied):
        call_topics.add_topic(
            db, RequestContext(make_user(sgg_id=world["sgg_a"].id)), call.id, approved.id
        )
    db.rollback()
    call_topics.add_topic(db, ctx, call.id, approved.id)
    db.commit()
    assert approved.call_id == call.id and approved.version == 2
    call_topics.remove_topic(db, ctx, call.id, approved.id)
    db.commit()
    assert approved.call_id is None
    entries = db.query(AuditEntry).filter_by(object_type="topics", object_id=approved.id)
    actions = [e.action for e in entries]
    assert actions == ["topic.call_added", "topic.call_removed"]
    # Once a topic of the call is published, the others stay in it too.
    call_topics.add_topic(db, ctx, call.id, approved.id)
    make_topic(db, world, "published", title="Live topic", call=call)
    with pytest.raises(Conflict, match="is published"):
        call_topics.remove_topic(db, ctx, call.id, approved.id)
