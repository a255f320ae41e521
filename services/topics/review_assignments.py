"""Assigning reviewers to a topic: the picker, the conflict guard, deadlines, the history.

Only the programme's reviewers (``ProgrammeReviewer``) may be assigned. Conflicts are
detected from the data (review_conflicts.py) and shown before assignment; a conflicted
reviewer is refused unless a coordinator overrides with a reason, which is kept on the
review and in the audit log. Every review has a deadline: a date after today, at most
MAX_DAYS ahead, ending at 23:59 in the programme's time zone (default: the programme's
``review_days`` from today).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, bindparam, exists, func, or_, select
from sqlalchemy.orm import Session

from models import (
    AuditEntry,
    Organisation,
    OrganisationMembership,
    ProgrammeReviewer,
    Topic,
    TopicReview,
    User,
)
from models.base import ID_MAX, utcnow
from services import policies
from services.core import audit
from services.core.context import RequestContext
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from services.core.text import clean_text
from services.topics import events as topic_events
from services.topics import review_conflicts
from services.topics.review_conflicts import ConflictReason

MAX_DAYS = 365
PICKER_LIMIT = 50
REASON_CHARS = 2000
ACTIONS = ("topic.review_assign", "topic.review_override", "topic.review_deadline")


@dataclass
class Candidate:
    user: User
    organisations: list[str]
    conflicts: list[ConflictReason]


@dataclass
class Picker:
    """The programme reviewers matching ``query`` (at most PICKER_LIMIT of ``total``)."""

    query: str
    candidates: list[Candidate]
    total: int
    default_due: date


def _deny_unless_coordinator(actor: User | None, topic: Topic) -> User:
    if not policies.can_assign_reviewers(actor, topic):
        raise PermissionDenied("Only coordinators assign reviewers to an open topic.")
    assert actor is not None
    return actor


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def _zone(topic: Topic) -> ZoneInfo:
    return ZoneInfo(topic.programme.timezone)


def local_today(topic: Topic, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(_zone(topic)).date()


def default_due(topic: Topic, now: datetime | None = None) -> date:
    return local_today(topic, now) + timedelta(days=topic.programme.review_days)


def due_date_of(review: TopicReview, topic: Topic) -> date | None:
    """The deadline as the date the reviewer was given (programme time zone)."""
    return review.due_at.astimezone(_zone(topic)).date() if review.due_at else None


def parse_due(raw: object, topic: Topic, now: datetime | None = None) -> datetime:
    """A deadline date ('2026-12-15', '' for the default) as the UTC end of that day."""
    today = local_today(topic, now)
    text = raw.isoformat() if isinstance(raw, date) else str(raw or "").strip()
    if not text:
        day = default_due(topic, now)
    else:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            message = "Give the review deadline as a date (YYYY-MM-DD)."
            raise InvalidInput(message, {"due_date": [message]}) from None
    if day <= today:
        message = "A review deadline must be in the future: choose a date after today."
        raise InvalidInput(message, {"due_date": [message]})
    if day > today + timedelta(days=MAX_DAYS):
        message = f"Give a review deadline within {MAX_DAYS} days from today."
        raise InvalidInput(message, {"due_date": [message]})
    return datetime.combine(day, time(23, 59), tzinfo=_zone(topic)).astimezone(UTC)


def reviewer_picker(session: Session, actor: User | None, topic: Topic, query: str = "") -> Picker:
    """The programme's active reviewers not yet on the topic, by name or email, each with
    the organisations they act for and their detected conflicts."""
    _deny_unless_coordinator(actor, topic)
    query = clean_text(query, "q", "The search", 200, required=False)
    assigned = exists().where(TopicReview.topic_id == topic.id, TopicReview.reviewer_id == User.id)
    conditions = [
        ProgrammeReviewer.programme_id == topic.programme_id,
        User.is_active.is_(True),
        ~assigned,
    ]
    for word in query.split():
        pattern = _like(word)
        conditions.append(
            or_(
                func.lower(User.name).like(pattern, escape="\\"),
                func.lower(User.email).like(pattern, escape="\\"),
            )
        )
    rows = session.execute(
        select(User, func.count().over().label("total"))
        .join(ProgrammeReviewer, ProgrammeReviewer.user_id == User.id)
        .where(*conditions)
        .order_by(User.name, User.id)
        .limit(PICKER_LIMIT)
    ).all()
    users = [r[0] for r in rows]
    total = rows[0].total if rows else 0
    conflicts = review_conflicts.conflicts_for(session, topic, [u.id for u in users])
    orgs: dict[int, list[str]] = {u.id: [] for u in users}
    for user_id, short, legal in session.execute(
        select(OrganisationMembership.user_id, Organisation.short_name, Organisation.legal_name)
        .join(Organisation, Organisation.id == OrganisationMembership.organisation_id)
        .where(OrganisationMembership.user_id.in_(orgs))
        .distinct()
        .order_by(Organisation.legal_name)
    ):
        orgs[user_id].append(short or legal)
    return Picker(
        query,
        [Candidate(u, orgs[u.id], conflicts[u.id]) for u in users],
        total,
        default_due(topic),
    )


def assign_reviewer(
    session: Session,
    ctx: RequestContext,
    topic: Topic,
    reviewer_id: int,
    due: object = None,
    override_reason: object = "",
) -> TopicReview:
    """Ask a programme reviewer to review ``topic`` by ``due``; a reviewer with detected
    conflicts only with ``override_reason`` (then audited as ``topic.review_override``)."""
    actor = _deny_unless_coordinator(ctx.actor, topic)
    reviewer = session.get(User, reviewer_id) if 0 < reviewer_id <= ID_MAX else None
    if reviewer is None or not reviewer.is_active:
        message = "Choose an active reviewer of the programme."
        raise InvalidInput(message, {"reviewer_id": [message]})
    if not policies.is_programme_reviewer(reviewer, topic.programme_id, session):
        message = f"{reviewer.name} is not a reviewer of {topic.programme.name}."
        raise InvalidInput(message, {"reviewer_id": [message]})
    if policies.topic_review_of(reviewer, topic, session) is not None:
        raise Conflict(f"{reviewer.name} is already a reviewer of this topic.")
    due_at = parse_due(due, topic)
    reason = clean_text(
        override_reason, "override_reason", "The reason", REASON_CHARS, False, multiline=True
    )
    conflicts = review_conflicts.conflicts_of(session, topic, reviewer.id)
    if conflicts and not reason:
        listed = " ".join(c.text for c in conflicts)
        raise Conflict(
            f"{reviewer.name} was not assigned: a conflict of interest with this topic. "
            f"{listed} To assign them anyway, give the reason for the override."
        )
    if conflicts and not policies.can_override_review_conflict(actor, topic):
        raise PermissionDenied("Only coordinators override a conflict of interest.")
    now = utcnow()
    review = TopicReview(
        topic_id=topic.id,
        reviewer_id=reviewer.id,
        assigned_by_id=actor.id,
        assigned_at=now,
        due_at=due_at,
        due_set_at=now,
        override_reason=reason if conflicts else "",
        overridden_by_id=actor.id if conflicts else None,
    )
    session.add(review)
    session.flush()
    details = {"reviewer_id": reviewer.id, "review_id": review.id, "due_at": due_at}
    audit.record(session, actor, "topic.review_assign", topic, ip=ctx.client_ip, **details)
    if conflicts:
        audit.record(
            session,
            actor,
            "topic.review_override",
            topic,
            ip=ctx.client_ip,
            reviewer_id=reviewer.id,
            review_id=review.id,
            reason=reason,
            conflicts=[c.text for c in conflicts],
        )
    topic_events.review_requested(session, ctx, topic, reviewer, due_at)
    return review


def change_deadline(
    session: Session, ctx: RequestContext, topic: Topic, review_id: int, due: object
) -> TopicReview:
    """Move a review's deadline (a date after today); its reminder steps start again."""
    actor = _deny_unless_coordinator(ctx.actor, topic)
    review = session.get(TopicReview, review_id)
    if review is None or review.topic_id != topic.id:
        raise NotFound("No such review.")
    if review.submitted_at is not None:
        raise Conflict("This review is already submitted: its deadline no longer applies.")
    due_at = parse_due(due, topic)
    if due_at == review.due_at:
        raise Conflict("The review already has this deadline; nothing changed.")
    old = review.due_at
    review.due_at, review.due_set_at = due_at, utcnow()
    session.flush()
    audit.record(
        session,
        actor,
        "topic.review_deadline",
        topic,
        ip=ctx.client_ip,
        reviewer_id=review.reviewer_id,
        review_id=review.id,
        old=old,
        new=due_at,
    )
    topic_events.review_deadline_changed(session, ctx, topic, review.reviewer, due_at)
    return review


