"""Every edit of the consortium page before and after finalising, and what open seats offer."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

import models
from services.consortia import invitations, seats
from services.consortia import match_requests as consortia
from services.consortia import review as consortium_review
from services.core.context import RequestContext
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied

URL = "http://testserver"


def ctx(user):
    return RequestContext(user, public_url=URL)


def _done(db, settings, user, pool, **raw):
    req, _ = consortia.request_match(db, RequestContext(user), pool["topic"].id, raw)
    db.commit()
    consortia.run_match(db, ctx(None), req.id, settings.instance_path)
    db.commit()
    db.refresh(req)
    assert req.status == "done", req.error
    return req


def _rows(db, req):
    """(organisation, status, rank, is_alternate) of every row: what an edit may change."""
    db.expire_all()
    return sorted(
        db.execute(
            select(
                models.SuggestedMember.organisation_id,
                models.SuggestedMember.status,
                models.SuggestedMember.rank,
                models.SuggestedMember.is_alternate,
            ).where(models.SuggestedMember.request_id == req.id)
        ).all()
    )


def _outsiders(req, pool):
    """Organisations of the pool with no row in the request (no member, no alternate)."""
    rows = {m.organisation_id for m in req.members}
    return [o for o in pool["orgs"] if o.id not in rows]


def _refused(db, req, error, match, fn, *args):
    before = _rows(db, req)
    with pytest.raises(error, match=match):
        fn(*args)
    db.rollback()
    assert _rows(db, req) == before


def test_add_and_swap_from_search_before_finalising(db, pool, make_user, settings):
    coord = make_user("coordinator")
    req = _done(db, settings, coord, pool, alternates=0)  # nobody else has a row
    first, second = _outsiders(req, pool)[:2]
    path = settings.instance_path
    added = seats.place(db, ctx(coord), req.id, first.id, None, path)
    db.commit()
    assert added.invitation is None and added.replaced is None
    row = added.member
    assert (row.status, row.rank, row.explanation["source"]) == ("suggested", 7, "search")
    assert row.explanation["reasons"]  # scored by the expertise index
    size = next(c for c in consortium_review.review(db, coord, req.id).checks if "size" in c.label)
    assert size.detail == "7 of 6 seats filled"
    seat = consortium_review.active(req)[1]
    swapped = seats.place(db, ctx(coord), req.id, second.id, seat.id, path)
    db.commit()
    assert swapped.member.rank == seat.rank and swapped.replaced.id == seat.id
    assert db.get(models.SuggestedMember, seat.id).status == "removed"
    assert swapped.member.explanation["constraint"].startswith("replaces ")
    other = _done(db, settings, coord, pool, size=5, min_countries=3)
    # Bad input: a clear refusal, nothing changed.
    _refused(db, req, Conflict, "already a member", seats.place,
             db, ctx(coord), req.id, first.id, None, path)  # fmt: skip
    _refused(db, req, Conflict, "was removed from this consortium; restore it", seats.place,
             db, ctx(coord), req.id, seat.organisation_id, None, path)  # fmt: skip
    _refused(db, req, InvalidInput, "No such organisation", seats.place,
             db, ctx(coord), req.id, 10**9, None, path)  # fmt: skip
    elsewhere = consortium_review.active(other)[0].id
    _refused(db, req, NotFound, "No such member", seats.place,
             db, ctx(coord), req.id, first.id, elsewhere, path)  # fmt: skip
    _refused(db, req, Conflict, "its seat is not open", consortium_review.swap,
             db, ctx(coord), req.id, seat.id, first.id, path)  # fmt: skip


def test_lock_unlock_remove_restore(db, pool, make_user, settings):
    coord = make_user("coordinator")
    req = _done(db, settings, coord, pool)
    m = consortium_review.active(req)[0]

    def act(action):
        status = consortium_review.set_status(db, ctx(coord), req.id, m.id, action).status
        db.commit()
        return status

    assert act("lock") == "locked"
    _refused(db, req, Conflict, "is locked: it cannot be locked", act, "lock")
    assert act("unlock") == "suggested"
    _refused(db, req, Conflict, "is suggested: it cannot be restored", act, "restore")
    assert act("remove") == "removed"
    _refused(db, req, Conflict, "is removed: it cannot be removed", act, "remove")
    _refused(db, req, InvalidInput, "Unknown action", act, "explode")
    # The removed seat is open; an alternate takes it, then the old member comes back.
    offer = seats.open_seats(db, req)[m.id].keep_rules[0]
    seats.place(db, ctx(coord), req.id, offer.organisation.id, m.id, settings.instance_path)
    db.commit()
    assert m.id not in seats.open_seats(db, req)
    assert act("restore") == "suggested"
    db.commit()
    assert m.rank == 7 and "replaced_by" not in m.explanation  # an extra seat, not its old one


def test_removed_seat_offers_alternates_that_keep_every_rule(db, pool, make_user, settings):
    coord = make_user("coordinator")
    req = _done(db, settings, coord, pool)
    academic = next(m for m in consortium_review.active(req) if m.organisation.sector == "academia")
    consortium_review.set_status(db, ctx(coord), req.id, academic.id, "remove")
    db.commit()
    offers = seats.open_seats(db, req)[academic.id]
    assert offers.keep_rules and not offers.best_breaking
    assert offers.keeping >= len(offers.keep_rules)
    others = [m.organisation for m in consortium_review.active(req)]
    for offer in offers.keep_rules:
        checks = consortium_review.rule_checks(req, [*others, offer.organisation])
        assert all(c.ok for c in checks), (offer.organisation.legal_name, checks)
        assert offer.organisation.sector == "academia"  # the second academic seat
    seated = seats.place(
        db, ctx(coord), req.id, offers.keep_rules[0].organisation.id, academic.id,
        settings.instance_path,
    )  # fmt: skip
    db.commit()
    assert seated.member.rank == academic.rank
    assert consortium_review.evaluate(req).eligible
    assert seats.open_seats(db, req) == {}


def test_without_a_rule_keeping_alternate_the_broken_rule_is_named(db, pool, make_user, settings):
    coord = make_user("coordinator")
    by_name = pool["by_name"]
    other_smes = ["Adjuvant Biotech", "Glucose Tech", "Tau Biotech", "Antibiotic SME"]
    req = _done(
        db, settings, coord, pool, min_sme_share=0,
        exclude=[by_name[n].id for n in other_smes],
    )  # fmt: skip
    sme = next(m for m in consortium_review.active(req) if m.organisation.sector == "sme")
    consortium_review.set_status(db, ctx(coord), req.id, sme.id, "remove")
    db.commit()
    offers = seats.open_seats(db, req)[sme.id]
    assert offers.keep_rules == [] and 0 < len(offers.best_breaking) <= seats.BREAKERS_SHOWN
    assert offers.keeping == 0
    for offer in offers.best_breaking:
        assert any(b.startswith("Sector target: SME") for b in offer.breaks), offer.breaks
    reasons = seats.exclusion_reasons(db, req)
    assert reasons[by_name["Glucose Tech"].id] == "excluded by this request"
    assert "industry partner" in reasons[by_name["Swiss Pharma"].id]


def test_capacity_reached_since_the_run_is_named(db, pool, make_user, settings):
    coord = make_user("coordinator")
    req = _done(db, settings, coord, pool, capacity=1)
    busy = _done(db, settings, coord, pool, size=5, min_countries=3, capacity=2)
    seat = consortium_review.active(req)[0]
    consortium_review.set_status(db, ctx(coord), req.id, seat.id, "remove")
    db.commit()
    first = seats.open_seats(db, req)[seat.id].keep_rules[0].organisation
    taken = next(m for m in busy.members if m.organisation_id == first.id)
    taken.is_alternate, taken.status = False, "accepted"  # it joined the other consortium
    db.commit()
    offers = seats.open_seats(db, req)[seat.id]
    assert first.id not in {o.organisation.id for o in offers.offers}
    assert (
        seats.exclusion_reasons(db, req)[first.id] == "already in 1 active consortia (capacity 1)"
    )


def test_after_finalising(db, pool, make_user, settings):
    coord = make_user("coordinator")
    req = _done(db, settings, coord, pool, alternates=0)
    members = consortium_review.active(req)
    # The seats that decline and stay quiet are ones the engine kept alternates for (which
    # seats have them depends on ties between equal scores, i.e. on ids: not what is tested).
    with_alternates = [m for m in members if (m.explanation or {}).get("alternates")]
    declining, quiet = with_alternates[0], with_alternates[1]
    kept = next(m for m in members if m.id not in (declining.id, quiet.id))
    decliner = make_user("viewer", org_id=declining.organisation_id)
    make_user("viewer", org_id=kept.organisation_id)
    invs = {i.member_id: i for i in invitations.finalise(db, ctx(coord), req.id)}
    db.commit()
    path = settings.instance_path
    outsiders = _outsiders(req, pool)
    # The edits of a suggestion are over, with a message that says what still can be done.
    for fn, args in (
        (consortium_review.set_status, (kept.id, "lock")),
        (consortium_review.set_status, (kept.id, "remove")),
        (consortium_review.swap, (kept.id, outsiders[0].id, path)),
        (consortium_review.add, (outsiders[0].id, path)),
        (consortium_review.reoptimise, (path,)),
    ):
        _refused(db, req, Conflict, "finalised: .* alternate", fn, db, ctx(coord), req.id, *args)
    _refused(db, req, Conflict, "is not open", seats.place,
             db, ctx(coord), req.id, outsiders[0].id, kept.id, path)  # fmt: skip
    assert set(seats.open_seats(db, req)) == {m.id for m in members if invs[m.id].status
                                              == "no_contact"}  # fmt: skip
    invitations.respond(db, ctx(decliner), invs[declining.id].id, False, "No capacity this year.")
    db.commit()
    offered = seats.open_seats(db, req)
    assert offered[declining.id].offers, "a declined seat offers its alternates"
    # A searched organisation takes the declined seat and is invited.
    placed = seats.place(db, ctx(coord), req.id, outsiders[0].id, declining.id, path)
    db.commit()
    assert placed.invitation.organisation_id == outsiders[0].id
    assert placed.member.status == "invited" and placed.member.rank == declining.rank
    assert declining.id not in seats.open_seats(db, req)
    # An unreachable seat goes to one of its offers; its invitation is withdrawn.
    offer = seats.open_seats(db, req)[quiet.id].offers[0]
    seats.place(db, ctx(coord), req.id, offer.organisation.id, quiet.id, path)
    db.commit()
    assert db.get(models.Invitation, invs[quiet.id].id).status == "withdrawn"
    # An extra seat after finalising: the organisation is invited at once.
    extra = seats.place(db, ctx(coord), req.id, outsiders[1].id, None, path)
    db.commit()
    assert extra.invitation is not None and extra.member.status == "invited"
    count = db.scalar(select(func.count(models.Invitation.id)))
    _refused(db, req, Conflict, "declined the invitation", seats.place,
             db, ctx(coord), req.id, declining.organisation_id, None, path)  # fmt: skip
    asker = make_user("viewer", sgg_id=pool["topic"].sgg_id)
    _refused(db, req, PermissionDenied, "Only coordinators", seats.place,
             db, ctx(asker), req.id, outsiders[2].id, None, path)  # fmt: skip
    assert db.scalar(select(func.count(models.Invitation.id))) == count
