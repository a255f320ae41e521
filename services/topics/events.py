"""Notifications about topics, written to the outbox in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    SggMembership,
    Topic,
    TopicComment,
    TopicIndustryPartner,
    TopicReview,
    TopicTransition,
    User,
)
from models.accounts import OrganisationMembership
from services import policies
from services.core.context import RequestContext
from services.notifications import notify

STATE_LABELS = {
    "idea": "an idea",
    "screening": "in screening",
    "drafting": "in drafting",
    "consultation": "in consultation",
    "approved": "approved",
    "published": "published",
    "stage1_open": "open for stage 1",
    "stage1_closed": "closed for stage 1",
    "consortium_selected": "with a selected consortium",
    "stage2": "in stage 2",
    "closed": "closed",
    "rejected": "rejected",
    "withdrawn": "withdrawn",
}


def topic_link(ctx: RequestContext, topic: Topic) -> str:
    """Address of the topic page (absolute when the context knows the public URL)."""
    return ctx.link(f"/topics/{topic.id}")


def coordinators(session: Session) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .where(User.role == "coordinator", User.is_active.is_(True))
            .order_by(User.id)
        )
    )


def sgg_members(session: Session, topic: Topic) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(SggMembership, SggMembership.user_id == User.id)
            .where(SggMembership.sgg_id == topic.sgg_id, User.is_active.is_(True))
            .order_by(User.id)
        )
    )


def _participants(session: Session, topic: Topic) -> list[User]:
    """Everyone working on the topic: SGG, coordinators, industry reps, assigned reviewers."""
    reps = session.scalars(
        select(User)
        .join(OrganisationMembership, OrganisationMembership.user_id == User.id)
        .join(
            TopicIndustryPartner,
            TopicIndustryPartner.organisation_id == OrganisationMembership.organisation_id,
        )
        .where(
            TopicIndustryPartner.topic_id == topic.id,
            OrganisationMembership.role == "partner_rep",
            User.is_active.is_(True),
        )
    )
    reviewers = session.scalars(
        select(User)
        .join(TopicReview, TopicReview.reviewer_id == User.id)
        .where(TopicReview.topic_id == topic.id)
    )
    return [*sgg_members(session, topic), *coordinators(session), *reps, *reviewers]


def _send(
    session: Session,
    ctx: RequestContext,
    event: str,
    recipients: Iterable[User],
    topic: Topic,
    subject: str,
    summary: str,
) -> None:
    notify.notify(
        session,
        event,
        recipients,
        subject=subject,
        summary=summary,
        link=topic_link(ctx, topic),
        obj=topic,
        exclude=ctx.actor,
    )


def state_changed(
    session: Session, ctx: RequestContext, topic: Topic, step: TopicTransition
) -> None:
    actor = ctx.user
    state = STATE_LABELS[step.to_state]
    reason = f" Comment: {step.comment}" if step.comment else ""
    told: list[User] = []
    if step.name == "submit":
        told = coordinators(session)
        _send(
            session,
            ctx,
            "topic.submitted",
            told,
            topic,
            f"Topic submitted: {topic.title}",
            f"{actor.name} submitted the topic idea \u201c{topic.title}\u201d to screening.",
        )
    # Coordinators just told of a submission are not told twice.
    recipients = [*sgg_members(session, topic), *coordinators(session)]
    _send(
        session,
        ctx,
        "topic.state_changed",
        [u for u in recipients if u not in told],
        topic,
        f"Topic {state}: {topic.title}",
        f"{actor.name} moved \u201c{topic.title}\u201d from {STATE_LABELS[step.from_state]} "
        f"to {state}.{reason}",
    )


def due_words(topic: Topic, due_at: datetime) -> str:
    """'15 Dec 2026 (Europe/Brussels)': how a review deadline is told to the reviewer."""
    zone = topic.programme.timezone
    return f"{due_at.astimezone(ZoneInfo(zone)):%d %b %Y} ({zone})"


def review_requested(
    session: Session, ctx: RequestContext, topic: Topic, reviewer: User, due_at: datetime
) -> None:
    actor = ctx.user
    _send(
        session,
        ctx,
        "topic.review_requested",
        [reviewer],
        topic,
        f"Review requested by {due_words(topic, due_at)}: {topic.title}",
        f"{actor.name} asks you to review \u201c{topic.title}\u201d by "
        f"{due_words(topic, due_at)}. First declare any conflict of interest.",
    )


def review_deadline_changed(
    session: Session, ctx: RequestContext, topic: Topic, reviewer: User, due_at: datetime
) -> None:
    actor = ctx.user
    _send(
        session,
        ctx,
        "topic.review_requested",
        [reviewer],
        topic,
        f"New review deadline {due_words(topic, due_at)}: {topic.title}",
        f"{actor.name} moved the deadline of your review of \u201c{topic.title}\u201d to "
        f"{due_words(topic, due_at)}.",
    )


def review_done(session: Session, ctx: RequestContext, topic: Topic) -> None:
    actor = ctx.user
    _send(
        session,
        ctx,
        "topic.review_done",
        coordinators(session),
        topic,
        f"Review done: {topic.title}",
        f"{actor.name} submitted a review of \u201c{topic.title}\u201d.",
    )


def comment_added(
    session: Session, ctx: RequestContext, topic: Topic, comment: TopicComment
) -> None:
    actor = ctx.user
    readers = [
        u for u in _participants(session, topic) if policies.can_read_comment(u, comment, topic)
    ]
    _send(
        session,
        ctx,
        "topic.comment",
        readers,
        topic,
        f"New comment on {topic.title}",
        f"{actor.name} commented on \u201c{topic.title}\u201d.",
    )
