"""Expressions of interest: express, edit, withdraw; who sees them; what a match does with them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

import models
from models.interests import NOTE_MAX
from services.consortia import interest
from services.consortia import match_requests as consortia
from services.core.context import RequestContext
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied

URL = "http://testserver"


def ctx(user):
    return RequestContext(user, public_url=URL)


def _count(db, model=models.TopicInterest):
    return db.scalar(select(func.count()).select_from(model))


@pytest.fixture
def open_topic(db, pool):
    topic = pool["topic"]
    topic.status = "published"
    db.commit()
    return topic


def _run(db, settings, user, topic, **raw):
    req, reused = consortia.request_match(db, ctx(user), topic.id, raw)
    db.commit()
    consortia.run_match(db, ctx(None), req.id, settings.instance_path)
    db.commit()
    db.refresh(req)
    assert req.status == "done", req.error
    return req, reused


def test_express_edit_withdraw_and_who_sees_it(db, pool, open_topic, make_user, world):
    coord = make_user("coordinator")
    nordic = pool["by_name"]["Nordic Vax"]
    rep = make_user(org_id=nordic.id)
    applicant = make_user(org_id=pool["by_name"]["Glucose Tech"].id, org_role="applicant")
    sgg = make_user(sgg_id=world["sgg_a"].id)
    other_sgg = make_user(sgg_id=world["sgg_b"].id)
    viewer = make_user()
    mine = interest.express_interest(db, ctx(rep), open_topic.id, nordic.id, "  Infant trials  ")
    theirs = interest.express_interest(
        db, ctx(applicant), open_topic.id, applicant.org_memberships[0].organisation_id, ""
    )
    db.commit()
    assert mine.note == "Infant trials" and mine.created_by_id == rep.id
    # Coordinators are told (inbox and email), the actor is not.
    told = db.scalars(
        select(models.OutboxMessage).where(models.OutboxMessage.event == "topic.interest")
    ).all()
    assert {m.recipient_id for m in told} == {coord.id}
    assert any("Nordic Vax is interested" in m.subject for m in told)
    assert all(m.link == f"{URL}/topics/{open_topic.id}#interest" for m in told)
    # Coordinators and the topic's SGG see every interest; a partner only its own.
    everyone = [mine.id, theirs.id]
    for user in (coord, sgg):
        assert sorted(i.id for i in interest.visible_interests(db, user, open_topic.id)) == sorted(
            everyone
        )
    assert [i.id for i in interest.visible_interests(db, rep, open_topic.id)] == [mine.id]
    for user in (other_sgg, viewer):
        assert interest.visible_interests(db, user, open_topic.id) == []
    with pytest.raises(NotFound):
        interest.get_interest(db, viewer, mine.id)
    assert interest.get_interest(db, sgg, mine.id) is mine
    # The panel of the topic page.
    panel = interest.panel(db, rep, open_topic)
    assert panel.mine == [(nordic, mine)] and not panel.sees_all and panel.open
    assert interest.panel(db, viewer, open_topic).shown is False
    # Edit, then withdraw.
    interest.edit_interest(db, ctx(rep), mine.id, "Infant trials and assays")
    db.commit()
    assert db.get(models.TopicInterest, mine.id).note == "Infant trials and assays"
    with pytest.raises(PermissionDenied, match="organisation's own people"):
        interest.edit_interest(db, ctx(coord), mine.id, "the office's words")
    for user in (applicant, viewer):  # another organisation's interest is not even seen
        with pytest.raises(NotFound):
            interest.withdraw_interest(db, ctx(user), mine.id)
    db.rollback()
    interest.withdraw_interest(db, ctx(rep), mine.id)
    db.commit()
    assert interest.interested_ids(db, open_topic.id) == [theirs.organisation_id]
    actions = db.scalars(
        select(models.AuditEntry.action).where(models.AuditEntry.action.like("topic.interest%"))
    ).all()
    assert sorted(actions) == sorted(
        ["topic.interest_expressed"] * 2 + ["topic.interest_edited", "topic.interest_withdrawn"]
    )


@pytest.mark.parametrize(
    "note, message",
    [
        ("bad \x00 byte", "NUL byte"),
        ("lone \ud800 half", "lone surrogate"),
        ("x" * (NOTE_MAX + 1), f"at most {NOTE_MAX} characters"),
        (42, "Give the note as text."),
    ],
)
def test_bad_notes_are_refused_and_nothing_written(db, pool, open_topic, make_user, note, message):
    nordic = pool["by_name"]["Nordic Vax"]
    rep = make_user(org_id=nordic.id)
    with pytest.raises(InvalidInput, match=message) as exc:
        interest.express_interest(db, ctx(rep), open_topic.id, nordic.id, note)
    assert list(exc.value.field_errors) == ["note"]
    db.rollback()
    assert _count(db) == 0
    kept = interest.express_interest(db, ctx(rep), open_topic.id, nordic.id, "x" * NOTE_MAX)
    db.commit()
    with pytest.raises(InvalidInput, match=message):
        interest.edit_interest(db, ctx(rep), kept.id, note)
    db.rollback()
    assert db.get(models.TopicInterest, kept.id).note == "x" * NOTE_MAX


def test_refusals(db, pool, open_topic, make_user, world):
    nordic, tau = pool["by_name"]["Nordic Vax"], pool["by_name"]["Tau Biotech"]
    rep = make_user(org_id=nordic.id)
    coord = make_user("coordinator")
    with pytest.raises(PermissionDenied, match="your own organisations"):
        interest.express_interest(db, ctx(rep), open_topic.id, tau.id, "")
    with pytest.raises(PermissionDenied):
        interest.express_interest(db, ctx(coord), open_topic.id, nordic.id, "")
    with pytest.raises(PermissionDenied):
        interest.express_interest(db, ctx(None), open_topic.id, nordic.id, "")
    with pytest.raises(NotFound):
        interest.express_interest(db, ctx(rep), 10**9, nordic.id, "")
    interest.express_interest(db, ctx(rep), open_topic.id, nordic.id, "first")
    db.commit()
    with pytest.raises(Conflict, match="already expressed interest"):
        interest.express_interest(db, ctx(rep), open_topic.id, nordic.id, "again")
    db.rollback()
    # A hidden draft is not found; a topic no longer open is a state refusal.
    draft = models.Topic(programme=world["programme"], sgg=world["sgg_b"], title="Hidden draft")
    db.add(draft)
    db.commit()
    with pytest.raises(NotFound):
        interest.express_interest(db, ctx(rep), draft.id, nordic.id, "")
    open_topic.status = "stage1_closed"
    db.commit()
    kept = interest.visible_interests(db, rep, open_topic.id)[0]
    with pytest.raises(Conflict, match="open for applications"):
        interest.edit_interest(db, ctx(rep), kept.id, "late")
    db.rollback()
    interest.withdraw_interest(db, ctx(rep), kept.id)  # withdrawing is always possible
    db.commit()
    assert _count(db) == 0


def test_a_match_ignores_marks_or_prefers_interested_organisations(
    db, pool, open_topic, make_user, settings
):
    coord = make_user("coordinator")
    plain, _ = _run(db, settings, coord, open_topic, interest="ignore")
    assert plain.params["interested"] == []
    alternates = sorted((m for m in plain.members if m.is_alternate), key=lambda m: m.rank)
    outsider = alternates[-1].organisation  # a low-ranked alternate
    member = next(m for m in plain.members if not m.is_alternate).organisation
    for org in (outsider, member):
        rep = make_user(org_id=org.id)
        interest.express_interest(db, ctx(rep), open_topic.id, org.id, "We bring assays.")
    db.commit()
    # ignore: the same inputs as before, the stored result.
    again, reused = _run(db, settings, coord, open_topic, interest="ignore")
    assert reused and again.id == plain.id
    marked, reused = _run(db, settings, coord, open_topic, interest="mark")
    assert not reused and marked.params["interested"] == sorted([outsider.id, member.id])
    seats = {m.organisation_id: m for m in marked.members if not m.is_alternate}
    assert "expressed interest in this topic" in seats[member.id].explanation["reasons"]
    assert outsider.id not in seats
    preferred, _ = _run(db, settings, coord, open_topic, interest="prefer", interest_bonus=1.0)
    seats = {m.organisation_id: m for m in preferred.members if not m.is_alternate}
    assert outsider.id in seats
    reasons = seats[outsider.id].explanation["reasons"]
    assert any(r.startswith("expressed interest in this topic (+") for r in reasons), reasons
