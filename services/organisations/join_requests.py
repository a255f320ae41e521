"""A verified person asks to join an organisation; a partner representative of it or a
coordinator approves or refuses with a reason.

Approval grants an organisation membership (``applicant`` unless the decider chooses
``partner_rep``: representatives pledge money, so that stays a deliberate choice) and
adds the person to the organisation's contacts (source ``join``). The email domain is
shown as evidence (it matches the addresses of people already known for the
organisation, or it is a public webmail domain) but never decides anything by itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Contact, JoinRequest, Organisation, OrganisationMembership, User
from models.accounts import ORG_ROLES
from models.base import utcnow
from services import policies
from services.core import audit
from services.core.context import RequestContext
from services.core.emails import email_domain
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from services.core.text import clean_text
from services.notifications.notify import notify
from services.organisations import contacts

NOTE_MAX = 500  # JoinRequest.note
REASON_MAX = 500  # JoinRequest.reason
ROLE_LABELS = {"applicant": "Applicant (member)", "partner_rep": "Partner representative"}
PENDING_PAGE = "/organisations/join-requests"
# Addresses anyone can get: a match on these says nothing about the organisation.
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
        "yahoo.com", "yahoo.fr", "icloud.com", "me.com", "aol.com", "mail.com", "gmx.de",
        "gmx.net", "web.de", "t-online.de", "proton.me", "protonmail.com", "orange.fr",
        "free.fr", "laposte.net", "libero.it", "wp.pl", "seznam.cz", "yandex.ru",
    }
)  # fmt: skip


@dataclass(frozen=True)
class DomainEvidence:
    """What the requester's address says about them (a hint for the decider, no more)."""

    domain: str
    public_mail: bool
    known_people: int  # members and contacts of the organisation with the same domain

    @property
    def text(self) -> str:
        if self.public_mail:
            return f"{self.domain} is a public webmail domain: it says nothing about the person."
        if self.known_people:
            people = "person" if self.known_people == 1 else "people"
            return (
                f"Email domain {self.domain} matches {self.known_people} {people} already known "
                "for this organisation (members or contacts). Evidence only: check before "
                "approving."
            )
        return f"No one known for this organisation has an address at {self.domain}."


def _deciders(session: Session, org_id: int) -> list[User]:
    """Who is told of a new request: the organisation's representatives and coordinators."""
    reps = select(OrganisationMembership.user_id).where(
        OrganisationMembership.organisation_id == org_id,
        OrganisationMembership.role == "partner_rep",
    )
    return list(
        session.scalars(
            select(User)
            .where(User.is_active.is_(True), (User.role == "coordinator") | User.id.in_(reps))
            .order_by(User.id)
        )
    )


def request_to_join(
    session: Session, ctx: RequestContext, organisation_id: int, note: str = ""
) -> JoinRequest:
    actor = ctx.user
    org = session.get(Organisation, organisation_id)
    if org is None or org.merged_into_id is not None:
        raise NotFound("No such organisation.")
    if not policies.is_verified(actor):
        raise PermissionDenied("Confirm your email address before asking to join.")
    if policies.is_organisation_member(actor, org):
        raise Conflict(f"You already act for {org.display_name}.")
    pending = session.scalar(
        select(JoinRequest.id).where(
            JoinRequest.user_id == actor.id,
            JoinRequest.organisation_id == org.id,
            JoinRequest.status == "pending",
        )
    )
    if pending is not None:
        raise Conflict(f"You already asked to join {org.display_name}; the answer is pending.")
    note = clean_text(note, "note", "The note", NOTE_MAX, False, multiline=True)
    jr = JoinRequest(organisation_id=org.id, user_id=actor.id, note=note)
    session.add(jr)
    session.flush()
    audit.record(session, actor, "join.requested", jr, ip=ctx.client_ip, organisation=org.id)
    notify(
        session,
        "join.requested",
        _deciders(session, org.id),
        subject=f"{actor.name} asks to join {org.display_name}",
        summary=f"{actor.name} ({actor.email}) asks to join {org.display_name}: {note or '-'}",
        link=ctx.link(PENDING_PAGE),
        obj=org,
        exclude=actor,
    )
    return jr


def get_request(session: Session, actor: User | None, request_id: int) -> JoinRequest:
    """The request, seen by its requester and by who decides it (else NotFound)."""
    jr = session.get(JoinRequest, request_id)
    if jr is None or not (
        (actor is not None and jr.user_id == actor.id)
        or policies.can_decide_join_requests(actor, jr.organisation_id)
    ):
        raise NotFound("No such join request.")
    return jr


