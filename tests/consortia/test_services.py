"""Match requests, review edits and invitations through the services (real database)."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select

import models
from matching.index import ExpertiseIndex
from matching.scoring import score_candidates
from matching.types import TopicQuery
from services.consortia import expertise_index as matching_index
from services.consortia import index_store, invitations, seats
from services.consortia import match_requests as consortia
from services.consortia import review as consortium_review
from services.core.context import RequestContext
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied

URL = "http://testserver"


def _run(db, settings, req):
    out = consortia.run_match(
        db, RequestContext(None, public_url=URL), req.id, settings.instance_path
    )
    db.commit()
    return out


def _events(db, event):
    return db.scalars(
        select(models.OutboxMessage).where(
            models.OutboxMessage.event == event, models.OutboxMessage.channel == "inbox"
        )
    ).all()


def test_request_runs_stores_result_and_rerun_is_idempotent(db, pool, make_user, world, settings):
    coord = make_user("coordinator")
    req, reused = consortia.request_match(db, RequestContext(coord), pool["topic"].id, {})
    db.commit()
    assert not reused and req.status == "queued"
    # Pre-filled from the topic profile; the two-stage call excludes the industry partners.
    assert req.params["size"] == 6 and req.params["min_countries"] == 4
    assert req.params["sector_counts"] == {"academia": 2, "sme": 1}
    assert req.params["industry_partners"] == "exclude"
    _run(db, settings, req)
    db.refresh(req)
    assert req.status == "done", req.error
    members = consortium_review.active(req)
    assert len(members) == 6
    swiss = pool["by_name"]["Swiss Pharma"].id
    assert swiss not in {m.organisation_id for m in members}
    for m in members:
        assert m.explanation["constraint"] and m.explanation["reasons"]
    assert any(m.explanation["top_projects"] for m in members)
    rv = consortium_review.evaluate(req)
    assert rv.eligible, [(c.label, c.detail) for c in rv.checks if not c.ok]
    assert len(_events(db, "match.ready")) == 1
    again, reused = consortia.request_match(db, RequestContext(coord), pool["topic"].id, {})
    assert reused and again.id == req.id
    # A finished run is never recomputed by a duplicate task either.
    assert (
        consortia.run_match(
            db, RequestContext(None, public_url=URL), req.id, settings.instance_path
        ).status
        == "done"
    )
    assert len(_events(db, "match.ready")) == 1
    changed, reused = consortia.request_match(
        db, RequestContext(coord), pool["topic"].id, {"size": 5}
    )
    assert not reused and changed.id != req.id


def test_failed_run_records_why_and_notifies(db, pool, make_user, settings):
    sgg_member = make_user("viewer", sgg_id=pool["topic"].sgg_id)
    req, _ = consortia.request_match(
        db, RequestContext(sgg_member), pool["topic"].id, {"min_countries": 30}
    )
    db.commit()
    _run(db, settings, req)
    db.refresh(req)
    assert req.status == "failed"
    assert "eligible countries" in req.error and "30 required" in req.error
    assert len(_events(db, "match.failed")) == 1
    # A failed run is not reused: asking again makes a new request.
    again, reused = consortia.request_match(
        db, RequestContext(sgg_member), pool["topic"].id, {"min_countries": 30}
    )
    assert not reused and again.id != req.id


def test_bad_parameters_are_refused_with_field_errors(db, pool, make_user):
    coord = make_user("coordinator")
    with pytest.raises(InvalidInput) as exc:
        consortia.request_match(
            db, RequestContext(coord), pool["topic"].id,
            {"size": 2, "sector_counts": {"academia": 3, "martians": 1}, "min_sme_share": 2},
        )  # fmt: skip
    assert set(exc.value.field_errors) >= {"sector_counts", "min_sme_share"}
    assert db.scalar(select(models.MatchRequest.id)) is None


def test_other_sgg_cannot_request_or_see(db, pool, make_user, world):
    outsider = make_user("viewer", sgg_id=world["sgg_b"].id)
    viewer = make_user("viewer")
    with pytest.raises(NotFound):  # another SGG's draft: hidden, not merely refused
        consortia.request_match(db, RequestContext(outsider), pool["topic"].id, {})
    coord = make_user("coordinator")
    req, _ = consortia.request_match(db, RequestContext(coord), pool["topic"].id, {})
    db.commit()
    for user in (outsider, viewer):
        with pytest.raises(NotFound):
            consortia.get_request(db, user, req.id)
        with pytest.raises(NotFound):
            consortium_review.review(db, user, req.id)
        assert db.scalars(consortia.visible_requests(db, user)).all() == []


def test_no_index_means_a_clear_message(db, world, make_user, settings):
    topic = models.Topic(programme=world["programme"], sgg=world["sgg_a"], title="T")
    db.add(topic)
    db.commit()
    with pytest.raises(InvalidInput, match="not been built"):
        consortia.request_match(db, RequestContext(make_user("coordinator")), topic.id, {})


def test_index_round_trip_and_staleness(db, pool, settings):
    version = pool["version"]
    root = index_store.index_root(settings.instance_path)
    assert (root / version.directory / "meta.json").exists()
    warm = matching_index.load_index(version, settings.instance_path)
    matching_index.clear_cache()
    cold = matching_index.load_index(version, settings.instance_path)
    assert cold is not warm
    all_ids = db.scalars(select(models.Organisation.id).order_by(models.Organisation.id)).all()
    assert [c.id for c in cold.candidates] == all_ids
    q = TopicQuery("pertussis vaccine", "adjuvant antigen infants")
    assert np.allclose(score_candidates(cold, q), score_candidates(warm, q))
    assert isinstance(ExpertiseIndex.load(root / version.directory), ExpertiseIndex)
    assert matching_index.load_index(version, settings.instance_path) is cold  # cached
    assert matching_index.refresh_if_stale(db) is None  # nothing changed
    db.add(models.Organisation(legal_name="New Org", country="LV", sector="sme", is_sme=True))
    db.commit()
    queued = matching_index.refresh_if_stale(db)
    assert queued is not None and queued.status == "queued"
    db.commit()
    built = matching_index.build_version(db, queued.id, settings.instance_path)
    db.commit()
    assert built.status == "ready" and built.n_candidates == len(all_ids) + 1
    assert matching_index.current_version(db).id == built.id


def _done(db, settings, user, pool, **raw):
    req, _ = consortia.request_match(db, RequestContext(user), pool["topic"].id, raw)
    db.commit()
    _run(db, settings, req)
    db.refresh(req)
    assert req.status == "done", req.error
    return req


def test_review_edits_recompute_checks(db, pool, make_user, settings):
    coord = make_user("coordinator")
    req = _done(db, settings, coord, pool)
    members = consortium_review.active(req)
    locked = members[0]
    consortium_review.set_status(db, RequestContext(coord), req.id, locked.id, "lock")
    victim = next(m for m in members[1:] if m.organisation.sector == "academia")
    consortium_review.set_status(db, RequestContext(coord), req.id, victim.id, "remove")
    db.commit()
    rv = consortium_review.review(db, coord, req.id)
    size_check = next(c for c in rv.checks if c.label == "Consortium size")
    assert not size_check.ok and "5 of 6" in size_check.detail
    # Swap another member for an organisation found by search: score from the index.
    members_now = {m.organisation_id for m in consortium_review.active(req)}
    outsider = next(  # the best-ranked alternate: an organisation with matching projects
        m.organisation
        for m in sorted(req.members, key=lambda m: m.rank)
        if m.is_alternate and m.organisation_id not in members_now | {victim.organisation_id}
    )
    found = seats.search_organisations(db, outsider.legal_name)
    assert found[0].id == outsider.id
    other = next(m for m in consortium_review.active(req) if m.status == "suggested")
    new = consortium_review.swap(
        db, RequestContext(coord), req.id, other.id, found[0].id, settings.instance_path
    )
    db.commit()
    assert new.score > 0 and new.explanation["source"] == "swap"
    assert new.explanation["top_projects"]
    # Refill: locked and chosen members stay, the removed one stays out.
    consortium_review.reoptimise(db, RequestContext(coord), req.id, settings.instance_path)
    db.commit()
    db.refresh(req)
    now = {m.organisation_id: m.status for m in consortium_review.active(req)}
    assert len(now) == 6 and now[locked.organisation_id] == "locked"
    assert found[0].id in now and victim.organisation_id not in now
    assert consortium_review.evaluate(req).eligible
    with pytest.raises(Conflict):
        consortium_review.set_status(db, RequestContext(coord), req.id, victim.id, "lock")


def test_requester_edits_but_other_sgg_member_cannot(db, pool, make_user, settings):
    asker = make_user("viewer", sgg_id=pool["topic"].sgg_id)
    colleague = make_user("viewer", sgg_id=pool["topic"].sgg_id)
    req = _done(db, settings, asker, pool)
    m = consortium_review.active(req)[0]
    consortium_review.set_status(db, RequestContext(asker), req.id, m.id, "lock")
    with pytest.raises(PermissionDenied):
        consortium_review.set_status(db, RequestContext(colleague), req.id, m.id, "unlock")
    with pytest.raises(PermissionDenied):
        invitations.finalise(db, RequestContext(asker, public_url=URL), req.id)


def test_compare_two_suggestions(db, pool, make_user, settings):
    coord = make_user("coordinator")
    a = _done(db, settings, coord, pool)
    b = _done(db, settings, coord, pool, size=5, min_countries=3)
    cmp = consortium_review.compare(db, coord, a.id, b.id)
    assert len(cmp.common) + len(cmp.only_a) == 6
    assert len(cmp.common) + len(cmp.only_b) == 5


def test_finalise_invite_accept_decline_and_alternate(db, pool, make_user, settings):
    coord = make_user("coordinator")
    req = _done(db, settings, coord, pool)
    members = consortium_review.active(req)
    reachable, declining = members[0], members[1]
    rep = make_user("viewer", org_id=reachable.organisation_id, org_role="applicant")
    decliner = make_user("viewer", org_id=declining.organisation_id)
    invs = invitations.finalise(db, RequestContext(coord, public_url=URL), req.id)
    db.commit()
    by_org = {i.organisation_id: i for i in invs}
    assert by_org[reachable.organisation_id].status == "sent"
    assert by_org[members[2].organisation_id].status == "no_contact"
    assert len(_events(db, "consortium.invitation")) == 2
    with pytest.raises(Conflict):
        invitations.finalise(db, RequestContext(coord, public_url=URL), req.id)
    with pytest.raises(Conflict, match="finalised"):
        consortium_review.set_status(db, RequestContext(coord), req.id, reachable.id, "remove")
    with pytest.raises(NotFound):  # not your organisation
        invitations.respond(
            db, RequestContext(decliner, public_url=URL), by_org[reachable.organisation_id].id, True
        )
    invitations.respond(
        db, RequestContext(rep, public_url=URL), by_org[reachable.organisation_id].id, True
    )
    inv = invitations.respond(
        db,
        RequestContext(decliner, public_url=URL),
        by_org[declining.organisation_id].id,
        False,
        "Our team is fully booked.",
    )
    db.commit()
    assert inv.member.status == "declined"
    assert len(_events(db, "invitation.accepted")) == 1
    assert len(_events(db, "invitation.declined")) == 1
    with pytest.raises(Conflict, match="accepted already"):
        invitations.respond(
            db, RequestContext(rep, public_url=URL), by_org[reachable.organisation_id].id, True
        )
    # The declined seat offers its alternates; invite the first one.
    offers = seats.open_seats(db, req)[declining.id].keep_rules
    assert offers
    first = offers[0].organisation.id
    new = invitations.invite_alternate(
        db,
        RequestContext(coord, public_url=URL),
        req.id,
        declining.id,
        first,
        settings.instance_path,
    )
    db.commit()
    assert new.organisation_id == first and new.member.status == "invited"
    with pytest.raises(Conflict, match="already went to another"):
        invitations.invite_alternate(
            db,
            RequestContext(coord, public_url=URL),
            req.id,
            declining.id,
            first,
            settings.instance_path,
        )
    # An unreachable seat can go to an alternate too.
    quiet = by_org[members[2].organisation_id]
    alt = seats.open_seats(db, req)[quiet.member_id].offers
    assert alt
    invitations.invite_alternate(
        db,
        RequestContext(coord, public_url=URL),
        req.id,
        quiet.member_id,
        alt[0].organisation.id,
        settings.instance_path,
    )
    db.commit()
    assert db.get(models.Invitation, quiet.id).status == "withdrawn"
    # Capacity: the accepted organisation now counts one active consortium.
    assert matching_index.active_consortia(db)[reachable.organisation_id] == 1
