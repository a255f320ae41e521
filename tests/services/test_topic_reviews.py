"""Reviews (conflicts of interest, half points, thresholds), comments and their events."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from models import OutboxMessage
from services.core.context import RequestContext
from services.core.errors import Conflict, InvalidInput, PermissionDenied
from services.topics import comments, lifecycle, review_assignments, reviews
from tests.topic_support import make_people, make_reviewer, make_topic


def _events(db, event=None):
    query = select(OutboxMessage).where(OutboxMessage.channel == "inbox")
    if event:
        query = query.where(OutboxMessage.event == event)
    return {(m.event, m.recipient_id) for m in db.scalars(query)}


@pytest.fixture
def people(db, world, make_user):
    return make_people(db, world, make_user)


def test_conflicted_reviewer_neither_sees_nor_scores(db, world, make_user, people):
    coordinator = people["coordinator"]
    topic = make_topic(db, world, "consultation")
    honest, conflicted = (make_reviewer(db, world, make_user) for _ in range(2))
    for user in (honest, conflicted):
        review_assignments.assign_reviewer(db, RequestContext(coordinator), topic, user.id)
    db.commit()
    assert ("topic.review_requested", honest.id) in _events(db)
    with pytest.raises(Conflict, match="Declare your conflicts"):
        reviews.submit_review(db, RequestContext(honest), topic, {"excellence": 3}, "")
    assert reviews.visible_reviews(db, honest, topic) == []
    reviews.declare_coi(db, RequestContext(honest), topic, conflicted=False)
    with pytest.raises(InvalidInput):
        reviews.declare_coi(db, RequestContext(conflicted), topic, conflicted=True, reason=" ")
    reviews.declare_coi(
        db, RequestContext(conflicted), topic, conflicted=True, reason="I advise Pharma One."
    )
    with pytest.raises(Conflict):
        reviews.declare_coi(db, RequestContext(conflicted), topic, conflicted=False)
    scores = {"excellence": "4", "impact": "3.5", "implementation": "5"}
    reviews.submit_review(db, RequestContext(honest), topic, scores, "Good.")
    with pytest.raises(PermissionDenied):
        reviews.submit_review(db, RequestContext(conflicted), topic, scores, "")
    db.commit()
    assert reviews.visible_reviews(db, conflicted, topic) == []
    assert len(reviews.visible_reviews(db, honest, topic)) == 2
    assert len(reviews.visible_reviews(db, coordinator, topic)) == 2
    assert reviews.visible_reviews(db, people["sgg_same"], topic) == []
    assert ("topic.review_done", coordinator.id) in _events(db)


@pytest.mark.parametrize("bad", ["3.25", "5.5", "-0.5", "abc", "", "NaN", "Infinity", "1e1"])
def test_scores_are_0_to_5_in_half_points(db, world, make_user, bad):
    topic = make_topic(db, world, "consultation")
    reviewer = make_reviewer(db, world, make_user)
    boss = RequestContext(make_user("coordinator"))
    review_assignments.assign_reviewer(db, boss, topic, reviewer.id)
    reviews.declare_coi(db, RequestContext(reviewer), topic, conflicted=False)
    scores = {"excellence": "3", "impact": bad, "implementation": "0"}
    with pytest.raises(InvalidInput) as exc:
        reviews.submit_review(db, RequestContext(reviewer), topic, scores, "")
    assert set(exc.value.field_errors) == {"impact"}
    review = reviews.submit_review(
        db, RequestContext(reviewer), topic, {**scores, "impact": "4.5"}, ""
    )
    assert review.total == Decimal("7.5")


def test_mean_spread_and_thresholds(db, world, people, make_user):
    topic = make_topic(db, world, "consultation")
    for marks in (("3", "5", "4"), ("5", "3", "2")):
        user = make_reviewer(db, world, make_user)
        review_assignments.assign_reviewer(
            db, RequestContext(people["coordinator"]), topic, user.id
        )
        reviews.declare_coi(db, RequestContext(user), topic, conflicted=False)
        reviews.submit_review(
            db, RequestContext(user), topic, dict(zip(reviews.CRITERIA, marks, strict=True)), ""
        )
    db.commit()
    by_name = {c.name: c for c in reviews.summary(db, topic)}
    assert by_name["excellence"].mean == Decimal("4.00")
    assert by_name["excellence"].spread == Decimal("1.00")  # population SD of 3 and 5
    assert by_name["implementation"].mean == Decimal("3.00")
    assert by_name["implementation"].passes is True  # threshold 3 each (programme default)
    assert by_name["total"].mean == Decimal("11.00") and by_name["total"].passes is True
    # A stricter programme setting applies to evaluations that start after it, not this one.
    world["programme"].threshold_each = Decimal("3.5")
    db.commit()
    by_name = {c.name: c for c in reviews.summary(db, topic)}
    assert by_name["implementation"].passes is True
    assert by_name["implementation"].threshold == Decimal("3")
    later = make_topic(db, world, "consultation", title="A later topic")
    user = make_reviewer(db, world, make_user)
    review_assignments.assign_reviewer(db, RequestContext(people["coordinator"]), later, user.id)
    reviews.declare_coi(db, RequestContext(user), later, conflicted=False)
    marks = dict(zip(reviews.CRITERIA, ("3", "3", "3"), strict=True))
    reviews.submit_review(db, RequestContext(user), later, marks, "")
    db.commit()
    by_name = {c.name: c for c in reviews.summary(db, later)}
    assert by_name["implementation"].passes is False
    assert by_name["implementation"].threshold == Decimal("3.5")


def test_comment_levels_and_who_is_told(db, world, people, make_user):
    coordinator, member, rep = people["coordinator"], people["sgg_same"], people["partner_rep"]
    topic = make_topic(db, world, "consultation")
    reviewer = make_reviewer(db, world, make_user)
    review_assignments.assign_reviewer(db, RequestContext(coordinator), topic, reviewer.id)
    reviews.declare_coi(db, RequestContext(reviewer), topic, conflicted=False)
    db.commit()
    sgg_note = comments.add_comment(
        db, RequestContext(coordinator), topic, "For the SGG only", "sgg"
    )
    reply = comments.add_comment(
        db, RequestContext(member), topic, "Noted", "all", parent_id=sgg_note.id
    )
    assert reply.level == "sgg"  # a reply keeps its thread's level
    comments.add_comment(db, RequestContext(reviewer), topic, "Reviewer note", "reviewers")
    comments.add_comment(db, RequestContext(rep), topic, "Open remark", "all")
    with pytest.raises(PermissionDenied):
        comments.add_comment(db, RequestContext(rep), topic, "sneaky", "sgg")
    db.commit()

    def bodies(user):
        out = []

        def walk(nodes):
            for n in nodes:
                out.append(n.comment.body)
                walk(n.replies)

        walk(comments.visible_threads(db, user, topic))
        return set(out)

    everything = {"For the SGG only", "Noted", "Reviewer note", "Open remark"}
    assert bodies(coordinator) == everything
    assert bodies(member) == {"For the SGG only", "Noted", "Open remark"}
    assert bodies(rep) == {"Open remark"}
    assert bodies(reviewer) == {"Reviewer note", "Open remark"}
    assert bodies(people["viewer"]) == set()  # cannot see the topic at all
    # The partner was told of no comment: every one so far was theirs or above their level.
    assert rep.id not in {r for _e, r in _events(db, "topic.comment")}
    assert reviewer.id in {r for _e, r in _events(db, "topic.comment")}  # "Open remark"


def test_comment_recipients_are_exactly_its_readers(db, world, people, make_user):
    coordinator, member = people["coordinator"], people["sgg_same"]
    topic = make_topic(db, world, "consultation")
    db.commit()
    comments.add_comment(db, RequestContext(coordinator), topic, "For the SGG only", "sgg")
    db.commit()
    assert {r for _e, r in _events(db, "topic.comment")} == {member.id}


def test_transition_events_and_rollback(db, world, people):
    member, coordinator = people["sgg_same"], people["coordinator"]
    topic = make_topic(db, world, "idea")
    lifecycle.transition(db, RequestContext(member), topic, "submit")
    db.rollback()
    assert _events(db) == set()
    lifecycle.transition(db, RequestContext(member), topic, "submit")
    db.commit()
    # Coordinators are told once; the acting SGG member not at all.
    assert _events(db) == {("topic.submitted", coordinator.id)}
    lifecycle.transition(db, RequestContext(coordinator), topic, "accept")
    db.commit()
    assert ("topic.state_changed", member.id) in _events(db)
    assert ("topic.state_changed", people["sgg_other"].id) not in _events(db)
    email = db.scalars(
        select(OutboxMessage).where(
            OutboxMessage.channel == "email", OutboxMessage.recipient_id == member.id
        )
    ).one()
    assert f"/topics/{topic.id}" in email.body_text and "in drafting" in email.subject
