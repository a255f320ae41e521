"""Finalise a consortium and invite its members; invitees accept or decline; close it.

An invitation is for an organisation's seat and reaches its people (services.consortia.
invitees: its contacts and users, each with a signed link of their own). An organisation
without anyone gets an invitation row in status ``no_contact``: the page says so and offers
to add a contact, or the seat can go to one of its alternates. An invitation expires after
INVITATION_EXPIRY_DAYS (services.consortia.invitation_deadlines); an expired one counts as
declined. A declined seat offers its alternates (services.consortia.seats). The answer
(accept, or decline with a reason) can change until the coordinator closes the consortium.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import Invitation, MatchRequest, SuggestedMember, User
from models.base import utcnow
from services import policies
from services.consortia import invitees
from services.consortia.match_requests import get_request
from services.consortia.review import active, member_of, record_swap, take_seat
from services.core import audit
from services.core.context import RequestContext
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from services.core.text import clean_text
from services.notifications.notify import notify

REASON_CHARS = 2000


def _invite(
    session: Session, ctx: RequestContext, req: MatchRequest, member: SuggestedMember
) -> Invitation:
    actor = ctx.user
    people = invitees.people_of(session, member.organisation_id)
    inv = Invitation(
        request_id=req.id,
        member_id=member.id,
        organisation_id=member.organisation_id,
        status="sent" if people else "no_contact",
        invited_by_id=actor.id,
        expires_at=utcnow() + timedelta(days=ctx.invitation_expiry_days) if people else None,
    )
    session.add(inv)
    member.status = "invited"
    session.flush()
    invitees.send(session, ctx, inv, people)
    audit.record(
        session,
        actor,
        "consortium.invited",
        inv,
        ip=ctx.client_ip,
        organisation_id=member.organisation_id,
        status=inv.status,
        people=len(people),
    )
    return inv


def finalise(session: Session, ctx: RequestContext, request_id: int) -> list[Invitation]:
    """Freeze the member set and invite every member."""
    actor = ctx.user
    req = get_request(session, actor, request_id)
    if not policies.can_finalise_match(actor, req):
        raise PermissionDenied("Only coordinators can finalise a finished suggestion.")
    if req.finalised_at is not None:
        raise Conflict("This consortium is already finalised.")
    members = active(req)
    if not members:
        raise InvalidInput("The consortium has no members to invite.")
    req.finalised_at, req.finalised_by_id = utcnow(), actor.id
    session.flush()
    invitations = [_invite(session, ctx, req, m) for m in members]
    audit.record(session, actor, "match.finalised", req, ip=ctx.client_ip, members=len(members))
    return invitations


def invitations_of(session: Session, req: MatchRequest) -> dict[int, Invitation]:
    """The latest invitation of each member, by member id."""
    rows = session.scalars(
        select(Invitation)
        .where(Invitation.request_id == req.id)
        .options(selectinload(Invitation.people))
        .order_by(Invitation.id)
    )
    return {inv.member_id: inv for inv in rows}


def my_invitations(session: Session, actor: User) -> list[Invitation]:
    ids = policies.organisation_ids(actor)
    if not ids:
        return []
    return list(
        session.scalars(
            select(Invitation)
            .where(
                Invitation.organisation_id.in_(ids),
                Invitation.status.not_in(("no_contact", "withdrawn")),
            )
            .order_by(Invitation.id.desc())
        )
    )


def get_invitation(session: Session, actor: User, invitation_id: int) -> Invitation:
    """An invitation the actor may answer, or see as a reviewer of its request."""
    inv = session.get(Invitation, invitation_id)
    if inv is None or not (
        policies.can_respond_invitation(actor, inv) or policies.can_view_match(actor, inv.request)
    ):
        raise NotFound("No such invitation.")
    return inv


def coordinators_of(session: Session, inv: Invitation) -> list[User]:
    """Who hears about an answer: who finalised, who invited this seat, who asked."""
    req = inv.request
    ids = [i for i in (req.finalised_by_id, inv.invited_by_id, req.requested_by_id) if i]
    found = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids or [-1])))}
    return [found[i] for i in dict.fromkeys(ids) if i in found]


def _check_answer(inv: Invitation, accept: bool) -> None:
    """Refuse an answer the invitation can no longer take, saying why."""
    req = inv.request
    if req.closed_at is not None:
        raise Conflict(
            f"The coordinator closed this consortium on {req.closed_at:%d %B %Y}: "
            "answers can no longer change."
        )
    if invitees.expired(inv):
        raise Conflict("This invitation expired: it counts as declined.")
    if inv.status not in ("sent", "accepted", "declined"):
        raise Conflict(f"This invitation cannot be answered ({inv.status.replace('_', ' ')}).")
    wanted = "accepted" if accept else "declined"
    if inv.status == wanted:
        raise Conflict(f"This invitation is {wanted} already.")
    if accept and (inv.member.explanation or {}).get("replaced_by"):
        raise Conflict(
            "Since you declined, the seat went to another organisation: it cannot be accepted "
            "any more. Contact the coordinator."
        )


def respond(
    session: Session,
    ctx: RequestContext,
    invitation_id: int,
    accept: bool,
    reason: str = "",
) -> Invitation:
    """Accept, or decline with a reason; either can be changed until the consortium closes."""
    actor = ctx.user
    inv = get_invitation(session, actor, invitation_id)
    if not policies.can_respond_invitation(actor, inv):
        raise PermissionDenied("Only people of the invited organisation can answer.")
    _check_answer(inv, accept)
    if not accept:
        reason = clean_text(
            reason, "reason", "The reason", REASON_CHARS, required=True, multiline=True
        )
    changed = inv.status != "sent"
    inv.status = "accepted" if accept else "declined"
    inv.reason = "" if accept else reason
    inv.responded_at, inv.responded_by_id = utcnow(), actor.id
    inv.member.status = inv.status
    session.flush()
    req = inv.request
    event = f"invitation.{inv.status}"
    org = inv.organisation.display_name
    summary = f"{actor.name} {'changed the answer: ' if changed else ''}{inv.status} the "
    summary += f"invitation for {org}."
    if not accept:
        summary += f" Reason: {reason} The consortium page offers alternates for the seat."
    notify(
        session,
        event,
        coordinators_of(session, inv),
        subject=f"{org} {inv.status} the invitation: {req.topic.title}",
        summary=summary,
        link=ctx.link(f"/consortia/{req.id}"),
        obj=inv,
        label=f"Consortium for {req.topic.title}",
        exclude=actor,
    )
    audit.record(
        session,
        actor,
        f"consortium.{event}",
        inv,
        ip=ctx.client_ip,
        organisation_id=inv.organisation_id,
        reason=inv.reason,
        changed=changed,
    )
    return inv


def close(session: Session, ctx: RequestContext, request_id: int) -> MatchRequest:
    """End the invitations: answers are final, nobody more is invited."""
    actor = ctx.user
    req = get_request(session, actor, request_id)
    if not policies.is_coordinator(actor):
        raise PermissionDenied("Only coordinators can close a consortium.")
    if req.finalised_at is None:
        raise Conflict("Only a finalised consortium can be closed: finalise it first.")
    if req.closed_at is not None:
        raise Conflict("This consortium is closed already.")
    req.closed_at, req.closed_by_id = utcnow(), actor.id
    session.flush()
    accepted = sum(1 for inv in invitations_of(session, req).values() if inv.status == "accepted")
    audit.record(session, actor, "match.closed", req, ip=ctx.client_ip, accepted=accepted)
    return req


def open_invitation_seat(member: SuggestedMember, latest: Invitation | None) -> bool:
    """A finalised seat that can go to someone else: declined (or expired), or nobody to
    invite."""
    if (member.explanation or {}).get("replaced_by"):
        return False
    return member.status == "declined" or (
        member.status == "invited" and latest is not None and latest.status == "no_contact"
    )


def _finalised(session: Session, actor: User, request_id: int) -> MatchRequest:
    req = get_request(session, actor, request_id)
    if req.closed_at is not None:
        raise Conflict("This consortium is closed: nobody more can be invited.")
    if not policies.can_invite_alternate(actor, req):
        raise PermissionDenied("Only coordinators can invite alternates of a finalised consortium.")
    return req


def invite_alternate(
    session: Session,
    ctx: RequestContext,
    request_id: int,
    member_id: int,
    organisation_id: int,
    instance_path: Path | str,
) -> Invitation:
    """Give a declined (or unreachable) seat to an alternate, or anyone found, and invite it."""
    actor = ctx.user
    req = _finalised(session, actor, request_id)
    member = member_of(req, member_id)
    latest = invitations_of(session, req).get(member.id)
    if not open_invitation_seat(member, latest):
        name = member.organisation.display_name
        if (member.explanation or {}).get("replaced_by"):
            raise Conflict(f"The seat of {name} already went to another organisation.")
        raise Conflict(
            f"The seat of {name} is not open: it has not declined and has people to invite."
        )
    row = take_seat(session, req, organisation_id, instance_path, "alternate", seat=member)
    row.explanation = {
        **row.explanation,
        "reasons": [
            f"alternate for the seat of {member.organisation.display_name}",
            *row.explanation.get("reasons", []),
        ],
    }
    if member.status == "invited":  # unreachable: the seat is withdrawn from it
        member.status = "removed"
        if latest is not None:
            latest.status = "withdrawn"
    session.flush()
    record_swap(session, ctx, req, member.organisation_id, organisation_id)
    return _invite(session, ctx, req, row)


def invite_extra(
    session: Session,
    ctx: RequestContext,
    request_id: int,
    organisation_id: int,
    instance_path: Path | str,
) -> Invitation:
    """After finalising: put an organisation found by search into an extra seat and invite it."""
    actor = ctx.user
    req = _finalised(session, actor, request_id)
    row = take_seat(session, req, organisation_id, instance_path, "search")
    audit.record(
        session, actor, "match.member_added", req, ip=ctx.client_ip, organisation_id=organisation_id
    )
    return _invite(session, ctx, req, row)
