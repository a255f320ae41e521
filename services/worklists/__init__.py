"""Work queues: what waits for a user in each of their roles, for the dashboard.

Each role's queues are a few statements (one per queue, whatever its length), and every
item carries the visibility clauses of ``services.policies``: a queue never names an
object its viewer may not open.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from models import User
from models.base import utcnow
from services import policies
from services.worklists import coordinator, invitee, partner, reviewer, sgg
from services.worklists.items import Dashboard, Section


def dashboard(session: Session, user: User, now: datetime | None = None) -> Dashboard:
    """The sections of every role ``user`` holds, in the order work flows: the office,
    reviewers, SGGs, partners, invited organisations."""
    now = now or utcnow()
    sections: list[Section] = []
    if policies.is_coordinator(user):
        sections.append(coordinator.section(session, user, now))
    review = reviewer.section(session, user)
    if review is not None:
        sections.append(review)
    if policies.is_sgg_member(user):
        sections.append(sgg.section(session, user))
    if policies.is_partner_rep(user):
        sections.append(partner.section(session, user))
    if policies.organisation_ids(user):
        sections.append(invitee.section(session, user))
    return Dashboard(now, sections)


__all__ = ["dashboard"]
