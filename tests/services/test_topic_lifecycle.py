"""The lifecycle state machine, exhaustively: every state x every transition x every role."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from models import OutboxMessage, TopicTransition
from models.topics import TOPIC_STATES
from services.core.context import RequestContext
from services.core.errors import Conflict, NotFound, PermissionDenied
from services.topics import lifecycle
from tests.topic_support import ROLES, expected_visible, make_call, make_people, make_topic

C = {"admin", "coordinator"}
CS = C | {"sgg_same"}
# The specification, written out independently of services.lifecycle.TRANSITIONS.
EXPECTED = {
    "submit": (("idea",), "screening", CS),
    "send_back": (("screening",), "idea", C),
    "accept": (("screening",), "drafting", C),
    "to_consultation": (("drafting",), "consultation", CS),
    "back_to_drafting": (("consultation",), "drafting", C),
    "approve": (("consultation",), "approved", C),
    "publish": (("approved",), "published", C),
    "open_stage1": (("published",), "stage1_open", C),
    "close_stage1": (("stage1_open",), "stage1_closed", C),
    "select_consortium": (("stage1_closed",), "consortium_selected", C),
    "open_stage2": (("consortium_selected",), "stage2", C),
    "close": (("stage2",), "closed", C),
    "close_single_stage": (("consortium_selected",), "closed", C),
    "reject": (("idea", "screening", "drafting", "consultation"), "rejected", C),
    "withdraw": (("idea", "screening", "drafting"), "withdrawn", CS),
    "withdraw_late": (("consultation", "approved", "published", "stage1_open"), "withdrawn", C),
    "reopen": (("rejected", "withdrawn"), "idea", C),
}
# Refused by a requirement even for the right role in the right state (two-stage call).
BLOCKED_BY_REQUIREMENT = {"close_single_stage": "single-stage call"}


def test_the_table_is_the_specification():
    assert set(lifecycle.TRANSITIONS) == set(EXPECTED)
    for name, (sources, target, _roles) in EXPECTED.items():
        t = lifecycle.TRANSITIONS[name]
        assert set(t.sources) == set(sources) and t.target == target, name
    assert set(lifecycle.STATE_LABELS) == set(TOPIC_STATES)


def test_every_state_transition_and_role(db, world, make_user):
    people = make_people(db, world, make_user)
    call = make_call(db, world)
    checked = 0
    for state in TOPIC_STATES:
        topic = make_topic(db, world, state, title=f"Topic {state}", call=call)
        for name, (sources, target, allowed) in EXPECTED.items():
            for role in ROLES:
                user = people[role]
                savepoint = db.begin_nested()
                try:
                    if not expected_visible(role, state):
                        with pytest.raises(NotFound):
                            lifecycle.transition(db, RequestContext(user), topic, name, "because")
                    elif state not in sources:
                        with pytest.raises(Conflict) as exc:
                            lifecycle.transition(db, RequestContext(user), topic, name, "because")
                        assert f"the topic is {lifecycle.STATE_LABELS[state]}" in exc.value.message
                    elif role not in allowed:
                        with pytest.raises(PermissionDenied) as exc:
                            lifecycle.transition(db, RequestContext(user), topic, name, "because")
                        assert exc.value.message.startswith("Only ")
                    elif name in BLOCKED_BY_REQUIREMENT:
                        with pytest.raises(Conflict) as exc:
                            lifecycle.transition(db, RequestContext(user), topic, name, "because")
                        assert BLOCKED_BY_REQUIREMENT[name] in exc.value.message
                    else:
                        step = lifecycle.transition(
                            db, RequestContext(user), topic, name, "because"
                        )
                        assert topic.status == target
                        assert (step.from_state, step.to_state, step.actor_id, step.comment) == (
                            state,
                            target,
                            user.id,
                            "because",
                        )
                        checked += 1
                        continue
                    # Refused: nothing changed, nothing recorded, nobody told.
                    assert topic.status == state
                    assert not db.new and not db.dirty
                    count = select(func.count()).select_from(TopicTransition)
                    assert db.scalar(count) == 0
                    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == 0
                finally:
                    savepoint.rollback()
                db.refresh(topic)
    # Every legal (state, transition) pair succeeded for each allowed role.
    assert checked == sum(
        len(src) * len(roles)
        for n, (src, _t, roles) in EXPECTED.items()
        if n not in BLOCKED_BY_REQUIREMENT
    )


@pytest.fixture
def coordinator(make_user):
    return make_user("coordinator")


def _refused(db, user, topic, name, comment=""):
    with pytest.raises(Conflict) as exc:
        lifecycle.transition(db, RequestContext(user), topic, name, comment)
    return exc.value.message


def test_no_publication_without_a_call_with_deadlines(db, world, coordinator):
    topic = make_topic(db, world, "approved")
    assert "a call with its deadlines" in _refused(db, coordinator, topic, "publish")
    call = make_call(db, world, identifier="NO-S2")
    call.stage2_deadline = None
    topic.call = call
    db.commit()
    assert "a call with its deadlines" in _refused(db, coordinator, topic, "publish")
    call.stage1_deadline = datetime.now(UTC) - timedelta(days=1)
    call.stage2_deadline = datetime.now(UTC) + timedelta(days=9)
    db.commit()
    assert "has not passed" in _refused(db, coordinator, topic, "publish")
    topic.identifier = None
    db.commit()
    assert "a topic identifier" in _refused(db, coordinator, topic, "publish")
    assert topic.status == "approved"


def test_requirements_and_comments(db, world, coordinator, make_user):
    member = make_user(sgg_id=world["sgg_a"].id)
    idea = make_topic(db, world, "idea", title="Empty", challenge="")
    assert "a title and a challenge" in _refused(db, member, idea, "submit")
    assert "without a comment" in _refused(db, coordinator, idea, "reject", "  ")
    draft = make_topic(db, world, "drafting", title="No budget", eu_contribution=None)
    assert "an indicative EU contribution" in _refused(db, member, draft, "to_consultation")
    single = make_call(db, world, "single_stage", identifier="SINGLE")
    done = make_topic(db, world, "consortium_selected", title="Single", call=single)
    assert "two-stage call" in _refused(db, coordinator, done, "open_stage2")
    lifecycle.transition(db, RequestContext(coordinator), done, "close_single_stage")
    assert done.status == "closed"


def test_history_records_who_when_from_to_and_comment(db, world, make_user, coordinator):
    member = make_user(sgg_id=world["sgg_a"].id)
    topic = make_topic(db, world, "idea")
    lifecycle.transition(db, RequestContext(member), topic, "submit", "ready")
    lifecycle.transition(db, RequestContext(coordinator), topic, "accept")
    db.commit()
    steps = lifecycle.history(db, topic)
    assert [(s.from_state, s.to_state, s.actor_id) for s in steps] == [
        ("idea", "screening", member.id),
        ("screening", "drafting", coordinator.id),
    ]
    assert steps[0].comment == "ready" and steps[0].at is not None


def test_every_state_is_reachable_from_idea():
    for state in TOPIC_STATES:
        path = lifecycle.path_to(state)
        assert (path[-1].target if path else "idea") == state


def test_a_concurrent_transition_is_a_conflict_not_an_error(db, world, settings, make_user):
    from models import Topic, User
    from models.db import make_engine, make_session_factory

    coordinator = make_user("coordinator")
    topic = make_topic(db, world, "screening")
    db.commit()
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    mine, other = factory(), factory()
    try:
        my_view = mine.get(Topic, topic.id)  # loaded before the other change
        my_user = mine.get(User, coordinator.id)
        mine.commit()  # end the read transaction; the object stays in memory
        them = other.get(User, coordinator.id)
        lifecycle.transition(other, RequestContext(them), other.get(Topic, topic.id), "accept")
        other.commit()
        with pytest.raises(Conflict, match="at the same moment"):
            lifecycle.transition(mine, RequestContext(my_user), my_view, "send_back", "stale view")
        mine.rollback()
    finally:
        mine.close()
        other.close()
        engine.dispose()
    db.expire_all()
    assert db.get(Topic, topic.id).status == "drafting"
    assert [s.name for s in lifecycle.history(db, db.get(Topic, topic.id))] == ["accept"]
