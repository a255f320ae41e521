"""Organisation profiles: editing rights, audit, duplicates, merge, expertise streams."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from models import (
    AuditEntry,
    CordisProject,
    MatchRequest,
    Organisation,
    OrganisationMembership,
    Participation,
    Pledge,
    SuggestedMember,
    Topic,
    TopicIndustryPartner,
)
from services.consortia import expertise_data as expertise
from services.core.context import RequestContext
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from services.organisations import profiles as orgs
from services.organisations import search as orgsearch
from services.organisations.cordis_import import create_run, run_import
from tests.services import cordis_files as cf


def _import(db, folder):
    r = create_run(db, RequestContext(None), *cf.write(folder))
    run_import(db, r.id)
    db.commit()
    return r


def test_own_representative_edits_descriptive_fields_only(app, db, world, make_user):
    uni = world["uni"]
    rep = make_user("viewer", org_id=uni.id, org_role="applicant")
    changed = orgs.update_profile(db, RequestContext(rep), uni, {"description": "We study tests.",
                                                 "keywords": "testing"})  # fmt: skip
    db.commit()
    assert set(changed) == {"description", "keywords"}
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "organisation.update"))
    assert entry.actor_id == rep.id and entry.object_id == uni.id
    assert entry.details["changes"]["description"] == {"old": "", "new": "We study tests."}
    with pytest.raises(PermissionDenied):
        orgs.update_profile(
            db, RequestContext(rep), uni, {"legal_name": "Renamed", "description": "x"}
        )
    db.rollback()
    db.refresh(uni)
    assert uni.legal_name == "University of Testing" and uni.description == "We study tests."
    # unchanged office fields sent along are fine (a full form)
    orgs.update_profile(
        db, RequestContext(rep), uni, {"legal_name": uni.legal_name, "city": "Testville"}
    )
    assert uni.city == "Testville"


def test_others_cannot_edit(app, db, world, make_user):
    other_rep = make_user("viewer", org_id=world["pharma"].id)
    for user in (other_rep, make_user("viewer")):
        with pytest.raises(PermissionDenied):
            orgs.update_profile(db, RequestContext(user), world["uni"], {"description": "hijacked"})


def test_coordinator_edits_everything_with_validation(app, db, world, make_user):
    coordinator = make_user("coordinator")
    uni = world["uni"]
    with pytest.raises(InvalidInput) as exc:
        orgs.update_profile(
            db, RequestContext(coordinator), uni, {"pic": "900000001", "country": "XX"}
        )
    assert set(exc.value.field_errors) == {"pic", "country"}
    changed = orgs.update_profile(
        db,
        RequestContext(coordinator),
        uni,
        {
            "legal_name": "Universität Test",
            "country": "at",
            "sector": "research",
            "is_sme": False,
        },
    )
    assert set(changed) == {"legal_name", "country", "sector"}
    assert uni.country == "AT" and uni.search_name.startswith("universitat test")


def test_duplicates_and_merge_keep_history(app, db, world, make_user, tmp_path):
    _import(db, tmp_path / "a")
    ki = db.scalar(select(Organisation).where(Organisation.pic == "999000001"))
    copy = Organisation(legal_name="Karolinska Institutet AB", country="SE", sector="academia",
                        description="Typed in by hand.")  # fmt: skip
    db.add(copy)
    db.flush()
    # the copy has its own history: a membership, a pledge, a topic, a suggestion, a project
    topic = Topic(programme_id=world["programme"].id, sgg_id=world["sgg_a"].id, title="T1")
    db.add(topic)
    db.flush()
    user = make_user("viewer", org_id=copy.id, org_role="applicant")
    request = MatchRequest(topic_id=topic.id, input_hash="h")
    db.add_all([
        Pledge(topic_id=topic.id, organisation_id=copy.id, kind="fc", amount=Decimal("10.00")),
        TopicIndustryPartner(topic_id=topic.id, organisation_id=copy.id),
        request,
    ])  # fmt: skip
    db.flush()
    db.add(SuggestedMember(request_id=request.id, organisation_id=copy.id, rank=1, score=0.5))
    db.add(
        Participation(
            project_id=cf.P1,
            organisation_id=copy.id,
            role="coordinator",
            eu_contribution=Decimal("1.00"),
        )
    )  # clashes with KI's own row
    db.add(Participation(project_id=cf.P2, organisation_id=copy.id, role="associatedPartner"))
    db.commit()

    groups = orgs.duplicate_groups(db)
    assert [[o.id for o in g.organisations] for g in groups] == [[ki.id, copy.id]]

    admin = make_user("admin")
    with pytest.raises(PermissionDenied):
        orgs.merge(db, RequestContext(make_user("coordinator")), ki.id, copy.id)
    details = orgs.merge(db, RequestContext(admin), ki.id, copy.id)
    db.commit()
    assert details["participations"]["moved"] == 1
    assert details["participations"]["dropped_as_duplicates"][0]["eu_contribution"] == Decimal(
        "1.00"
    )
    for model in (OrganisationMembership, Pledge, TopicIndustryPartner, SuggestedMember):
        assert db.scalar(select(model.organisation_id)) == ki.id
    assert (
        db.scalar(
            select(func.count())
            .select_from(Participation)
            .where(Participation.organisation_id == ki.id)
        )
        == 3
    )
    db.refresh(copy)
    db.refresh(ki)
    assert copy.merged_into_id == ki.id and ki.description == "Typed in by hand."
    assert user.org_memberships[0].organisation_id == ki.id
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "organisation.merge"))
    assert entry.details["merged"]["legal_name"] == "Karolinska Institutet AB"
    assert orgs.duplicate_groups(db) == []
    with pytest.raises(Conflict):
        orgs.merge(db, RequestContext(admin), ki.id, copy.id)
    with pytest.raises(InvalidInput):
        orgs.merge(db, RequestContext(admin), ki.id, ki.id)


def test_reimport_after_merge_follows_it(app, db, make_user, tmp_path):
    _import(db, tmp_path / "a")
    pharma = db.scalar(select(Organisation).where(Organisation.pic == "999000005"))
    ki = db.scalar(select(Organisation).where(Organisation.pic == "999000001"))
    orgs.merge(db, RequestContext(make_user("admin")), ki.id, pharma.id)
    db.commit()
    r = _import(db, tmp_path / "b")
    assert r.counts["organisations_merged_away"] == 1
    assert r.counts["participations_created"] == 0
    assert (
        db.scalar(
            select(func.count())
            .select_from(Participation)
            .where(Participation.organisation_id == pharma.id)
        )
        == 0
    )


def test_profile_data(app, db, tmp_path):
    _import(db, tmp_path)
    ki = db.scalar(select(Organisation).where(Organisation.pic == "999000001"))
    history = orgs.history_page(db, ki.id, 1, 20, total=2)
    assert [p.project_id for p in history.items] == [cf.P2, cf.P1]  # newest first
    assert [p.project_id for p in orgs.history_page(db, ki.id, 2, 1, total=2).items] == [cf.P1]
    past_the_end = orgs.history_page(db, ki.id, 9, 1, total=2)
    assert past_the_end.page == 2 and [p.project_id for p in past_the_end.items] == [cf.P1]
    collaborators = orgs.collaborators(db, ki.id)
    assert {c.legal_name: c.shared for c in collaborators} == {
        "UNIVERSITÉ PARIS-SACLAY": 1,
        "BIOTECH STARTUP GMBH": 1,
        "BIG PHARMA AG": 1,
    }
    org, totals = orgs.with_totals(db, ki.id)
    assert org is ki
    with pytest.raises(NotFound):
        orgs.with_totals(db, 10**9)
    assert totals["participations"] == 2 and totals["coordinations"] == 1
    assert Decimal(totals["eu_contribution"]) == Decimal("1250000.50")
    assert orgsearch.participation_counts(db, [ki.id]) == {ki.id: 2}


def test_expertise_streams(app, db, tmp_path):
    _import(db, tmp_path)
    docs = list(expertise.iter_project_docs(db))
    assert [d.project_id for d in docs] == [cf.P1, cf.P2]
    assert "Antimicrobial" in docs[0].text and "microbiology" in docs[0].text
    pairs = list(expertise.iter_participations(db))
    assert len(pairs) == 5 and len(set(pairs)) == 5
    candidates = list(expertise.candidate_rows(db))
    assert {c.pic for c in candidates} == {"999000001", "999000002", "999000003", "999000005"}
    assert db.scalar(select(func.count()).select_from(CordisProject)) == 2
