"""Call deadline reminders, N days before each deadline, exactly once per person.

Who is concerned by a call: the members of the SGGs of its topics, the partner
representatives of its topics' industry partners, and every coordinator. Rejected or
withdrawn topics do not count.

When: for each stage deadline still ahead, the programme's ``reminder_days`` (default
"14,7,1") are thresholds; the reminder given is the one for the smallest threshold already
crossed, so a call published 3 days before its deadline gets the 7-day reminder once, not
three reminders at once.

Exactly once: a ``deadline_reminders`` row with the unique key (user, call, stage, days) is
inserted with ON CONFLICT DO NOTHING in the same transaction as the notification; only the
transaction that inserted it notifies. Two beat processes or a restart change nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from models import (
    Call,
    DeadlineReminder,
    OrganisationMembership,
    SggMembership,
    Topic,
    TopicIndustryPartner,
    User,
)
from models.base import utcnow
from services.core.config import Settings
from services.notifications.notify import notify

EVENT = "call.deadline_reminder"
INACTIVE_TOPIC_STATES = ("rejected", "withdrawn")


def parse_days(value: str) -> list[int]:
    """'14,7,1' -> [1, 7, 14]; blanks and nonsense are ignored."""
    days = {int(p) for p in (value or "").replace(" ", "").split(",") if p.isdigit()}
    return sorted(d for d in days if d > 0)


def due_threshold(deadline: datetime, now: datetime, days: list[int]) -> int | None:
    """The smallest threshold already crossed before ``deadline``, or None."""
    if deadline <= now:
        return None
    crossed = [d for d in days if now >= deadline - timedelta(days=d)]
    return min(crossed) if crossed else None


def concerned(session: Session, call: Call) -> list[User]:
    """SGG members of the call's topics, their partner representatives, and coordinators."""
    topics = select(Topic).where(
        Topic.call_id == call.id, Topic.status.not_in(INACTIVE_TOPIC_STATES)
    )
    sgg_ids = topics.with_only_columns(Topic.sgg_id)
    org_ids = select(TopicIndustryPartner.organisation_id).where(
        TopicIndustryPartner.topic_id.in_(topics.with_only_columns(Topic.id))
    )
    query = (
        select(User)
        .where(
            User.is_active.is_(True),
            or_(
                User.role == "coordinator",
                User.id.in_(select(SggMembership.user_id).where(SggMembership.sgg_id.in_(sgg_ids))),
                User.id.in_(
                    select(OrganisationMembership.user_id).where(
                        OrganisationMembership.role == "partner_rep",
                        OrganisationMembership.organisation_id.in_(org_ids),
                    )
                ),
            ),
        )
        .order_by(User.id)
    )
    return list(session.scalars(query))


def _claim_reminder(
    session: Session, user: User, call: Call, stage: str, days: int, deadline: datetime
) -> bool:
    """Insert the reminder's unique key; True only for the transaction that inserted it."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(DeadlineReminder)
        .values(
            user_id=user.id,
            call_id=call.id,
            stage=stage,
            days=days,
            deadline=deadline,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["user_id", "call_id", "stage", "days"])
        .returning(DeadlineReminder.id)
    )
    return session.execute(stmt).scalar() is not None


def send_due_reminders(session: Session, settings: Settings, now: datetime | None = None) -> int:
    """Notify everyone concerned by a deadline reminder that is due; return how many."""
    now = now or utcnow()
    calls = session.scalars(
        select(Call)
        .where(or_(Call.stage1_deadline > now, Call.stage2_deadline > now))
        .options(selectinload(Call.programme))
        .order_by(Call.id)
    )
    sent = 0
    for call in calls:
        days = parse_days(call.programme.reminder_days)
        for stage, deadline in (("stage1", call.stage1_deadline), ("stage2", call.stage2_deadline)):
            if deadline is None:
                continue
            threshold = due_threshold(deadline, now, days)
            if threshold is None:
                continue
            people = [
                u
                for u in concerned(session, call)
                if _claim_reminder(session, u, call, stage, threshold, deadline)
            ]
            if not people:
                continue
            left = deadline - now
            when = f"{left.days} days" if left.days >= 1 else "less than a day"
            label = stage.replace("stage", "stage ") if call.call_type == "two_stage" else ""
            name = f"{call.identifier} {label}".strip()
            notify(
                session,
                EVENT,
                people,
                subject=f"Deadline in {when}: {name}",
                summary=(
                    f"The {label + ' ' if label else ''}deadline of call {call.identifier} "
                    f"({call.title}) is {deadline:%Y-%m-%d %H:%M} UTC, in {when}."
                ),
                link=f"{settings.public_url}/calls/{call.id}",
                obj=call,
            )
            sent += len(people)
    return sent
