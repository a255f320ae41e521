from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from models import (
    CordisProject,
    Organisation,
    OrganisationMembership,
    Participation,
    SggMembership,
    Topic,
    User,
)
from services.demo import load as demo


def test_demo_loads_every_role_and_enough_organisations_once(db) -> None:
    assert demo.load(db) is True
    db.commit()
    roles = Counter(u.role for u in db.scalars(select(User)))
    assert roles["admin"] >= 1 and roles["coordinator"] >= 1 and roles["viewer"] >= 1
    assert db.scalar(select(func.count()).select_from(SggMembership)) >= 2
    org_roles = {m.role for m in db.scalars(select(OrganisationMembership))}
    assert org_roles == {"partner_rep", "applicant"}
    applicants = db.scalars(
        select(Organisation).where(
            Organisation.partner_type.is_(None), Organisation.is_efpia_member.is_(False)
        )
    )
    applicants = list(applicants)
    assert len(applicants) >= 200
    assert {o.sector for o in applicants} >= {"academia", "research", "sme", "patient", "public"}
    assert len({o.country for o in applicants}) >= 15
    states = {t.status for t in db.scalars(select(Topic))}
    assert len(states) >= 5
    # past projects give the demo organisations a track record for consortium matching
    assert db.scalar(select(func.count()).select_from(CordisProject)) >= 100
    assert db.scalar(select(func.count()).select_from(Participation)) >= 500
    before = db.scalar(select(func.count()).select_from(Organisation))
    assert demo.load(db) is False
    assert db.scalar(select(func.count()).select_from(Organisation)) == before


def test_demo_has_pledges_in_several_states_within_the_rules(db) -> None:
    from decimal import Decimal

    from models import PartnerApplication, Pledge
    from services.pledges.rules import envelope_used

    demo.load(db)
    db.commit()
    pledges = list(db.scalars(select(Pledge)))
    assert {p.status for p in pledges} == {
        "draft",
        "submitted",
        "confirmed",
        "rejected",
        "withdrawn",
    }
    for p in pledges:
        if p.kind != "fc":
            assert (
                sum(getattr(p, f) or Decimal(0) for f in ("personnel", "consumables")) == p.amount
            )
        if p.kind == "ikaa":
            assert p.organisation.is_efpia_member
    programme = pledges[0].topic.programme
    assert Decimal(0) < envelope_used(db, programme.id) <= programme.partner_envelope
    statuses = {a.status for a in db.scalars(select(PartnerApplication))}
    assert statuses == {"approved", "pending"}
