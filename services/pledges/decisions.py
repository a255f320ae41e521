"""Coordinators confirm or reject submitted pledges.

Confirmation locks the programme row (SELECT ... FOR UPDATE on PostgreSQL; on SQLite every
write transaction already begins with BEGIN IMMEDIATE, see models.db) and computes what is
left of the partner envelope inside that lock, so concurrent confirmations are serialised
and can never push matched funding past the envelope.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Pledge, Programme, Topic, User
from models.base import utcnow
from services import policies
from services.core import audit
from services.core.context import RequestContext
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from services.pledges.lifecycle import require_pledgeable
from services.pledges.notices import envelope_crossed, pledge_event
from services.pledges.partners import is_approved_partner
from services.pledges.rules import crossed, envelope_used, eu_match_for, warnings


@dataclass
class Decision:
    pledge: Pledge
    warnings: list[str] = field(default_factory=list)


def _locked(session: Session, actor: User, pledge_id: int) -> tuple[Pledge, Programme]:
    if not policies.can_decide_pledges(actor):
        raise PermissionDenied("Only coordinators confirm or reject pledges.")
    programme_id = session.scalar(
        select(Topic.programme_id)
        .join(Pledge, Pledge.topic_id == Topic.id)
        .where(Pledge.id == pledge_id)
    )
    if programme_id is None:
        raise NotFound("No such pledge.")
    fresh = {"populate_existing": True}
    programme = session.scalars(
        select(Programme)
        .where(Programme.id == programme_id)
        .with_for_update()
        .execution_options(**fresh)
    ).one()
    pledge = session.scalars(
        select(Pledge).where(Pledge.id == pledge_id).with_for_update().execution_options(**fresh)
    ).one()
    if pledge.status != "submitted":
        raise Conflict(f"Only submitted pledges can be decided; this one is {pledge.status}.")
    return pledge, programme


def confirm_pledge(session: Session, ctx: RequestContext, pledge_id: int) -> Decision:
    actor = ctx.user
    pledge, programme = _locked(session, actor, pledge_id)
    org = pledge.organisation
    require_pledgeable(pledge.topic)
    member = org.is_efpia_member
    if not member and not is_approved_partner(session, org, programme.id):
        raise Conflict(
            f"{org.display_name} is neither a member nor an approved partner of "
            f"{programme.code}; its pledge cannot be confirmed."
        )
    if pledge.kind == "ikaa" and not member:
        raise Conflict(
            "In-kind contributions to additional activities are accepted only from members, "
            f"not from {org.partner_type or 'non-member'} partners such as {org.display_name}."
        )
    match = eu_match_for(programme, pledge)
    from_envelope = not member and match > 0
    used = envelope_used(session, programme.id) if from_envelope else None
    if used is not None:
        remaining = programme.partner_envelope - used
        if match > remaining:
            raise Conflict(
                f"Not confirmed: this pledge needs EUR {match:,.2f} of EU matching but only "
                f"EUR {remaining:,.2f} remains of {programme.code}'s EUR "
                f"{programme.partner_envelope:,.2f} envelope for associated and contributing "
                "partners."
            )
    audit.record(
        session,
        actor,
        "pledge.confirmed",
        pledge,
        ip=ctx.client_ip,
        changes={
            "status": {"old": pledge.status, "new": "confirmed"},
            "eu_match": {"old": pledge.eu_match, "new": match},
            "from_envelope": {"old": pledge.from_envelope, "new": from_envelope},
        },
    )
    pledge.status = "confirmed"
    pledge.eu_match = match
    pledge.from_envelope = from_envelope
    pledge.decided_by_id = actor.id
    pledge.decided_at = utcnow()
    session.flush()
    found = warnings(session, programme, pledge.topic)
    if found:
        audit.record(
            session, actor, "pledge.rule_warnings", pledge, ip=ctx.client_ip, warnings=found
        )
    pledge_event(session, ctx, "pledge.confirmed", pledge, extra=f"EU match: EUR {match:,.2f}.")
    if used is not None:
        after = used + match
        for threshold in crossed(programme.partner_envelope, used, after):
            envelope_crossed(session, ctx, programme, threshold, after)
    return Decision(pledge, found)


def reject_pledge(
    session: Session, ctx: RequestContext, pledge_id: int, *, reason: str
) -> Decision:
    reason = reason.strip()
    actor = ctx.user
    if not policies.can_decide_pledges(actor):
        raise PermissionDenied("Only coordinators confirm or reject pledges.")
    if not reason:
        raise InvalidInput("Say why the pledge is rejected.", {"reason": ["Give a reason."]})
    pledge, _programme = _locked(session, actor, pledge_id)
    audit.record(
        session,
        actor,
        "pledge.rejected",
        pledge,
        ip=ctx.client_ip,
        changes={"status": {"old": pledge.status, "new": "rejected"}},
        reason=reason[:2000],
    )
    pledge.status = "rejected"
    pledge.decided_by_id = actor.id
    pledge.decided_at = utcnow()
    session.flush()
    pledge_event(session, ctx, "pledge.rejected", pledge, extra=f"Reason: {reason}")
    return Decision(pledge)
