from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from models import Organisation, OrganisationMembership, SggMembership, Topic, User
from services import demo


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
    before = db.scalar(select(func.count()).select_from(Organisation))
    assert demo.load(db) is False
    assert db.scalar(select(func.count()).select_from(Organisation)) == before
