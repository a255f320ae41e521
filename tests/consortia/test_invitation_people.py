"""Invitations to persons: contacts and users invited with signed links, accounts made from a
link, expiry (= declined), reminders, answers changed until the consortium is closed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

import models
from models.base import utcnow
from services.consortia import invitation_deadlines, invitation_page, invitations, invitees, seats
from services.consortia import match_requests as consortia
from services.consortia import review as consortium_review
from services.core.context import RequestContext
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from workers.schedule import periodic_jobs

URL = "http://testserver"
LINK = re.compile(r"/invitations/([A-Za-z0-9_\-]+)")


def ctx(user, days=14):
    return RequestContext(user, public_url=URL, invitation_expiry_days=days)


def _finalised(db, settings, pool, coord, people, days=14):
    """A finished suggestion whose members get ``people(members)`` before it is finalised."""
    req, _ = consortia.request_match(db, RequestContext(coord), pool["topic"].id, {})
    db.commit()
    consortia.run_match(db, ctx(None), req.id, settings.instance_path)
    db.commit()
    members = consortium_review.active(req)
    people(members)
    db.commit()
    invs = {i.member_id: i for i in invitations.finalise(db, ctx(coord, days), req.id)}
    db.commit()
    return req, members, invs


def _contact(db, org_id, name, email, user=None):
    c = models.Contact(
        organisation_id=org_id, name=name, email=email, user_id=user.id if user else None
    )
    db.add(c)
    return c


def _mails_to(db, email):
    return db.scalars(
        select(models.OutboxMessage).where(
            models.OutboxMessage.recipient_email == email, models.OutboxMessage.channel == "email"
        )
    ).all()


def _token(db, email, nth=-1):
    return LINK.search(_mails_to(db, email)[nth].body_text).group(1)


def _count(db, model):
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model))


def test_finalise_invites_every_contact_and_user_once(db, pool, make_user, settings):
    coord = make_user("coordinator")
    seen = {}

    def people(members):
        a, b = members[0].organisation_id, members[1].organisation_id
        rep = make_user("viewer", email="rep-a@example.org", org_id=a)
        _contact(db, a, "Ann Contact", "ann@example.org")
        _contact(db, a, "Rep A", "rep-a@example.org", rep)  # contact and user: invited once
        outsider = make_user("viewer", email="bob@example.org")  # an account, not a member
        _contact(db, b, "Bob", "bob@example.org")
        seen.update(rep=rep, outsider=outsider)

    _req, members, invs = _finalised(db, settings, pool, coord, people, days=5)
    a, b, c = (invs[m.id] for m in members[:3])
    assert (a.status, b.status, c.status) == ("sent", "sent", "no_contact")
    assert sorted(p.email for p in a.people) == ["ann@example.org", "rep-a@example.org"]
    assert abs((a.expires_at - utcnow()) - timedelta(days=5)) < timedelta(minutes=1)
    assert c.expires_at is None and c.people == []
    # Ann has no account: an email to her address, no inbox row; the others get both.
    (ann,) = _mails_to(db, "ann@example.org")
    assert ann.recipient_id is None and "create one" in ann.body_text
    assert pool["topic"].title in ann.subject and "Please answer by" in ann.body_text
    assert len(_mails_to(db, "rep-a@example.org")) == 1
    assert _mails_to(db, "bob@example.org")[0].recipient_id == seen["outsider"].id
    # Only hashes are stored: the raw token of the mail is nowhere in the table.
    raw = _token(db, "ann@example.org")
    stored = db.scalars(select(models.InvitedPerson.token_hash)).all()
    assert raw not in stored and len(set(stored)) == len(stored)


def test_signed_link_account_tampering_reuse_and_expiry(db, pool, make_user, settings):
    coord = make_user("coordinator")

    def people(members):
        _contact(db, members[0].organisation_id, "Ann Contact", "ann@example.org")
        _contact(db, members[1].organisation_id, "Bob", "bob@example.org")
        make_user("viewer", email="bob@example.org")

    _req, members, invs = _finalised(db, settings, pool, coord, people)
    raw = _token(db, "ann@example.org")
    for bad in (raw[:-1] + ("A" if raw[-1] != "A" else "B"), raw + "x", "", "x" * 500, "a\x00b"):
        with pytest.raises(NotFound):
            invitees.find_link(db, bad)
    users = _count(db, models.User)
    for name, password, error in (
        ("Ann\x00", "a long password", InvalidInput),
        ("", "a long password", InvalidInput),
        ("Ann", "short", InvalidInput),
    ):
        with pytest.raises(error):
            invitees.create_account(db, ctx(None), raw, name=name, password=password)
        db.rollback()
    assert _count(db, models.User) == users  # refused: nothing written
    user = invitees.create_account(
        db, ctx(None), raw, name=" Ann Smith ", password="a long password"
    )
    db.commit()
    assert (user.email, user.name, user.role) == ("ann@example.org", "Ann Smith", "viewer")
    org_id = members[0].organisation_id
    assert user.org_memberships[0].organisation_id == org_id
    assert (
        db.scalar(select(models.Contact.user_id).where(models.Contact.email == user.email))
        == user.id
    )
    inv = invitations.get_invitation(db, user, invs[members[0].id].id)  # lands on it
    assert inv.organisation_id == org_id
    with pytest.raises(Conflict, match="exists already"):  # reuse of the account link
        invitees.create_account(db, ctx(None), raw, name="Eve", password="another password")
    db.rollback()
    # An account holder signs in: the link makes them act for the organisation.
    bob_raw = _token(db, "bob@example.org")
    bob = db.scalar(select(models.User).where(models.User.email == "bob@example.org"))
    with pytest.raises(PermissionDenied, match=r"sent to bob@example\.org"):
        invitees.claim_link(db, ctx(user), bob_raw)
    db.rollback()
    assert invitees.claim_link(db, ctx(bob), bob_raw).id == invs[members[1].id].id
    db.commit()
    assert invitations.get_invitation(db, bob, invs[members[1].id].id)
    # Past its expiry the link is refused, even before the beat job ran.
    inv.expires_at = utcnow() - timedelta(seconds=1)
    db.commit()
    with pytest.raises(Conflict, match="expired"):
        invitees.find_link(db, raw)
    with pytest.raises(Conflict, match="expired"):
        invitations.respond(db, ctx(user), inv.id, True)


def test_reminders_once_then_expiry_counts_as_declined(db, pool, make_user, settings):
    coord = make_user("coordinator")

    def people(members):
        _contact(db, members[0].organisation_id, "Ann Contact", "ann@example.org")

    req, members, invs = _finalised(db, settings, pool, coord, people)
    seat = members[0]
    inv = invs[seat.id]
    first = _token(db, "ann@example.org")
    run = invitation_deadlines.run
    assert run(db, settings) == {"expired": 0, "reminded": 0}  # 14 days ahead: nothing due
    soon = utcnow() + timedelta(days=settings.invitation_reminder_days) - timedelta(hours=1)
    inv.expires_at = soon
    db.commit()
    assert run(db, settings) == {"expired": 0, "reminded": 1}
    db.commit()
    assert run(db, settings) == {"expired": 0, "reminded": 0}  # idempotent
    db.commit()
    mails = _mails_to(db, "ann@example.org")
    assert len(mails) == 2 and mails[1].subject.startswith("Reminder: ")
    second = _token(db, "ann@example.org")
    assert invitees.find_link(db, first).id == invitees.find_link(db, second).id
    assert seat.id not in seats.open_seats(db, req)
    later = soon + timedelta(minutes=1)
    assert run(db, settings, later) == {"expired": 1, "reminded": 0}
    db.commit()
    assert run(db, settings, later) == {"expired": 0, "reminded": 0}
    db.commit()
    db.refresh(inv)
    assert inv.status == "expired" and inv.member.status == "declined"
    offers = seats.open_seats(db, req)[seat.id]  # exactly as a decline: ranked alternates
    assert offers.keep_rules
    told = db.scalars(
        select(models.OutboxMessage).where(
            models.OutboxMessage.event == "invitation.expired",
            models.OutboxMessage.channel == "inbox",
        )
    ).all()
    assert [m.recipient_id for m in told] == [coord.id]
    placed = seats.invite_to_seat(
        db, ctx(coord), req.id, offers.keep_rules[0].organisation.id, seat.id,
        settings.instance_path,
    )  # fmt: skip
    db.commit()
    assert placed.invitation.member.rank == seat.rank
    jobs = {j.task for j in periodic_jobs(settings)}
    assert "workers.invitation_tasks.invitation_deadlines" in jobs


def test_answer_changes_until_closed_with_reasons(db, pool, make_user, settings):
    coord = make_user("coordinator")
    who = {}

    def people(members):
        who["a"] = make_user("viewer", org_id=members[0].organisation_id)
        who["b"] = make_user("viewer", org_id=members[1].organisation_id)

    req, members, invs = _finalised(db, settings, pool, coord, people)
    a, b = invs[members[0].id], invs[members[1].id]
    answers = _count(db, models.AuditEntry)
    for reason in ("", "   ", "no\x00thanks", "x" * 2001):
        with pytest.raises(InvalidInput):
            invitations.respond(db, ctx(who["a"]), a.id, False, reason)
        db.rollback()
    assert (
        _count(db, models.AuditEntry) == answers
        and db.get(models.Invitation, a.id).status == "sent"
    )
    invitations.respond(db, ctx(who["a"]), a.id, True)
    db.commit()
    invitations.respond(db, ctx(who["a"]), a.id, False, "Our lab closes in June.")
    db.commit()
    db.refresh(a)
    assert (a.status, a.reason, a.member.status) == (
        "declined",
        "Our lab closes in June.",
        "declined",
    )
    inbox = db.scalars(
        select(models.OutboxMessage.body_text).where(
            models.OutboxMessage.event == "invitation.declined",
            models.OutboxMessage.recipient_id == coord.id,
            models.OutboxMessage.channel == "inbox",
        )
    ).all()
    assert any("Our lab closes in June." in text for text in inbox)
    audit = db.scalars(
        select(models.AuditEntry).where(
            models.AuditEntry.action == "consortium.invitation.declined"
        )
    ).all()
    assert audit[-1].details["reason"] == "Our lab closes in June."
    invitations.respond(db, ctx(who["a"]), a.id, True)  # changed back: the seat was still free
    db.commit()
    invitations.respond(db, ctx(who["b"]), b.id, False, "No capacity.")
    db.commit()
    offer = seats.open_seats(db, req)[members[1].id].offers[0]
    seats.invite_to_seat(db, ctx(coord), req.id, offer.organisation.id, members[1].id,
                         settings.instance_path)  # fmt: skip
    db.commit()
    with pytest.raises(Conflict, match="seat went to another organisation"):
        invitations.respond(db, ctx(who["b"]), b.id, True)
    gone = invitation_page.invitee_view(db, who["b"], b.id)
    assert gone.seat_taken and not gone.can_answer
    db.rollback()
    # Accepted members see the consortium read-only; the others do not.
    view = invitation_page.member_view(db, who["a"], req.id)
    assert [m.name for m in view.accepted] == [members[0].organisation.display_name]
    assert view.coordinator == (coord.name, coord.email)
    with pytest.raises(NotFound):
        invitation_page.member_view(db, who["b"], req.id)
    # Closing ends it: no answer changes, nobody more is invited.
    with pytest.raises(NotFound):  # a member does not see the coordinator's page
        invitations.close(db, ctx(who["a"]), req.id)
    invitations.close(db, ctx(coord), req.id)
    db.commit()
    with pytest.raises(Conflict, match="closed"):
        invitations.respond(db, ctx(who["a"]), a.id, False, "Changed my mind.")
    with pytest.raises(Conflict, match="closed"):
        invitations.close(db, ctx(coord), req.id)
    with pytest.raises(Conflict, match="closed"):
        seats.place(db, ctx(coord), req.id, pool["orgs"][-1].id, None, settings.instance_path)
    db.rollback()
    assert db.get(models.Invitation, a.id).status == "accepted"


def test_invitee_page_in_plain_words(db, pool, make_user, settings):
    coord = make_user("coordinator")
    who = {}

    def people(members):
        who["a"] = make_user("viewer", org_id=members[0].organisation_id)
        who["b"] = make_user("viewer", org_id=members[1].organisation_id)

    _req, members, invs = _finalised(db, settings, pool, coord, people)
    invitations.respond(db, ctx(who["b"]), invs[members[1].id].id, True)
    db.commit()
    v = invitation_page.invitee_view(db, who["a"], invs[members[0].id].id)
    text = " ".join(v.why)
    assert "fit" not in text and "must_include" not in text and "relative" not in text
    assert v.projects and all(p.title for p in v.projects)
    titles = {p.title for p in v.projects}
    assert titles <= set(db.scalars(select(models.CordisProject.title)))
    assert [m.name for m in v.consortium.accepted] == [members[1].organisation.display_name]
    assert v.consortium.coordinator == (coord.name, coord.email)
    assert v.consortium.topic_title == pool["topic"].title and v.consortium.topic_summary
    assert v.can_answer and not v.expired


def test_add_a_contact_to_a_member_without_anyone(db, pool, make_user, settings):
    coord = make_user("coordinator")
    req, members, invs = _finalised(db, settings, pool, coord, lambda members: None)
    quiet = members[0]
    assert invs[quiet.id].status == "no_contact"
    contacts = _count(db, models.Contact)
    for name, email, error in (
        ("", "c@example.org", InvalidInput),
        ("Carl", "not-an-email", InvalidInput),
        ("Carl\x00", "c@example.org", InvalidInput),
        ("Carl", "c@exa\x00mple.org", InvalidInput),
    ):
        with pytest.raises(error):
            invitees.add_contact_and_invite(
                db, ctx(coord), req.id, quiet.id, name=name, email=email
            )
        db.rollback()
    assert _count(db, models.Contact) == contacts
    sgg = make_user("viewer", sgg_id=pool["topic"].sgg_id)
    with pytest.raises(PermissionDenied):
        invitees.add_contact_and_invite(db, ctx(sgg), req.id, quiet.id, name="C", email="c@x.org")
    db.rollback()
    inv = invitees.add_contact_and_invite(
        db, ctx(coord, 7), req.id, quiet.id, name="Carl", email=" Carl@Example.org ",
        function="Grants office",
    )  # fmt: skip
    db.commit()
    assert inv.status == "sent" and inv.expires_at > utcnow() + timedelta(days=6)
    assert [p.email for p in inv.people] == ["carl@example.org"]
    assert _mails_to(db, "carl@example.org")
    with pytest.raises(Conflict, match="already"):
        invitees.add_contact_and_invite(
            db, ctx(coord), req.id, quiet.id, name="Carl", email="carl@example.org"
        )
