"""Invitations that expire, and their reminders: the periodic job (beat, or the embedded
scheduler), idempotent.

An invitation not answered within INVITATION_EXPIRY_DAYS expires: it counts as declined
(the member's seat opens and offers its ranked alternates, services.consortia.seats) and
the coordinators are told. INVITATION_REMINDER_DAYS before that, its people get one
reminder. Each change is claimed by a conditional UPDATE (status still 'sent', reminder
not given yet) in the transaction that notifies, so two beats or a rerun change nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from models import Invitation
from models.base import utcnow
from services.consortia import invitations, invitees
from services.core import audit
from services.core.config import Settings
from services.core.context import RequestContext
from services.notifications.notify import notify


def _claim(session: Session, invitation_id: int, *conditions, **values) -> Invitation | None:
    """Apply ``values`` if the row still meets ``conditions``; the row, or None if taken."""
    done = cast(
        "CursorResult[Any]",
        session.execute(
            update(Invitation)
            .where(Invitation.id == invitation_id, *conditions)
            .values(**values)
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    if done != 1:
        return None
    inv = session.get(Invitation, invitation_id)
    if inv is not None:
        session.refresh(inv)
    return inv


def expire_due(session: Session, ctx: RequestContext, now: datetime | None = None) -> int:
    """Expire the unanswered invitations past their date; return how many."""
    now = now or utcnow()
    due = session.scalars(
        select(Invitation.id).where(Invitation.status == "sent", Invitation.expires_at <= now)
    ).all()
    count = 0
    for invitation_id in due:
        inv = _claim(
            session, invitation_id, Invitation.status == "sent", status="expired", responded_at=now
        )
        if inv is None:
            continue
        if inv.member.status == "invited":
            inv.member.status = "declined"  # the seat opens exactly as for a decline
        session.flush()
        req, org = inv.request, inv.organisation.display_name
        notify(
            session,
            "invitation.expired",
            invitations.coordinators_of(session, inv),
            subject=f"{org} did not answer in time: {req.topic.title}",
            summary=f"The invitation for {org} expired unanswered; it counts as declined. "
            "The consortium page offers alternates for the seat.",
            link=ctx.link(f"/consortia/{req.id}"),
            obj=inv,
            label=f"Consortium for {req.topic.title}",
        )
        audit.record(
            session, None, "consortium.invitation.expired", inv, organisation_id=inv.organisation_id
        )
        count += 1
    return count


def remind_due(
    session: Session, ctx: RequestContext, days_before: int, now: datetime | None = None
) -> int:
    """Remind the people of invitations expiring within ``days_before`` days, once each;
    return how many people were reminded."""
    now = now or utcnow()
    due = session.scalars(
        select(Invitation.id).where(
            Invitation.status == "sent",
            Invitation.reminded_at.is_(None),
            Invitation.expires_at > now,
            Invitation.expires_at <= now + timedelta(days=days_before),
        )
    ).all()
    people = 0
    for invitation_id in due:
        inv = _claim(
            session,
            invitation_id,
            Invitation.status == "sent",
            Invitation.reminded_at.is_(None),
            reminded_at=now,
        )
        if inv is not None:
            people += invitees.remind(session, ctx, inv)
    return people


def run(session: Session, settings: Settings, now: datetime | None = None) -> dict[str, int]:
    """The periodic job: expire what is due, then remind what is close."""
    ctx = RequestContext.for_settings(settings)
    expired = expire_due(session, ctx, now)
    reminded = remind_due(session, ctx, settings.invitation_reminder_days, now)
    return {"expired": expired, "reminded": reminded}
