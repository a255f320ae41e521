"""Pledge lifecycle: who may pledge, to which topics, what a pledge must hold, states, audit,
notifications."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from models import AuditEntry, OutboxMessage, Pledge
from services.core.context import RequestContext
from services.core.errors import Conflict, InvalidInput, PermissionDenied
from services.pledges import decisions as pledge_decisions
from services.pledges import lifecycle as pledges
from tests.pledge_helpers import add_pledge, form, make_partner, make_topic


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_draft_edit_submit_confirm_with_audit_and_events(db, world, make_user):
    topic = make_topic(db, world)
    rep = make_user(org_id=world["pharma"].id)
    coord = make_user(role="coordinator")
    pledge = pledges.create_pledge(
        db, RequestContext(rep), topic_id=topic.id, organisation_id=world["pharma"].id, data=form()
    )
    assert pledge.status == "draft" and pledge.amount == Decimal("1250000.50")
    assert pledge.personnel + pledge.consumables == pledge.amount
    pledges.update_pledge(
        db,
        RequestContext(rep),
        pledge,
        form(amount="1,300,000.50", consumables="300,000.50", note="More"),
    )
    update = db.scalars(select(AuditEntry).where(AuditEntry.action == "pledge.updated")).one()
    assert update.details["changes"]["amount"] == {"old": "1250000.50", "new": "1300000.50"}
    assert update.details["changes"]["note"] == {"old": "Imaging platform time.", "new": "More"}
    pledges.submit_pledge(db, RequestContext(rep, public_url="http://pm"), pledge)
    with pytest.raises(Conflict, match="Only draft pledges can be edited"):
        pledges.update_pledge(db, RequestContext(rep), pledge, form())
    db.commit()
    to_coord = db.scalars(
        select(OutboxMessage).where(
            OutboxMessage.event == "pledge.submitted", OutboxMessage.channel == "email"
        )
    ).one()
    assert to_coord.recipient_id == coord.id and "http://pm/pledges/" in to_coord.link

    decision = pledge_decisions.confirm_pledge(db, RequestContext(coord), pledge.id)
    db.commit()
    assert decision.pledge.status == "confirmed"
    assert decision.pledge.eu_match == Decimal("1300000.50")  # 1:1, member: outside envelope
    assert decision.pledge.from_envelope is False
    told = db.scalars(
        select(OutboxMessage.recipient_id).where(OutboxMessage.event == "pledge.confirmed")
    ).all()
    assert set(told) == {rep.id}
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "pledges"))
    assert {"pledge.created", "pledge.updated", "pledge.submitted", "pledge.confirmed"} <= set(
        actions
    )
    confirmed = db.scalars(select(AuditEntry).where(AuditEntry.action == "pledge.confirmed")).one()
    assert confirmed.details["changes"]["status"] == {"old": "submitted", "new": "confirmed"}
    assert confirmed.details["changes"]["eu_match"] == {"old": None, "new": "1300000.50"}


@pytest.mark.parametrize("status", ["idea", "screening", "closed", "rejected", "withdrawn"])
def test_topics_before_drafting_or_finished_take_no_pledge(db, world, make_user, status):
    topic = make_topic(db, world, status=status)
    rep = make_user(org_id=world["pharma"].id)
    with pytest.raises(Conflict, match="pledges are taken from drafting"):
        pledges.create_pledge(
            db,
            RequestContext(rep),
            topic_id=topic.id,
            organisation_id=world["pharma"].id,
            data=form(),
        )


@pytest.mark.parametrize("status", ["drafting", "consultation", "published", "stage2"])
def test_topics_from_drafting_on_take_pledges(db, world, make_user, status):
    topic = make_topic(db, world, status=status)
    rep = make_user(org_id=world["pharma"].id)
    pledges.create_pledge(
        db, RequestContext(rep), topic_id=topic.id, organisation_id=world["pharma"].id, data=form()
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"consumables": "250,000.49"}, "amount", "must be equal to the cent"),
        ({"personnel": "", "consumables": ""}, "personnel", "Break the in-kind amount down"),
        ({"kind": "fc"}, "personnel", "has no cost breakdown"),
        ({"third_country_costs": "2,000,000"}, "third_country_costs", "cannot exceed"),
        ({"kind": "ikaa", "third_country_costs": "5"}, "third_country_costs", "operational"),
        ({"entity": "affiliated"}, "affiliated_entity", "Name the affiliated entity"),
        ({"start_year": "2031", "end_year": "2027"}, "end_year", "before the start year"),
        ({"start_year": "20x7"}, "start_year", "Enter a year"),
        ({"amount": "-1"}, "amount", "negative"),
        ({"kind": "cash"}, "kind", "Choose the kind"),
    ],
)
def test_pledge_fields_are_checked(db, world, make_user, overrides, field, message):
    topic = make_topic(db, world)
    rep = make_user(org_id=world["pharma"].id)
    with pytest.raises(InvalidInput) as err:
        pledges.create_pledge(
            db,
            RequestContext(rep),
            topic_id=topic.id,
            organisation_id=world["pharma"].id,
            data=form(**overrides),
        )
    assert any(message in m for m in err.value.field_errors[field]), err.value.field_errors
    assert _count(db, Pledge) == 0


def test_affiliated_entity_and_cash_are_kept(db, world, make_user):
    topic = make_topic(db, world)
    rep = make_user(org_id=world["pharma"].id)
    data = form(
        kind="fc", personnel="", consumables="", entity="affiliated", affiliated_entity="P1 GmbH"
    )
    pledge = pledges.create_pledge(
        db, RequestContext(rep), topic_id=topic.id, organisation_id=world["pharma"].id, data=data
    )
    assert pledge.contributing_entity == "P1 GmbH" and pledge.personnel is None


def test_rep_cannot_pledge_for_another_organisation(db, world, make_user):
    topic = make_topic(db, world)
    rep = make_user(org_id=world["pharma"].id)
    with pytest.raises(PermissionDenied, match="partner representative of Pharma Two"):
        pledges.create_pledge(
            db,
            RequestContext(rep),
            topic_id=topic.id,
            organisation_id=world["pharma2"].id,
            data=form(),
        )


def test_coordinator_cannot_pledge_even_as_partner_rep(db, world, make_user):
    topic = make_topic(db, world)
    coord = make_user(role="coordinator", org_id=world["pharma"].id)
    with pytest.raises(PermissionDenied):
        pledges.create_pledge(
            db,
            RequestContext(coord),
            topic_id=topic.id,
            organisation_id=world["pharma"].id,
            data=form(),
        )


def test_rep_cannot_confirm_or_reject(db, world, make_user):
    topic = make_topic(db, world)
    rep = make_user(org_id=world["pharma"].id)
    pledge = add_pledge(db, topic, world["pharma"], "100.00")
    with pytest.raises(PermissionDenied):
        pledge_decisions.confirm_pledge(db, RequestContext(rep), pledge.id)
    with pytest.raises(PermissionDenied):
        pledge_decisions.reject_pledge(db, RequestContext(rep), pledge.id, reason="no")


def test_non_member_without_approval_cannot_pledge_and_approved_one_can(db, world, make_user):
    topic = make_topic(db, world)
    stranger = make_partner(db, world["programme"], name="Stranger Trust", approved=False)
    approved = make_partner(db, world["programme"], name="Approved Trust")
    rep_s = make_user(org_id=stranger.id)
    rep_a = make_user(org_id=approved.id)
    with pytest.raises(PermissionDenied, match="apply to become"):
        pledges.create_pledge(
            db, RequestContext(rep_s), topic_id=topic.id, organisation_id=stranger.id, data=form()
        )
    pledges.create_pledge(
        db, RequestContext(rep_a), topic_id=topic.id, organisation_id=approved.id, data=form()
    )


def test_ikaa_only_from_members_on_creation_and_confirmation(db, world, make_user):
    topic = make_topic(db, world)
    partner = make_partner(db, world["programme"], partner_type="contributing")
    rep = make_user(org_id=partner.id)
    coord = make_user(role="coordinator")
    with pytest.raises(InvalidInput, match="Only members"):
        pledges.create_pledge(
            db,
            RequestContext(rep),
            topic_id=topic.id,
            organisation_id=partner.id,
            data=form(kind="ikaa"),
        )
    # A pledge that got past creation (e.g. made before a rule change) is still refused.
    pledge = add_pledge(db, topic, partner, "100.00", kind="ikaa")
    with pytest.raises(Conflict, match="only from members"):
        pledge_decisions.confirm_pledge(db, RequestContext(coord), pledge.id)
    db.rollback()
    member_pledge = add_pledge(db, topic, world["pharma"], "100.00", kind="ikaa")
    decision = pledge_decisions.confirm_pledge(db, RequestContext(coord), member_pledge.id)
    assert decision.pledge.status == "confirmed"
    assert decision.pledge.eu_match == Decimal("0.00")  # IKAA is not matched


def test_reject_needs_reason_and_tells_partner(db, world, make_user):
    topic = make_topic(db, world)
    rep = make_user(org_id=world["pharma"].id)
    coord = make_user(role="coordinator")
    pledge = add_pledge(db, topic, world["pharma"], "100.00")
    with pytest.raises(InvalidInput):
        pledge_decisions.reject_pledge(db, RequestContext(coord), pledge.id, reason=" ")
    pledge_decisions.reject_pledge(db, RequestContext(coord), pledge.id, reason="Out of scope")
    db.commit()
    assert db.get(Pledge, pledge.id).status == "rejected"
    msg = db.scalars(
        select(OutboxMessage).where(
            OutboxMessage.event == "pledge.rejected", OutboxMessage.channel == "inbox"
        )
    ).one()
    assert msg.recipient_id == rep.id and "Out of scope" in msg.body_text
    with pytest.raises(Conflict):
        pledge_decisions.confirm_pledge(db, RequestContext(coord), pledge.id)


def test_withdrawal_from_each_state(db, world, make_user):
    topic = make_topic(db, world)
    partner = make_partner(db, world["programme"])
    rep = make_user(org_id=partner.id)
    coord = make_user(role="coordinator")
    draft = add_pledge(db, topic, partner, "10.00", status="draft")
    pledges.withdraw_pledge(db, RequestContext(rep), draft)
    submitted = add_pledge(db, topic, partner, "20.00")
    pledges.withdraw_pledge(db, RequestContext(rep), submitted)
    db.commit()
    events = db.scalars(
        select(OutboxMessage).where(
            OutboxMessage.event == "pledge.withdrawn", OutboxMessage.channel == "email"
        )
    ).all()
    assert [e.object_id for e in events] == [submitted.id]  # drafts were never seen
    assert events[0].recipient_id == coord.id
    with pytest.raises(Conflict):
        pledges.withdraw_pledge(db, RequestContext(rep), submitted)


def test_withdrawing_a_confirmed_pledge_needs_a_reason_and_releases_its_match(db, world, make_user):
    world["programme"].partner_envelope = Decimal("100.00")
    db.commit()
    topic = make_topic(db, world)
    partner = make_partner(db, world["programme"])
    rep = make_user(org_id=partner.id)
    coord = make_user(role="coordinator")
    first = add_pledge(db, topic, partner, "100.00")
    pledge_decisions.confirm_pledge(db, RequestContext(coord), first.id)
    db.commit()
    second = add_pledge(db, topic, partner, "60.00")
    with pytest.raises(Conflict, match=r"only EUR 0\.00 remains"):
        pledge_decisions.confirm_pledge(db, RequestContext(coord), second.id)
    db.rollback()
    with pytest.raises(InvalidInput, match="Say why"):
        pledges.withdraw_pledge(db, RequestContext(rep), db.get(Pledge, first.id))
    pledges.withdraw_pledge(db, RequestContext(rep), db.get(Pledge, first.id), reason="Budget cut")
    db.commit()
    first = db.get(Pledge, first.id)
    assert first.status == "withdrawn" and first.eu_match is None
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "pledge.withdrawn")).one()
    assert entry.details["eu_match"] == {"old": "100.00", "new": None}
    assert pledge_decisions.confirm_pledge(
        db, RequestContext(coord), second.id
    ).pledge.eu_match == Decimal("60.00")