def pending_for(session: Session, actor: User | None) -> list[JoinRequest]:
    """Pending requests ``actor`` decides: all for the office, their own organisations' for
    partner representatives, oldest first."""
    stmt = select(JoinRequest).where(JoinRequest.status == "pending")
    if not policies.is_coordinator(actor):
        stmt = stmt.where(
            JoinRequest.organisation_id.in_(policies.organisation_ids(actor, "partner_rep"))
        )
    return list(session.scalars(stmt.order_by(JoinRequest.created_at, JoinRequest.id)))


def requests_of(session: Session, actor: User) -> list[JoinRequest]:
    """The actor's own requests, newest first."""
    return list(
        session.scalars(
            select(JoinRequest)
            .where(JoinRequest.user_id == actor.id)
            .order_by(JoinRequest.created_at.desc(), JoinRequest.id.desc())
        )
    )


def evidence(session: Session, jr: JoinRequest) -> DomainEvidence:
    domain = email_domain(jr.user.email.lower())
    if domain in PUBLIC_MAIL_DOMAINS:
        return DomainEvidence(domain, True, 0)
    members = select(User.email).join(
        OrganisationMembership, OrganisationMembership.user_id == User.id
    )
    members = members.where(
        OrganisationMembership.organisation_id == jr.organisation_id, User.id != jr.user_id
    )
    known = set(session.scalars(members))
    known |= set(
        session.scalars(
            select(Contact.email).where(
                Contact.organisation_id == jr.organisation_id,
                (Contact.user_id != jr.user_id) | Contact.user_id.is_(None),
            )
        )
    )
    same = {e.lower() for e in known if email_domain(e.lower()) == domain}
    return DomainEvidence(domain, False, len(same))


def _decidable(session: Session, ctx: RequestContext, request_id: int) -> JoinRequest:
    jr = get_request(session, ctx.actor, request_id)
    if not policies.can_decide_join_requests(ctx.actor, jr.organisation_id):
        raise PermissionDenied("Only its partner representatives or a coordinator decide.")
    if jr.status != "pending":
        raise Conflict(f"This request was already {jr.status}.")
    return jr


def _tell_requester(session: Session, ctx: RequestContext, jr: JoinRequest, summary: str) -> None:
    notify(
        session,
        "join.decided",
        [jr.user],
        subject=f"Your request to join {jr.organisation.display_name} was {jr.status}",
        summary=summary,
        link=ctx.link(f"/organisations/{jr.organisation_id}"),
        obj=jr.organisation,
        exclude=ctx.actor,
    )


def approve(
    session: Session, ctx: RequestContext, request_id: int, role: str = "applicant"
) -> JoinRequest:
    """Grant the membership and add the person to the organisation's contacts."""
    jr = _decidable(session, ctx, request_id)
    if role not in ORG_ROLES:
        raise InvalidInput(f"Unknown role {role!r}.", {"role": ["Choose a role."]})
    person, org = jr.user, jr.organisation
    if not person.is_active:
        raise Conflict(f"The account of {person.name} is no longer active.")
    if not any(m.organisation_id == org.id and m.role == role for m in person.org_memberships):
        membership = OrganisationMembership(user_id=person.id, organisation_id=org.id, role=role)
        session.add(membership)
        person.org_memberships.append(membership)
    contact = contacts.find_contact(session, org.id, person.email.lower())
    if contact is None:
        contacts.add_contact(
            session, ctx, org.id, name=person.name, email=person.email, source="join"
        )
    elif contact.user_id is None:
        contact.user_id = person.id
    jr.status, jr.role = "approved", role
    jr.decided_by_id, jr.decided_at = ctx.user.id, utcnow()
    session.flush()
    audit.record(session, ctx.actor, "join.approved", jr, ip=ctx.client_ip, role=role)
    audit.record(
        session,
        ctx.actor,
        "user.role_changed",
        person,
        ip=ctx.client_ip,
        granted=role,
        organisation=org.display_name,
        join_request=jr.id,
    )
    _tell_requester(
        session, ctx, jr, f"You now act for {org.display_name} as {ROLE_LABELS[role].lower()}."
    )
    return jr


def refuse(session: Session, ctx: RequestContext, request_id: int, reason: str) -> JoinRequest:
    jr = _decidable(session, ctx, request_id)
    reason = clean_text(reason, "reason", "A reason", REASON_MAX, True, multiline=True)
    jr.status, jr.reason = "refused", reason
    jr.decided_by_id, jr.decided_at = ctx.user.id, utcnow()
    session.flush()
    audit.record(session, ctx.actor, "join.refused", jr, ip=ctx.client_ip, reason=reason)
    _tell_requester(session, ctx, jr, f"The answer: {reason}")
    return jr
