"""Reviewer assignment: programme reviewers only, conflicts found from the data and refused
unless overridden with a reason, deadlines, and the topic's history of assignments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

import models
from services.core.context import RequestContext
from services.core.errors import Conflict, InvalidInput, PermissionDenied
from services.topics import review_assignments as assignments
from services.topics import review_conflicts
from tests.pledge_helpers import add_pledge
from tests.topic_support import make_topic, person


@pytest.fixture
def topic(db, world):
    """In consultation, SGG A, with Pharma One in its industry consortium."""
    return make_topic(db, world, "consultation")


@pytest.fixture
def boss(db, world):
    return RequestContext(person(db, world, role="coordinator"))


def _counts(db) -> tuple[int, int, int]:
    db.rollback()
    return tuple(
        db.scalar(select(func.count()).select_from(table))
        for table in (models.TopicReview, models.AuditEntry, models.OutboxMessage)
    )


def test_each_kind_of_conflict_is_found_with_its_reason(db, world, topic):
    other = models.Organisation(legal_name="Foundation Three", country="NL", sector="other")
    late = models.Organisation(legal_name="Gone Ltd", country="BE", sector="industry")
    db.add_all([other, late])
    db.commit()
    add_pledge(db, topic, world["pharma2"], "1000.00", status="submitted")
    add_pledge(db, topic, late, "1000.00", status="withdrawn")  # no stake any more
    author = person(db, world, org=other, org_role="applicant")
    db.add(models.TopicRevision(topic_id=topic.id, number=1, author_id=author.id, snapshot={}))
    member = person(db, world, sgg=world["sgg_a"], org=world["uni"], org_role="applicant")
    db.commit()
    people = {
        "industry_partner": person(db, world, reviewer=True, org=world["pharma"]),
        "pledging": person(db, world, reviewer=True, org=world["pharma2"]),
        "sgg_member": person(db, world, reviewer=True, sgg=world["sgg_a"]),
        "author": author,
        "same_organisation": person(
            db, world, reviewer=True, org=world["uni"], org_role="applicant"
        ),
        "colleague_of_author": person(db, world, reviewer=True, org=other, org_role="partner_rep"),
        "withdrawn_pledger": person(db, world, reviewer=True, org=late),
        "other_sgg": person(db, world, reviewer=True, sgg=world["sgg_b"]),
    }
    found = review_conflicts.conflicts_for(db, topic, [u.id for u in people.values()])
    kinds = {name: [c.kind for c in found[u.id]] for name, u in people.items()}
    assert kinds == {
        "industry_partner": ["industry_partner"],
        "pledging": ["pledging"],
        "sgg_member": ["sgg_member"],
        "author": ["author"],
        "same_organisation": ["same_organisation"],
        "colleague_of_author": ["same_organisation"],
        "withdrawn_pledger": [],
        "other_sgg": [],
    }
    text = {name: " ".join(c.text for c in found[u.id]) for name, u in people.items()}
    assert text["industry_partner"] == (
        "Partner representative of Pharma One AG, in this topic's industry consortium."
    )
    assert (
        text["pledging"] == "Partner representative of Pharma Two SA, which pledges to this topic."
    )
    assert text["sgg_member"] == "Member of SGG A, this topic's SGG."
    assert text["author"] == "Wrote this topic (revision 1)."
    assert text["same_organisation"] == (
        f"Acts for University of Testing, as does {member.name} (a member of this topic's SGG)."
    )
    assert f"as does {author.name} (an author of this topic)" in text["colleague_of_author"]


def test_picker_offers_programme_reviewers_only_and_searches(db, world, topic, boss):
    ann = person(db, world, reviewer=True, email="ann.lee@example.org")
    annette = person(db, world, reviewer=True, email="annette@example.org", sgg=world["sgg_a"])
    bob = person(db, world, reviewer=True, email="bob_100%@example.org")
    person(db, world, email="ann.applicant@example.org", org=world["uni"], org_role="applicant")
    person(db, world, role="coordinator", email="ann.office@example.org")
    elsewhere = models.Programme(code="OTHER", name="Other programme")
    db.add(elsewhere)
    db.flush()
    stranger = person(db, world, email="ann.other@example.org")
    db.add(models.ProgrammeReviewer(programme_id=elsewhere.id, user_id=stranger.id))
    db.commit()

    everyone = assignments.reviewer_picker(db, boss.actor, topic)
    assert [c.user.id for c in everyone.candidates] == [ann.id, annette.id, bob.id]
    assert everyone.total == 3
    assert everyone.default_due == assignments.local_today(topic) + timedelta(days=14)
    search = assignments.reviewer_picker(db, boss.actor, topic, "  ANN ")
    assert [c.user.id for c in search.candidates] == [ann.id, annette.id]
    assert [c.kind for c in search.candidates[1].conflicts] == ["sgg_member"]
    assert search.candidates[0].conflicts == []
    assert [
        c.user.id for c in assignments.reviewer_picker(db, boss.actor, topic, "0%").candidates
    ] == [bob.id]
    assert assignments.reviewer_picker(db, boss.actor, topic, "b_b").candidates == []  # literal
    assignments.assign_reviewer(db, boss, topic, ann.id)
    db.commit()
    left = assignments.reviewer_picker(db, boss.actor, topic, "ann")
    assert [c.user.id for c in left.candidates] == [annette.id]  # assigned: not offered again
    with pytest.raises(PermissionDenied):
        assignments.reviewer_picker(db, annette, topic)


def test_refused_assignments_change_nothing(db, world, topic, boss):
    rep = person(db, world, reviewer=True, org=world["pharma"])
    plain = person(db, world)
    fine = person(db, world, reviewer=True)
    before = _counts(db)
    with pytest.raises(Conflict) as refused:
        assignments.assign_reviewer(db, boss, topic, rep.id, override_reason="   ")
    assert "Partner representative of Pharma One AG" in refused.value.message
    assert "give the reason for the override" in refused.value.message
    with pytest.raises(InvalidInput, match="not a reviewer of Test programme"):
        assignments.assign_reviewer(db, boss, topic, plain.id)
    today = assignments.local_today(topic)
    for bad in ("yesterday", today.isoformat(), (today - timedelta(days=3)).isoformat(),
                (today + timedelta(days=400)).isoformat(), "9999-12-31"):  # fmt: skip
        with pytest.raises(InvalidInput) as exc:
            assignments.assign_reviewer(db, boss, topic, fine.id, bad)
        assert set(exc.value.field_errors) == {"due_date"}
    with pytest.raises(PermissionDenied):
        assignments.assign_reviewer(db, RequestContext(fine), topic, fine.id)
    with pytest.raises(InvalidInput):
        assignments.assign_reviewer(db, boss, topic, rep.id, override_reason="x\x00")
    assert _counts(db) == before


def test_override_records_its_reason_in_the_review_audit_and_history(db, world, topic, boss):
    rep = person(db, world, reviewer=True, org=world["pharma"])
    due = assignments.local_today(topic) + timedelta(days=10)
    review = assignments.assign_reviewer(
        db, boss, topic, rep.id, due.isoformat(), "The only expert on adjuvants; scores checked."
    )
    db.commit()
    assert review.override_reason == "The only expert on adjuvants; scores checked."
    assert review.overridden_by_id == boss.actor.id
    assert assignments.due_date_of(review, topic) == due
    local = review.due_at.astimezone(assignments._zone(topic))
    assert (local.hour, local.minute) == (23, 59)
    audit = {e.action: e.details for e in db.scalars(select(models.AuditEntry))}
    assert audit["topic.review_override"]["reason"] == review.override_reason
    assert audit["topic.review_override"]["conflicts"] == [
        "Partner representative of Pharma One AG, in this topic's industry consortium."
    ]
    assert audit["topic.review_assign"]["review_id"] == review.id
    told = db.scalars(
        select(models.OutboxMessage).where(
            models.OutboxMessage.recipient_id == rep.id, models.OutboxMessage.channel == "inbox"
        )
    ).one()
    assert told.event == "topic.review_requested" and f"{due:%d %b %Y}" in told.body_text

    lines = [f"{h.actor} {h.text}" for h in assignments.assignment_history(db, boss.actor, topic)]
    name = boss.actor.name
    assert lines[0] == f"{name} asked {rep.name} to review, due {due:%d %b %Y}"
    assert lines[1].startswith(f"{name} overrode a conflict of interest of {rep.name}")
    assert lines[1].endswith("Reason given: The only expert on adjuvants; scores checked.")
    member = person(db, world, sgg=world["sgg_a"])
    assert assignments.assignment_history(db, member, topic) == []
    assert assignments.assignment_history(db, rep, topic) == []


def test_deadline_changes_are_checked_and_in_the_history(db, world, topic, boss):
    reviewer = person(db, world, reviewer=True)
    review = assignments.assign_reviewer(db, boss, topic, reviewer.id)
    db.commit()
    today = assignments.local_today(topic)
    assert assignments.due_date_of(review, topic) == today + timedelta(days=14)
    with pytest.raises(InvalidInput):
        assignments.change_deadline(db, boss, topic, review.id, today.isoformat())
    with pytest.raises(Conflict, match="already has this deadline"):
        assignments.change_deadline(db, boss, topic, review.id, "")  # the default again
    with pytest.raises(PermissionDenied):
        assignments.change_deadline(db, RequestContext(reviewer), topic, review.id, "")
    later = today + timedelta(days=30)
    assignments.change_deadline(db, boss, topic, review.id, later.isoformat())
    db.commit()
    line = assignments.assignment_history(db, boss.actor, topic)[-1].text
    first = today + timedelta(days=14)
    assert line == (
        f"moved the deadline of {reviewer.name}'s review from {first:%d %b %Y} to {later:%d %b %Y}"
    )
    review.submitted_at = datetime.now(UTC)
    db.commit()
    with pytest.raises(Conflict, match="already submitted"):
        assignments.change_deadline(db, boss, topic, review.id, "")