@dataclass
class HistoryLine:
    at: datetime
    actor: str
    text: str


def _when(value: str | None, zone: ZoneInfo) -> str:
    if not value:
        return "no deadline"
    return datetime.fromisoformat(value).astimezone(zone).strftime("%d %b %Y")


# Built once: a topic's page reads it on every request (for the programme office).
_ASSIGNMENT_ENTRIES = (
    select(AuditEntry)
    .where(
        AuditEntry.object_type == Topic.__tablename__,
        AuditEntry.object_id == bindparam("topic_id", type_=Integer),
        AuditEntry.action.in_(ACTIONS),
    )
    .order_by(AuditEntry.at, AuditEntry.id)
)


def assignment_history(
    session: Session, user: User | None, topic: Topic, audit: list[AuditEntry] | None = None
) -> list[HistoryLine]:
    """Assignments, overrides (with their reason) and deadline changes, in words, for the
    programme office; nobody else sees who reviews the topic. ``audit``: the topic's audit
    entries if the caller read them (``timeline.topic_audit``), oldest first."""
    if not policies.can_see_review_assignments(user, topic):
        return []
    if audit is None:
        entries = list(session.scalars(_ASSIGNMENT_ENTRIES, {"topic_id": topic.id}))
    else:
        entries = [e for e in audit if e.action in ACTIONS]
    if not entries:
        return []
    people = {e.actor_id for e in entries} | {e.details.get("reviewer_id") for e in entries}
    named = select(User.id, User.name).where(User.id.in_(people - {None}))
    names: dict[int | None, str] = {row.id: row.name for row in session.execute(named)}
    zone = _zone(topic)
    lines = []
    for e in entries:
        d, who = e.details, names.get(e.details.get("reviewer_id"), "a former user")
        if e.action == "topic.review_assign":
            text = f"asked {who} to review, due {_when(d.get('due_at'), zone)}"
        elif e.action == "topic.review_override":
            conflicts = " ".join(d.get("conflicts", []))
            reason = d.get("reason", "")
            text = f"overrode a conflict of interest of {who}: {conflicts} Reason given: {reason}"
        else:
            text = (
                f"moved the deadline of {who}'s review from {_when(d.get('old'), zone)} "
                f"to {_when(d.get('new'), zone)}"
            )
        lines.append(HistoryLine(e.at, names.get(e.actor_id, "someone"), text))
    return lines
