"""Visibility per role and state: the Python rule, the SQL rule and the issue agree."""

from __future__ import annotations

from sqlalchemy import select

from models import Topic
from models.topics import TOPIC_STATES
from services import policies
from services.core import exports
from services.topics import listing as topic_list
from tests.topic_support import (
    ROLES,
    expected_visible,
    make_call,
    make_people,
    make_topic,
)
from tests.xlsx_reader import xlsx_strings


def test_python_and_sql_rules_match_the_specification(db, world, make_user):
    people = make_people(db, world, make_user)
    call = make_call(db, world)
    topics = {s: make_topic(db, world, s, title=f"T {s}", call=call) for s in TOPIC_STATES}
    for role in ROLES:
        user = people[role]
        expected = {s for s in TOPIC_STATES if expected_visible(role, s)}
        assert {s for s, t in topics.items() if policies.can_view_topic(user, t)} == expected, role
        listed = db.scalars(select(Topic.status).where(policies.topic_visibility_clause(user)))
        assert set(listed) == expected, role
    assert not any(policies.can_view_topic(None, t) for t in topics.values())
    assert {s for s, t in topics.items() if policies.is_public_topic(t)} == set(
        policies.PUBLISHED_STATES
    )


def test_the_clause_on_a_topic_id_selects_the_same_topics(db, world, make_user):
    """``topic_id_visibility_clause`` (counts without a join: the office's pledge queue)."""
    from models import Pledge
    from tests.pledge_helpers import add_pledge

    people = make_people(db, world, make_user)
    call = make_call(db, world)
    for state in TOPIC_STATES:
        topic = make_topic(db, world, state, title=f"T {state}", call=call)
        add_pledge(db, topic, world["pharma"], "10.00")
    for who in (None, *ROLES):
        user = people[who] if who else None
        by_topic = set(db.scalars(select(Topic.id).where(policies.topic_visibility_clause(user))))
        clause = policies.topic_id_visibility_clause(user, Pledge.topic_id)
        by_id = set(db.scalars(select(Pledge.topic_id).where(clause)))
        assert by_id == by_topic & set(db.scalars(select(Pledge.topic_id))), who
    sql = str(policies.topic_id_visibility_clause(people["coordinator"], Pledge.topic_id))
    assert "topics" not in sql  # no subquery for who sees every topic


def test_assigned_reviewer_sees_the_topic_they_review(db, world, make_user):
    from models import TopicReview

    reviewer = make_user()
    topic = make_topic(db, world, "approved")
    assert not policies.can_view_topic(reviewer, topic)
    db.add(TopicReview(topic_id=topic.id, reviewer_id=reviewer.id))
    db.commit()
    assert policies.can_view_topic(reviewer, topic)
    assert db.scalar(select(Topic.id).where(policies.topic_visibility_clause(reviewer))) == topic.id


def test_search_and_export_never_leak_drafts(db, world, make_user):
    viewer = make_user()
    member = make_user(sgg_id=world["sgg_a"].id)
    call = make_call(db, world)
    make_topic(db, world, "drafting", title="Secret zebrafish draft", keywords="zebrafish")
    make_topic(db, world, "published", title="Open zebrafish call", call=call)
    query = topic_list.TopicFilters(q="zebrafish")
    titles = [t.title for t in db.scalars(topic_list.topic_query(viewer, query))]
    assert titles == ["Open zebrafish call"]
    member_titles = {t.title for t in db.scalars(topic_list.topic_query(member, query))}
    assert member_titles == {"Open zebrafish call", "Secret zebrafish draft"}
    exported = exports.to_csv(topic_list.export_table(db, viewer, query))
    assert "Open zebrafish call" in exported and "Secret" not in exported
    cells = xlsx_strings(exports.to_xlsx(topic_list.export_table(db, viewer, query)))
    assert "Open zebrafish call" in cells and not any("Secret" in c for c in cells)


def test_search_matches_words_anywhere_and_escapes_wildcards(db, world, make_user):
    coordinator = make_user("coordinator")
    make_topic(db, world, "idea", title="Alpha", scope="Uses organoid models.")
    make_topic(db, world, "idea", title="Beta", keywords="100% coverage")
    make_topic(db, world, "idea", title="Gamma", expected_outcomes="ORGANOID atlas, 100 sites")

    def found(q):
        query = topic_list.topic_query(coordinator, topic_list.TopicFilters(q=q, sort="title"))
        return [t.title for t in db.scalars(query)]

    assert found("organoid") == ["Alpha", "Gamma"]
    assert found("organoid atlas") == ["Gamma"]
    assert found("100%") == ["Beta"]
    assert found("_") == []


def test_prebuilt_list_page_shows_what_the_rule_allows_for_every_role_and_filter(
    db, world, make_user
):
    """The list page's statements are built once per form (users of one shape share one
    statement, their ids bound): each role still sees exactly its topics, each filter
    still filters, and two users of the same shape do not see each other's topics."""
    people = make_people(db, world, make_user)
    call = make_call(db, world)
    for s in TOPIC_STATES:
        make_topic(db, world, s, title=f"T {s}", call=call if s == "published" else None)
    other_rep = make_user(org_id=world["uni"].id, org_role="partner_rep")  # same shape
    for who in (None, *ROLES, "other_rep"):
        user = other_rep if who == "other_rep" else (people[who] if who else None)
        for filters in (
            topic_list.TopicFilters(sort="title"),
            topic_list.TopicFilters(status="published"),
            topic_list.TopicFilters(sgg_id=world["sgg_a"].id, sort="-title"),
            topic_list.TopicFilters(call_id=call.id),
            topic_list.TopicFilters(q="T published", sort="bogus"),
        ):
            expected = [t.title for t in db.scalars(topic_list.topic_query(user, filters))]
            page = topic_list.list_page(db, user, filters, 1, 200)
            assert [r.title for r in page.items] == expected, (who, filters)
            assert page.total == len(expected)


def test_prebuilt_list_page_escapes_wildcards_and_shows_the_last_page_past_the_end(
    db, world, make_user
):
    coordinator = make_user("coordinator")
    for i in range(7):
        make_topic(db, world, "idea", title=f"Topic {i}", keywords="100% coverage" if i else "")
    filters = topic_list.TopicFilters(q="100%", sort="title")
    assert topic_list.list_page(db, coordinator, filters, 1, 25).total == 6
    assert topic_list.list_page(db, coordinator, topic_list.TopicFilters(q="_"), 1, 25).total == 0
    past = topic_list.list_page(db, coordinator, topic_list.TopicFilters(sort="title"), 99, 3)
    assert (past.page, past.total) == (3, 7)
    assert [r.title for r in past.items] == ["Topic 6"]
