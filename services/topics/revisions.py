"""A topic's revisions as they are read: the list of revisions, the newest, one by number,
and who wrote each as a viewer may see them (writing one: ``content.add_revision``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from models import Topic, TopicRevision, User
from services.core import history
from services.core.errors import NotFound


def revisions(session: Session, topic: Topic) -> list[TopicRevision]:
    return list(
        session.scalars(
            select(TopicRevision)
            .where(TopicRevision.topic_id == topic.id)
            .order_by(TopicRevision.number.desc())
        )
    )


def revision_rows(session: Session, topic: Topic) -> list[Row[Any]]:
    """``revisions`` as rows of what the list of revisions shows: not their snapshots
    (a whole copy of the topic's texts each)."""
    return list(
        session.execute(
            select(
                TopicRevision.id,
                TopicRevision.number,
                TopicRevision.created_at,
                TopicRevision.author_id,
                TopicRevision.note,
            )
            .where(TopicRevision.topic_id == topic.id)
            .order_by(TopicRevision.number.desc())
        )
    )


def latest_revision(session: Session, topic: Topic) -> TopicRevision | None:
    """The topic's newest revision (the edit form names it; not every snapshot loaded)."""
    return session.scalar(
        select(TopicRevision)
        .where(TopicRevision.topic_id == topic.id)
        .order_by(TopicRevision.number.desc())
        .limit(1)
    )


def revision_authors(
    session: Session, viewer: User | None, revisions: Sequence[TopicRevision | Row[Any]]
) -> dict[int, str]:
    """Each revision's author as ``viewer`` may see them (see ``history.actor_label``)."""
    people = history.people(session, [r.author_id for r in revisions])
    return {
        r.id: history.actor_label(viewer, people.get(r.author_id or 0)) if r.author_id else "—"
        for r in revisions
    }


def get_revision(session: Session, topic: Topic, number: int) -> TopicRevision:
    revision = session.scalar(
        select(TopicRevision).where(
            TopicRevision.topic_id == topic.id, TopicRevision.number == number
        )
    )
    if revision is None:
        raise NotFound(f"This topic has no revision {number}.")
    return revision
