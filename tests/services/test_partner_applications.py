"""The associated-partner journey."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import AuditEntry, Organisation, OutboxMessage
from services.core.context import RequestContext
from services.core.errors import Conflict, InvalidInput, PermissionDenied
from services.pledges import lifecycle as pledges
from services.pledges import partners
from tests.pledge_helpers import form, make_topic


def _foundation(db) -> Organisation:
    org = Organisation(legal_name="Gates-like Foundation", country="NL", sector="other")
    db.add(org)
    db.commit()
    return org


def test_apply_approve_then_pledge(db, world, make_user):
    org = _foundation(db)
    rep = make_user(org_id=org.id)
    coord = make_user(role="coordinator")
    topic = make_topic(db, world)
    with pytest.raises(PermissionDenied):
        pledges.create_pledge(
            db, RequestContext(rep), topic_id=topic.id, organisation_id=org.id, data=form()
        )
    app_ = partners.apply(
        db, RequestContext(rep), organisation_id=org.id, programme_id=world["programme"].id,
        partner_type="associated", motivation="We fund vaccines.",
    )  # fmt: skip
    with pytest.raises(Conflict, match="already has an application"):
        partners.apply(
            db, RequestContext(rep), organisation_id=org.id, programme_id=world["programme"].id,
            partner_type="contributing",
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        partners.decide(db, RequestContext(rep), app_.id, approve=True)
    partners.decide(db, RequestContext(coord), app_.id, approve=True)
    db.commit()
    assert db.get(Organisation, org.id).partner_type == "associated"
    change = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "organisation.partner_type_changed")
    ).one()
    assert change.details == {"partner_type": {"old": None, "new": "associated"}}
    told = db.scalars(
        select(OutboxMessage.recipient_id).where(
            OutboxMessage.event == "partner_application.approved"
        )
    ).all()
    assert set(told) == {rep.id}
    pledges.create_pledge(
        db, RequestContext(rep), topic_id=topic.id, organisation_id=org.id, data=form()
    )
    with pytest.raises(Conflict, match="already approved"):
        partners.decide(db, RequestContext(coord), app_.id, approve=False, note="late")


def test_reject_needs_a_note_and_leaves_partner_type(db, world, make_user):
    org = _foundation(db)
    admin = make_user(role="admin")
    coord = make_user(role="coordinator")
    app_ = partners.apply(
        db, RequestContext(admin), organisation_id=org.id, programme_id=world["programme"].id,
        partner_type="contributing",
    )  # fmt: skip
    with pytest.raises(InvalidInput):
        partners.decide(db, RequestContext(coord), app_.id, approve=False)
    partners.decide(
        db, RequestContext(coord), app_.id, approve=False, note="Belongs to a member association"
    )
    db.commit()
    assert db.get(Organisation, org.id).partner_type is None
    assert not partners.may_pledge(db, org, world["programme"].id)


def test_members_and_strangers_cannot_apply(db, world, make_user):
    rep = make_user(org_id=world["pharma"].id)
    other = make_user(org_id=world["uni"].id, org_role="applicant")
    with pytest.raises(Conflict, match="member of the partnership"):
        partners.apply(
            db, RequestContext(rep), organisation_id=world["pharma"].id,
            programme_id=world["programme"].id, partner_type="associated",
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        partners.apply(
            db, RequestContext(other), organisation_id=world["uni"].id,
            programme_id=world["programme"].id, partner_type="associated",
        )  # fmt: skip
