"""A reviewer's queue: the reviews requested from them that are not submitted yet, with
their deadlines (shown red once passed)."""

from __future__ import annotations

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, aliased

from models import ProgrammeReviewer, Topic, TopicReview, User
from services import policies
from services.topics.lifecycle import STATE_LABELS
from services.worklists.items import Item, Link, Queue, Section, single
from services.worklists.queries import FINISHED_TOPIC_STATES, ranked

REVIEW = aliased(TopicReview)  # the visibility clause correlates TopicReview itself


def reviews_to_do(session: Session, user: User) -> Queue:
    stmt = (
        select(
            REVIEW.topic_id,
            REVIEW.coi,
            REVIEW.assigned_at.label("since"),
            REVIEW.due_at.label("due"),
            Topic.title,
            Topic.status,
        )
        .join(Topic, Topic.id == REVIEW.topic_id)
        .where(
            REVIEW.reviewer_id == user.id,
            policies.topic_visibility_clause(user),
            REVIEW.submitted_at.is_(None),
            REVIEW.coi != "conflicted",
            Topic.status.not_in(FINISHED_TOPIC_STATES),
        )
    )
    rows = ranked(session, stmt, [REVIEW.assigned_at, REVIEW.id])
    items = [
        Item(
            r.title,
            "Declare your conflicts of interest" if r.coi == "pending" else "Give your scores",
            Link("topics.detail", {"topic_id": r.topic_id}, "#review"),
            STATE_LABELS[r.status],
            since=r.since,
            due=r.due,
        )
        for r in rows
    ]
    return Queue(
        "reviews-to-do",
        "Reviews to do",
        "review",
        "reviews",
        "No review is requested from you.",
        single(rows, items),
        due_word="due",
    )


def is_reviewer(session: Session, user: User) -> bool:
    """A programme reviewer, or someone a review was ever requested from (known already
    for the signed-in user)."""
    if user.asked_to_review is not None:
        return bool(user.asked_to_review)
    query = select(
        or_(
            exists().where(ProgrammeReviewer.user_id == user.id),
            exists().where(TopicReview.reviewer_id == user.id),
        )
    )
    return bool(session.scalar(query))


def section(session: Session, user: User) -> Section | None:
    """The reviewer's section, or None for someone who reviews nothing. Asked first: a
    review waits only for someone a review was requested from, so the queue's statement
    is spared for everyone else (the office, most SGG members and partners)."""
    if not is_reviewer(session, user):
        return None
    return Section("reviewer", "Reviewer", [reviews_to_do(session, user)])
