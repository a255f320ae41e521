"""Finalise a consortium and invite its members; invitees accept or decline.

An invitation goes through the outbox (consortium.invitation) to every active user of the
organisation (partner representatives and applicants). An organisation without users gets
an invitation row in status ``no_contact``: the page says so and the seat can go to one
of its alternates. A declined seat offers its alternates (services.consortia.seats);
inviting one, or any organisation found by search, is one click, and so is inviting an
organisation into an extra seat.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Invitation, MatchRequest, OrganisationMembership, SuggestedMember, User
from models.base import utcnow
from services import policies
from services.consortia.match_requests import get_request
from services.consortia.review import active, member_of, record_swap, take_seat
from services.core import audit
from services.core.context import RequestContext
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from services.notifications.notify import notify


def _contacts(session: Session, organisation_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(OrganisationMembership, OrganisationMembership.user_id == User.id)
            .where(
                OrganisationMembership.organisation_id == organisation_id,
                OrganisationMembership.role.in_(("partner_rep", "applicant")),
                User.is_active.is_(True),
            )
            .order_by(User.id)
        )
    )


def _invite(
    session: Session, ctx: RequestContext, req: MatchRequest, member: SuggestedMember
) -> Invitation:
    actor = ctx.user
    users = _contacts(session, member.organisation_id)
    inv = Invitation(
        request_id=req.id,
        member_id=member.id,
        organisation_id=member.organisation_id,
        status="sent" if users else "no_contact",
        invited_by_id=actor.id,
    )
    session.add(inv)
    member.status = "invited"
    session.flush()
    if users:
        topic = req.topic
        notify(
            session,
            "consortium.invitation",
            users,
            subject=f"Invitation to join a consortium: {topic.title}",
            summary=(
                f"{member.organisation.display_name} is invited to join the consortium "
                f"proposed for the topic '{topic.title}'. Please accept or decline."
            ),
            link=ctx.link(f"/consortia/invitations/{inv.id}"),
            obj=inv,
            label=f"Consortium for {topic.title}",
            exclude=actor,
        )
    audit.record(
        session,
        actor,
        "consortium.invited",
        inv,
        ip=ctx.client_ip,
        organisation_id=member.organisation_id,
        status=inv.status,
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
        select(Invitation).where(Invitation.request_id == req.id).order_by(Invitation.id)
    )
    return {inv.member_id: inv for inv in rows}


def my_invitations(session: Session, actor: User) -> list[Invitation]:
    ids = policies.organisation_ids(actor)
    if not ids:
        return []
    return list(
        session.scalars(
            select(Invitation)
            .where(Invitation.organisation_id.in_(ids), Invitation.status != "no_contact")
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


def respond(session: Session, ctx: RequestContext, invitation_id: int, accept: bool) -> Invitation:
    actor = ctx.user
    inv = get_invitation(session, actor, invitation_id)
    if not policies.can_respond_invitation(actor, inv):
        raise PermissionDenied("Only people of the invited organisation can answer.")
    if inv.status != "sent":
        raise Conflict(f"This invitation was already answered ({inv.status}).")
    inv.status = "accepted" if accept else "declined"
    inv.responded_at, inv.responded_by_id = utcnow(), actor.id
    inv.member.status = inv.status
    session.flush()
    req = inv.request
    recipients = [
        u
        for u in (
            session.get(User, req.finalised_by_id) if req.finalised_by_id else None,
            session.get(User, inv.invited_by_id) if inv.invited_by_id else None,
            session.get(User, req.requested_by_id) if req.requested_by_id else None,
        )
        if u is not None
    ]
    event = f"invitation.{inv.status}"
    org = inv.organisation.display_name
    notify(
        session,
        event,
        recipients,
        subject=f"{org} {inv.status} the invitation: {req.topic.title}",
        summary=f"{actor.name} {inv.status} the invitation for {org}."
        + ("" if accept else " The consortium page offers alternates for the seat."),
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
    )
    return inv


def open_invitation_seat(member: SuggestedMember, latest: Invitation | None) -> bool:
    """A finalised seat that can go to someone else: declined, or nobody to invite."""
    if (member.explanation or {}).get("replaced_by"):
        return False
    return member.status == "declined" or (
        member.status == "invited" and latest is not None and latest.status == "no_contact"
    )


def _finalised(session: Session, actor: User, request_id: int) -> MatchRequest:
    req = get_request(session, actor, request_id)
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
