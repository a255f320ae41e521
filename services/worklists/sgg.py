"""An SGG member's queues: the topics of their SGGs by state, and the comments on them
that wait for an answer from the SGG."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, and_, exists, select
from sqlalchemy.orm import Session, aliased

from models import SggMembership, Topic, TopicComment, User
from models.topics import TOPIC_STATES
from services import policies
from services.topics.lifecycle import STATE_LABELS
from services.worklists.items import Item, Link, Queue, Section, grouped, single
from services.worklists.queries import FINISHED_TOPIC_STATES, entered_state, ranked

ACTIVE_STATES = [s for s in TOPIC_STATES if s not in FINISHED_TOPIC_STATES]
# What the SGG does with a topic in each state (the office acts on the others).
SGG_ACTIONS = {
    "idea": "Complete it and submit it to screening",
    "screening": "The programme office screens it",
    "drafting": "Draft the text and send it to consultation",
    "consultation": "Follow the consultation and its comments",
    "approved": "Waits for publication in a call",
}
# Comment levels an SGG member reads on every topic of their SGG (``comment_levels_for``);
# reviewers' comments are for reviewers and coordinators.
SGG_LEVELS = ("all", "sgg")
EXCERPT = 120
REPLY = aliased(TopicComment)
AUTHOR = aliased(User)


def my_topics(session: Session, user: User) -> Queue:
    since = entered_state()
    stmt = select(Topic.id, Topic.title, since.label("since")).where(
        policies.topic_visibility_clause(user),
        Topic.sgg_id.in_(sorted(policies.sgg_ids(user))),
        Topic.status.in_(ACTIVE_STATES),
    )
    rows = ranked(session, stmt, [since.desc(), Topic.id.desc()], group=Topic.status)

    def item(row: Row[Any]) -> Item:
        action = SGG_ACTIONS.get(row.group, "Follow the call")
        return Item(row.title, action, Link("topics.detail", {"topic_id": row.id}), since=row.since)

    return Queue(
        "my-topics",
        "Topics of my SGGs",
        "topic",
        "topics",
        "Your SGGs have no open topics.",
        grouped(rows, STATE_LABELS.__getitem__, item, ACTIVE_STATES),
        since_word="in this state for {}",
        more=Link("topics.index"),
    )


def comments_to_answer(session: Session, user: User) -> Queue:
    """Comments by people outside the topic's SGG that nobody replied to yet."""
    stmt = (
        select(
            TopicComment.id,
            TopicComment.topic_id,
            TopicComment.body,
            TopicComment.created_at.label("since"),
            Topic.title.label("topic"),
            AUTHOR.name.label("author"),
        )
        .join(Topic, Topic.id == TopicComment.topic_id)
        .outerjoin(AUTHOR, AUTHOR.id == TopicComment.author_id)
        .where(
            policies.topic_visibility_clause(user),
            Topic.sgg_id.in_(sorted(policies.sgg_ids(user))),
            Topic.status.not_in(FINISHED_TOPIC_STATES),
            TopicComment.level.in_(SGG_LEVELS),
            ~exists().where(REPLY.parent_id == TopicComment.id),
            ~exists().where(
                and_(
                    SggMembership.user_id == TopicComment.author_id,
                    SggMembership.sgg_id == Topic.sgg_id,
                )
            ),
        )
    )
    rows = ranked(session, stmt, [TopicComment.created_at, TopicComment.id])
    items = [
        Item(
            r.topic,
            "Answer",
            Link("topics.detail", {"topic_id": r.topic_id}, f"#comment-{r.id}"),
            f"{r.author or 'Someone'}: {_excerpt(r.body)}",
            since=r.since,
        )
        for r in rows
    ]
    return Queue(
        "comments-to-answer",
        "Comments awaiting an answer",
        "comment",
        "comments",
        "No comment on your SGGs' topics waits for an answer.",
        single(rows, items),
    )


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[:EXCERPT].rsplit(" ", 1)[0] + " …"


def section(session: Session, user: User) -> Section:
    return Section(
        "sgg", "SGG member", [my_topics(session, user), comments_to_answer(session, user)]
    )
