"""Threaded comments on a topic, each with a visibility level."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Integer, bindparam, select
from sqlalchemy.orm import Session, selectinload

from models import Topic, TopicComment, User
from services import policies
from services.core import audit
from services.core.context import RequestContext
from services.core.errors import InvalidInput, NotFound, PermissionDenied
from services.topics import events as topic_events

LEVEL_LABELS = {
    "all": "Everyone who can see the topic",
    "sgg": "SGG and coordinators",
    "reviewers": "Reviewers and coordinators",
}


def add_comment(
    session: Session,
    ctx: RequestContext,
    topic: Topic,
    body: str,
    level: str = "all",
    parent_id: int | None = None,
) -> TopicComment:
    """A reply keeps its thread's level, so an answer never reaches wider than the question."""
    actor = ctx.user
    levels = policies.comment_levels_for(actor, topic)
    if not levels:
        raise NotFound("No such topic.")
    if not body.strip():
        raise InvalidInput("Write a comment first.", {"body": ["Write a comment first."]})
    if len(body) > 20_000:
        raise InvalidInput("A comment has at most 20,000 characters.", {"body": ["Too long."]})
    if parent_id is not None:
        parent = session.get(TopicComment, parent_id)
        if parent is None or parent.topic_id != topic.id or parent.level not in levels:
            raise NotFound("No such comment to reply to.")
        level = parent.level
    if level not in LEVEL_LABELS:
        raise InvalidInput("Choose who may read the comment.", {"level": ["Choose a level."]})
    if level not in levels:
        raise PermissionDenied(f"You may not write comments for: {LEVEL_LABELS[level]}.")
    comment = TopicComment(
        topic_id=topic.id, parent_id=parent_id, author_id=actor.id, level=level, body=body.strip()
    )
    session.add(comment)
    session.flush()
    audit.record(
        session, actor, "topic.comment", topic, ip=ctx.client_ip, comment_id=comment.id, level=level
    )
    topic_events.comment_added(session, ctx, topic, comment)
    return comment


@dataclass
class Thread:
    comment: TopicComment
    replies: list[Thread] = field(default_factory=list)


# Built once: a topic's page reads them on every request.
_VISIBLE_COMMENTS = (
    select(TopicComment)
    .where(
        TopicComment.topic_id == bindparam("topic_id", type_=Integer),
        TopicComment.level.in_(bindparam("levels", expanding=True)),
    )
    .order_by(TopicComment.created_at, TopicComment.id)
    .options(selectinload(TopicComment.author))
)


def visible_threads(session: Session, user: User | None, topic: Topic) -> list[Thread]:
    """The comments ``user`` may read, as threads (replies under their parent)."""
    levels = policies.comment_levels_for(user, topic)
    if not levels:
        return []
    rows = session.scalars(_VISIBLE_COMMENTS, {"topic_id": topic.id, "levels": list(levels)})
    nodes: dict[int, Thread] = {}
    roots: list[Thread] = []
    for c in rows:
        node = nodes[c.id] = Thread(c)
        parent = nodes.get(c.parent_id) if c.parent_id is not None else None
        (parent.replies if parent is not None else roots).append(node)
    return roots
