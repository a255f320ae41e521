"""Work queues per role: what each queue lists, in which group, with counts and ages, and
what a viewer must not see in it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

import models
from services import worklists
from services.core.context import RequestContext
from services.topics import comments, review_assignments, reviews
from services.worklists import partner as partner_queues
from services.worklists.items import SHOWN, duration, plural, until
from tests.pledge_helpers import add_pledge, make_partner
from tests.topic_support import make_people, make_reviewer, make_topic
from tests.worklist_support import invitation, match, queue, sections, titles


@pytest.fixture
def people(db, world, make_user):
    return make_people(db, world, make_user)


def test_words_count_and_age():
    assert [plural(n, "pledge", "pledges") for n in (0, 1, 2, 1000)] == [
        "0 pledges",
        "1 pledge",
        "2 pledges",
        "1,000 pledges",
    ]
    assert duration(59 * 60) == "less than an hour"
    assert duration(3600) == "1 hour"
    assert duration(3 * 86400 + 5) == "3 days"
    assert duration(90 * 86400) == "3 months"
    now = datetime(2026, 12, 1, tzinfo=UTC)
    assert until(now + timedelta(days=5, hours=1), now) == "in 5 days"
    assert until(now - timedelta(days=1), now) == "1 day ago"


def test_coordinator_queues(db, world, people):
    office = people["coordinator"]
    screening = make_topic(db, world, "screening", title="To screen")
    make_topic(db, world, "consultation", title="To approve")
    make_topic(db, world, "idea", title="Still an idea")
    for n in range(4):
        add_pledge(db, screening, world["pharma"], f"{n + 1}000.00")
    add_pledge(db, screening, world["pharma2"], "5.00", status="draft")
    partner = make_partner(db, world["programme"], name="Cure Foundation", approved=False)
    db.add(
        models.PartnerApplication(
            organisation_id=partner.id,
            programme_id=world["programme"].id,
            partner_type="associated",
        )
    )
    published = make_topic(db, world, "published", title="Published one")
    done = match(db, published, office)
    failed = match(db, published, office, status="failed", error="No index\ntrace")
    match(db, published, office, finished_days_ago=30)  # long ago: not in the queue
    match(db, published, office, finalised_at=datetime.now(UTC))  # finalised: handled
    open_seat = invitation(db, done, world["uni"], "declined")
    invitation(db, done, world["pharma2"], "declined", explanation={"replaced_by": 1})
    now = datetime.now(UTC)
    closed = match(db, published, office, finalised_at=now, closed_at=now)
    invitation(db, closed, world["uni"], "expired")
    waiting, conflicted, done_reviewer = people["reviewer"], people["viewer"], people["admin"]
    for user in (waiting, conflicted, done_reviewer):
        db.add(models.TopicReview(topic_id=published.id, reviewer_id=user.id))
    db.flush()
    db.query(models.TopicReview).filter_by(reviewer_id=conflicted.id).update({"coi": "conflicted"})
    db.query(models.TopicReview).filter_by(reviewer_id=done_reviewer.id).update(
        {"coi": "none", "submitted_at": datetime.now(UTC)}
    )
    db.commit()

    board = worklists.dashboard(db, office)
    assert sections(board) == ["coordinator"]
    topics = queue(board, "topics-to-decide")
    assert titles(topics, "To screen") == ["To screen"]
    assert titles(topics, "To approve") == ["To approve"]
    assert topics.count == "2 topics"
    pledges = queue(board, "pledges-to-confirm")
    assert pledges.count == "4 pledges"
    assert titles(pledges)[0] == "EUR 1,000.00 from Pharma One AG"
    assert "to “To screen”" in pledges.groups[0].items[0].detail
    apps = queue(board, "partner-applications")
    assert (apps.count, titles(apps)) == ("1 application", ["Cure Foundation"])
    jobs = queue(board, "match-jobs")
    assert {i.link.args["request_id"] for i in jobs.groups[0].items} == {done.id, failed.id}
    assert any(i.detail == "Failed: No index" for i in jobs.groups[0].items)
    seats = queue(board, "declined-invitations")
    assert seats.count == "1 seat to fill"
    [seat] = seats.groups[0].items
    assert seat.link.args == {"request_id": open_seat.request_id}
    assert seat.detail == "University of Testing declined"
    waiting_reviews = queue(board, "reviews-waiting")
    assert waiting_reviews.count == "1 review"
    assert waiting_reviews.groups[0].items[0].detail.startswith(f"{waiting.name}: conflicts")
    assert pledges.age(pledges.groups[0].items[0], board.now) == "waiting less than an hour"


def test_a_long_queue_lists_the_first_items_and_counts_all(db, world, people):
    topic = make_topic(db, world, "published", title="Popular")
    for n in range(SHOWN + 3):
        add_pledge(db, topic, world["pharma"], f"{n + 1}.00")
    board = worklists.dashboard(db, people["coordinator"])
    [group] = queue(board, "pledges-to-confirm").groups
    assert (group.total, len(group.items)) == (SHOWN + 3, SHOWN)


def test_empty_queues_say_so(db, world, people):
    board = worklists.dashboard(db, people["coordinator"])
    assert all(q.total == 0 and q.groups == [] for s in board.sections for q in s.queues)
    assert queue(board, "pledges-to-confirm").empty == "No pledge waits for a decision."
    assert worklists.dashboard(db, people["viewer"]).sections == []


def test_reviewer_sees_their_own_reviews_to_do(db, world, people, make_user):
    office, mine = people["coordinator"], people["reviewer"]
    other = make_reviewer(db, world, make_user)
    board = worklists.dashboard(db, mine)
    assert sections(board) == ["reviewer"]  # a programme reviewer with nothing requested
    assert queue(board, "reviews-to-do").empty == "No review is requested from you."
    first = make_topic(db, world, "consultation", title="Review me")
    second = make_topic(db, world, "drafting", title="Score me")
    done = make_topic(db, world, "consultation", title="Reviewed")
    closed = make_topic(db, world, "closed", title="Closed topic")
    for topic in (first, second, done):
        review_assignments.assign_reviewer(db, RequestContext(office), topic, mine.id)
    db.add(models.TopicReview(topic_id=closed.id, reviewer_id=mine.id))  # assigned before
    review_assignments.assign_reviewer(db, RequestContext(office), first, other.id)
    reviews.declare_coi(db, RequestContext(mine), second, conflicted=False)
    reviews.declare_coi(db, RequestContext(mine), done, conflicted=False)
    scores = {"excellence": "4", "impact": "4", "implementation": "4"}
    reviews.submit_review(db, RequestContext(mine), done, scores, "")
    db.commit()

    q = queue(worklists.dashboard(db, mine), "reviews-to-do")
    assert titles(q) == ["Review me", "Score me"]
    assert [i.action for i in q.groups[0].items] == [
        "Declare your conflicts of interest",
        "Give your scores",
    ]
    assert q.groups[0].items[0].link.anchor == "#review"
    first_item = q.groups[0].items[0]
    assert first_item.due is not None and not first_item.overdue(datetime.now(UTC))  # 14 days
    # The other reviewer sees only their own review, not the topics of this one.
    assert titles(queue(worklists.dashboard(db, other), "reviews-to-do")) == ["Review me"]


def test_sgg_member_sees_their_topics_by_state_and_comments_to_answer(db, world, people):
    member, office, rep = people["sgg_same"], people["coordinator"], people["partner_rep"]
    idea = make_topic(db, world, "idea", title="My idea")
    drafting = make_topic(db, world, "drafting", title="My draft")
    make_topic(db, world, "withdrawn", title="Gone")
    make_topic(db, world, "idea", title="Other SGG idea", sgg=world["sgg_b"])
    question = comments.add_comment(db, RequestContext(office), idea, "Is the scope final?")
    comments.add_comment(db, RequestContext(rep), drafting, "We can bring imaging.")
    answered = comments.add_comment(db, RequestContext(office), drafting, "Budget?")
    comments.add_comment(db, RequestContext(member), drafting, "Yes.", parent_id=answered.id)
    comments.add_comment(db, RequestContext(member), idea, "Note to self.")
    comments.add_comment(db, RequestContext(office), idea, "For the SGG only.", level="sgg")
    comments.add_comment(db, RequestContext(office), drafting, "Reviewers only", level="reviewers")
    db.commit()

    board = worklists.dashboard(db, member)
    assert sections(board) == ["sgg"]
    topics = queue(board, "my-topics")
    assert [g.label for g in topics.groups] == ["Idea", "Drafting"]
    assert titles(topics) == ["My idea", "My draft"]
    assert topics.groups[0].items[0].action == "Complete it and submit it to screening"
    assert topics.age(topics.groups[0].items[0], board.now).startswith("in this state for")
    waiting = queue(board, "comments-to-answer")
    assert waiting.count == "3 comments"
    found = {(i.title, i.detail.split(": ", 1)[1]) for i in waiting.groups[0].items}
    assert found == {
        ("My idea", "Is the scope final?"),
        ("My idea", "For the SGG only."),
        ("My draft", "We can bring imaging."),
    }
    assert any(i.link.anchor == f"#comment-{question.id}" for i in waiting.groups[0].items)
    # A member of the other SGG sees neither these topics nor their comments.
    other = worklists.dashboard(db, people["sgg_other"])
    assert titles(queue(other, "my-topics")) == ["Other SGG idea"]
    assert queue(other, "comments-to-answer").total == 0


def test_partner_rep_sees_their_pledges_and_open_topics_of_their_areas(db, world, people):
    rep = people["partner_rep"]  # represents Pharma One (an EFPIA member)
    cancer = world["sgg_b"].area
    mine = make_topic(db, world, "drafting", title="Our draft")  # Pharma One writes it
    add_pledge(db, mine, world["pharma"], "100.00", status="draft")
    add_pledge(db, mine, world["pharma"], "200.00", status="submitted")
    add_pledge(db, mine, world["pharma2"], "300.00", status="submitted")  # another company's
    open_here = make_topic(db, world, "stage1_open", title="Open in our area")
    elsewhere = make_topic(
        db, world, "published", title="Open elsewhere", area=cancer, sgg=world["sgg_b"]
    )
    db.query(models.TopicIndustryPartner).filter_by(topic_id=elsewhere.id).delete()
    pledged = make_topic(db, world, "published", title="Already pledged")
    add_pledge(db, pledged, world["pharma"], "400.00", status="confirmed")
    make_topic(db, world, "approved", title="Approved, not published")
    db.commit()

    board = worklists.dashboard(db, rep)
    assert sections(board) == ["partner", "invitee"]
    pledges = queue(board, "my-pledges")
    assert [g.label for g in pledges.groups] == ["Draft", "Submitted", "Confirmed"]
    assert pledges.count == "3 pledges"
    assert all("Pharma Two" not in i.detail for g in pledges.groups for i in g.items)
    assert "EUR 200.00" in pledges.groups[1].items[0].detail
    topics = queue(board, "open-topics")
    assert titles(topics) == ["Open in our area"]
    [item] = topics.groups[0].items
    assert item.link.endpoint == "pledges.new" and item.link.args == {"topic_id": open_here.id}


def test_partner_without_areas_sees_every_open_topic_it_may_pledge_to(db, world, make_user):
    applied = make_partner(db, world["programme"], name="Approved Foundation")
    stranger = make_partner(db, world["programme"], name="Unapproved Trust", approved=False)
    make_topic(db, world, "published", title="Open A")
    make_topic(db, world, "published", title="Open B", area=world["sgg_b"].area)
    rep = make_user(org_id=applied.id)
    assert sorted(titles(queue(worklists.dashboard(db, rep), "open-topics"))) == [
        "Open A",
        "Open B",
    ]
    # Not a member nor an approved partner: no topic is open for its pledges.
    outsider = make_user(org_id=stranger.id)
    assert queue(worklists.dashboard(db, outsider), "open-topics").total == 0


def test_a_pledge_to_a_topic_the_rep_cannot_open_hides_its_title(db, world, people):
    topic = make_topic(db, world, "drafting", title="Secret draft")
    add_pledge(db, topic, world["pharma"], "10.00", status="draft")
    db.query(models.TopicIndustryPartner).filter_by(topic_id=topic.id).delete()
    db.commit()
    pledges = queue(worklists.dashboard(db, people["partner_rep"]), "my-pledges")
    assert titles(pledges) == [partner_queues.HIDDEN_TOPIC]


def test_invited_people_see_invitations_to_answer_with_expiry(db, world, people, make_user):
    applicant, office = people["applicant"], people["coordinator"]  # applicant of the university
    published = make_topic(db, world, "published", title="Join us")
    drafting = make_topic(db, world, "drafting", title="Unpublished draft")
    req, early = match(db, published, office), match(db, drafting, office)
    sent = invitation(db, req, world["uni"], expires_in_days=5.5)
    invitation(db, early, world["uni"])  # a consortium built before publication
    invitation(db, req, world["pharma2"])  # another organisation's
    answered = match(db, published, office, finished_days_ago=2)
    invitation(db, answered, world["uni"], "declined")
    db.commit()

    board = worklists.dashboard(db, applicant)
    assert sections(board) == ["invitee"]
    q = queue(board, "invitations-to-answer")
    assert q.count == "2 invitations"
    first, second = q.groups[0].items
    assert (first.title, first.link.args) == ("Join us", {"invitation_id": sent.id})
    assert q.due(first, board.now) == "expires in 5 days"
    assert second.title == "A topic not published yet"  # the applicant may not open it
    assert "Unpublished draft" not in str(q)


def test_a_user_with_several_roles_sees_each_queue(db, world, make_user):
    user = make_user("coordinator", sgg_id=world["sgg_a"].id, org_id=world["pharma"].id)
    db.add(models.ProgrammeReviewer(programme_id=world["programme"].id, user_id=user.id))
    db.commit()
    board = worklists.dashboard(db, user)
    assert sections(board) == ["coordinator", "reviewer", "sgg", "partner", "invitee"]


def test_amounts_are_exact(db, world, people):
    topic = make_topic(db, world, "published", title="Money")
    add_pledge(db, topic, world["pharma"], "1234567.89")
    [item] = (
        queue(worklists.dashboard(db, people["coordinator"]), "pledges-to-confirm").groups[0].items
    )
    assert item.title.startswith("EUR 1,234,567.89")
    assert Decimal("1234567.89")


def test_the_office_queues_are_the_same_statements_for_every_coordinator(db, world, make_user):
    """office_statement keeps one statement per queue for all coordinators: it is right
    only while no coordinator's memberships (an SGG, an organisation) change its SQL."""
    from sqlalchemy.dialects import sqlite

    from services.worklists import coordinator as office

    plain = make_user(role="coordinator")
    member = make_user(role="coordinator", sgg_id=world["sgg_a"].id, org_id=world["uni"].id)
    builders = [
        office._topics_to_decide, office._pledges_to_confirm, office._match_jobs,
        office._declined_invitations, office._reviews_waiting,
    ]  # fmt: skip
    for build in builders:
        one, other = (build(u).compile(dialect=sqlite.dialect()) for u in (plain, member))
        assert str(one) == str(other), build.__name__
        assert one.params == other.params, build.__name__
