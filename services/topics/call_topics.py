"""The topics of a call: a coordinator adds approved topics of the call's programme and
removes them again while the call is not published.

A call counts as published once one of its topics is published (a published call's list
of topics is what applicants read, so it no longer shrinks); a published topic never
leaves its call. Each change is a revision of the topic and a line of its history.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session, load_only

from models import Call, Topic, User
from services import policies
from services.core import audit
from services.core.context import RequestContext
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from services.topics import listing as topic_list
from services.topics.content import add_revision
from services.topics.lifecycle import STATE_LABELS

ADDABLE_STATE = "approved"


def is_published(session: Session, call: Call) -> bool:
    """Whether one of the call's topics is published (or later)."""
    found = session.scalar(
        select(Topic.id).where(
            Topic.call_id == call.id, Topic.status.in_(policies.PUBLISHED_STATES)
        )
    )
    return found is not None


def topics_of(session: Session, user: User | None, call: Call) -> list[Row[Any]]:
    """The call's topics ``user`` may see, by identifier: the columns a row of the call's
    page shows (id, identifier, title, status)."""
    filters = topic_list.TopicFilters(call_id=call.id, sort="identifier")
    query = topic_list.topic_rows(user, filters)
    return list(session.execute(query))


def topics_and_published(
    session: Session, user: User | None, call: Call
) -> tuple[list[Row[Any]], bool]:
    """``topics_of`` and ``is_published`` in one statement, for a signed-in ``user``: every
    signed-in user sees every published topic (``topic_visibility_clause``), so the call
    is published exactly when one of the topics they see is."""
    topics = topics_of(session, user, call)
    if not policies.is_signed_in(user):
        return topics, is_published(session, call)
    return topics, any(t.status in policies.PUBLISHED_STATES for t in topics)


def addable(session: Session, user: User | None, call: Call) -> list[Topic]:
    """Approved topics of the call's programme in no call, for those who manage calls."""
    if not policies.can_manage_calls(user):
        return []
    return list(
        session.scalars(
            select(Topic)
            .options(load_only(Topic.id, Topic.identifier, Topic.title))  # the form's choices
            .where(
                Topic.programme_id == call.programme_id,
                Topic.status == ADDABLE_STATE,
                Topic.call_id.is_(None),
            )
            .order_by(Topic.title)
        )
    )


def may_remove(call_published: bool, topic: Topic | Row[Any]) -> bool:
    """A topic leaves a call only while the call is not published."""
    return not call_published and topic.status not in policies.PUBLISHED_STATES


def _checked(
    session: Session, ctx: RequestContext, call_id: int, topic_id: int | None
) -> tuple[Call, Topic]:
    if not policies.can_manage_calls(ctx.user):
        raise PermissionDenied("Only coordinators manage the topics of a call.")
    call = session.get(Call, call_id)
    if call is None:
        raise NotFound("No such call.")
    topic = session.get(Topic, topic_id) if topic_id else None
    if topic is None:
        raise InvalidInput("Choose a topic.", {"topic_id": ["Choose a topic from the list."]})
    return call, topic


def add_topic(session: Session, ctx: RequestContext, call_id: int, topic_id: int | None) -> Topic:
    """Put an approved topic of the call's programme into the call."""
    call, topic = _checked(session, ctx, call_id, topic_id)
    if topic.programme_id != call.programme_id:
        raise InvalidInput(
            "That topic belongs to another programme.",
            {"topic_id": ["Choose a topic of the call's programme."]},
        )
    if topic.call_id == call.id:
        raise Conflict(f"“{topic.title}” is already in {call.identifier}.")
    if topic.call_id is not None:
        raise Conflict(f"“{topic.title}” is in another call; remove it from that call first.")
    if topic.status != ADDABLE_STATE:
        raise Conflict(
            f"Only approved topics join a call; “{topic.title}” is "
            f"{STATE_LABELS[topic.status].lower()}."
        )
    topic.call_id = call.id
    session.flush()
    add_revision(session, ctx.user, topic, f"Added to call {call.identifier}")
    audit.record(
        session, ctx.user, "topic.call_added", topic, ip=ctx.client_ip, call=call.identifier
    )
    return topic


def remove_topic(session: Session, ctx: RequestContext, call_id: int, topic_id: int) -> Topic:
    """Take a topic out of a call that is not published yet."""
    call, topic = _checked(session, ctx, call_id, topic_id)
    if topic.call_id != call.id:
        raise NotFound("That topic is not in this call.")
    if not may_remove(is_published(session, call), topic):
        raise Conflict(
            f"{call.identifier} is published: its topics stay in it "
            "(applicants read the call as it was published)."
        )
    topic.call_id = None
    session.flush()
    add_revision(session, ctx.user, topic, f"Removed from call {call.identifier}")
    audit.record(
        session, ctx.user, "topic.call_removed", topic, ip=ctx.client_ip, call=call.identifier
    )
    return topic
