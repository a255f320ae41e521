"""A consortium's history in words: the request, the engine's answer, every edit, the
invitations and their answers (see ``services.core.history``)."""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from models import AuditEntry, Invitation, MatchRequest, User
from services.core import history


def consortium_history(
    session: Session, viewer: User | None, req: MatchRequest
) -> list[history.HistoryLine]:
    """For those who see the consortium page (the caller checked ``can_view_match``)."""
    invitations = select(Invitation.id).where(Invitation.request_id == req.id)
    entries = session.scalars(
        select(AuditEntry)
        .where(
            or_(
                and_(AuditEntry.object_type == "match_requests", AuditEntry.object_id == req.id),
                and_(
                    AuditEntry.object_type == "consortium_invitations",
                    AuditEntry.object_id.in_(invitations),
                ),
            )
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return history.render(session, viewer, entries, req.topic.programme.timezone)
