"""Programme rules on confirmation: matching ratio, envelope, warnings, envelope events."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from models import OutboxMessage, Pledge
from services.core.context import RequestContext
from services.core.errors import Conflict
from services.pledges import decisions as pledge_decisions
from tests.pledge_helpers import add_pledge, make_partner, make_topic


def test_match_follows_the_programmes_ratio_rounded_down(db, world, make_user):
    world["programme"].matching_ratio = Decimal("0.5")
    db.commit()
    topic = make_topic(db, world)
    coord = make_user(role="coordinator")
    pledge = add_pledge(db, topic, world["pharma"], "100.01")
    assert pledge_decisions.confirm_pledge(
        db, RequestContext(coord), pledge.id
    ).pledge.eu_match == Decimal("50.00")


def test_members_are_matched_outside_the_partner_envelope(db, world, make_user):
    world["programme"].partner_envelope = Decimal("0")
    db.commit()
    topic = make_topic(db, world)
    coord = make_user(role="coordinator")
    pledge = add_pledge(db, topic, world["pharma"], "5000.00")
    decision = pledge_decisions.confirm_pledge(db, RequestContext(coord), pledge.id)
    assert decision.pledge.eu_match == Decimal("5000.00") and not decision.pledge.from_envelope


def test_partner_match_beyond_the_envelope_is_refused_and_nothing_changes(db, world, make_user):
    world["programme"].partner_envelope = Decimal("150.00")
    db.commit()
    topic = make_topic(db, world)
    partner = make_partner(db, world["programme"])
    coord = make_user(role="coordinator")
    first = add_pledge(db, topic, partner, "100.00")
    assert pledge_decisions.confirm_pledge(db, RequestContext(coord), first.id).pledge.from_envelope
    db.commit()
    second = add_pledge(db, topic, partner, "50.01")
    with pytest.raises(Conflict) as err:
        pledge_decisions.confirm_pledge(db, RequestContext(coord), second.id)
    assert "needs EUR 50.01" in err.value.message and "only EUR 50.00 remains" in err.value.message
    db.rollback()
    assert db.get(Pledge, second.id).status == "submitted"
    third = add_pledge(db, topic, partner, "50.00")
    assert pledge_decisions.confirm_pledge(
        db, RequestContext(coord), third.id
    ).pledge.eu_match == Decimal("50.00")


def test_partner_no_longer_approved_cannot_be_confirmed(db, world, make_user):
    topic = make_topic(db, world)
    stranger = make_partner(db, world["programme"], approved=False)
    coord = make_user(role="coordinator")
    pledge = add_pledge(db, topic, stranger, "10.00")
    with pytest.raises(Conflict, match="neither a member nor an approved partner"):
        pledge_decisions.confirm_pledge(db, RequestContext(coord), pledge.id)


def test_confirming_on_a_topic_that_left_the_pledgeable_states_is_refused(db, world, make_user):
    topic = make_topic(db, world, status="drafting")
    coord = make_user(role="coordinator")
    pledge = add_pledge(db, topic, world["pharma"], "10.00")
    topic.status = "withdrawn"
    db.commit()
    with pytest.raises(Conflict, match="withdrawn"):
        pledge_decisions.confirm_pledge(db, RequestContext(coord), pledge.id)


def _confirm(db, coord, topic, org, amount, **kw):
    pledge = add_pledge(db, topic, org, amount, **kw)
    decision = pledge_decisions.confirm_pledge(db, RequestContext(coord), pledge.id)
    db.commit()
    return decision.warnings


def test_ikaa_share_above_limit_warns_but_confirms(db, world, make_user):
    topic = make_topic(db, world, eu="10.00")
    coord = make_user(role="coordinator")
    assert _confirm(db, coord, topic, world["pharma"], "600.00", kind="ikop") == []
    assert _confirm(db, coord, topic, world["pharma"], "400.00", kind="ikaa") == []  # 40 %
    warnings = _confirm(db, coord, topic, world["pharma2"], "0.01", kind="ikaa")
    assert len(warnings) == 1 and "additional activities are 40.0 %" in warnings[0]
    assert db.scalar(select(Pledge.status).order_by(Pledge.id.desc()).limit(1)) == "confirmed"


def test_third_country_share_above_limit_warns(db, world, make_user):
    topic = make_topic(db, world, eu="10.00")
    coord = make_user(role="coordinator")
    assert _confirm(db, coord, topic, world["pharma"], "100.00", kind="ikop",
                    third_country_costs=Decimal("20.00")) == []  # fmt: skip
    warnings = _confirm(
        db, coord, topic, world["pharma"], "100.00", kind="ikop",
        third_country_costs=Decimal("20.02"),
    )  # fmt: skip
    assert len(warnings) == 1 and "non-associated third countries are 20.0 %" in warnings[0]


def test_topic_under_its_required_contribution_share_warns(db, world, make_user):
    topic = make_topic(db, world, eu="1100.00")  # 45 % of total cost needs 900 of 2000
    coord = make_user(role="coordinator")
    warnings = _confirm(db, coord, topic, world["pharma"], "899.99")
    assert len(warnings) == 1 and "under the required 45 %" in warnings[0]
    assert _confirm(db, coord, topic, world["pharma"], "0.01") == []


def _envelope_events(db):
    return db.scalars(
        select(OutboxMessage.event)
        .where(OutboxMessage.event.like("envelope.%"), OutboxMessage.channel == "email")
        .order_by(OutboxMessage.id)
    ).all()


def test_envelope_crossings_are_told_once_each_to_coordinators_and_admins(db, world, make_user):
    world["programme"].partner_envelope = Decimal("100.00")
    db.commit()
    topic = make_topic(db, world)
    partner = make_partner(db, world["programme"])
    coord, admin = make_user(role="coordinator"), make_user(role="admin")
    make_user()  # a viewer hears nothing
    _confirm(db, coord, topic, partner, "50.00")
    assert _envelope_events(db) == []
    _confirm(db, coord, topic, partner, "30.00")  # 80 % reached exactly
    assert _envelope_events(db) == ["envelope.80", "envelope.80"]
    _confirm(db, coord, topic, partner, "10.00")
    _confirm(db, coord, topic, world["pharma"], "500.00")  # members do not use the envelope
    assert len(_envelope_events(db)) == 2
    _confirm(db, coord, topic, partner, "10.00")
    events = _envelope_events(db)
    assert events == ["envelope.80"] * 2 + ["envelope.100"] * 2
    recipients = db.scalars(
        select(OutboxMessage.recipient_id).where(OutboxMessage.event == "envelope.100")
    ).all()
    assert set(recipients) == {coord.id, admin.id}
