"""The people an invitation reaches, their signed links, and the account made from one.

Who is invited: the organisation's contacts (``organisation_contacts``) and its users
(partner representatives and applicants) who are not contacts already, once per address.
Each person gets a mail with a link of their own (``/invitations/<token>``): a random token
of which only the SHA-256 is stored; the reminder brings a second one. A link serves this
invitation only and stops working once it expired or was withdrawn. Following it, a person
without an account creates one (name and password; the address is the invitation's), once;
a person with an account signs in. Either way they then act for the organisation (an
``applicant`` membership): they proved they read the mail sent to a contact of it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import func, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from models import (
    Contact,
    Invitation,
    InvitedPerson,
    OrganisationMembership,
    User,
)
from models.base import utcnow
from services import policies
from services.accounts import users as accounts
from services.consortia.match_requests import get_request
from services.core import audit
from services.core.context import RequestContext
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from services.core.text import clean_text
from services.notifications.notify import Address, notify, queue_email
from services.organisations import contacts

EVENT = "consortium.invitation"
REMINDER_EVENT = "consortium.invitation_reminder"
TOKEN_CHARS = 100  # longer "tokens" are not ours: refused before any lookup


@dataclass
class Person:
    """Someone to invite: a contact, a user of the organisation, or both."""

    name: str
    email: str
    user: User | None
    contact_id: int | None


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()


def people_of(session: Session, organisation_id: int) -> list[Person]:
    """The organisation's contacts, then its active users who are not contacts."""
    contacts = list(
        session.scalars(
            select(Contact).where(Contact.organisation_id == organisation_id).order_by(Contact.id)
        )
    )
    members = session.scalars(
        select(User)
        .join(OrganisationMembership, OrganisationMembership.user_id == User.id)
        .where(
            OrganisationMembership.organisation_id == organisation_id,
            OrganisationMembership.role.in_(("partner_rep", "applicant")),
            User.is_active.is_(True),
        )
        .order_by(User.id)
    ).unique()
    emails = [c.email for c in contacts]
    accounts_by_email = {
        u.email.lower(): u
        for u in session.scalars(select(User).where(func.lower(User.email).in_(emails or [""])))
        if u.is_active
    }
    people: dict[str, Person] = {}
    for c in contacts:
        email = accounts.normalise_email(c.email)
        user = accounts_by_email.get(email)
        people.setdefault(email, Person(c.name, email, user, c.id))
    for u in members:
        people.setdefault(accounts.normalise_email(u.email), Person(u.name, u.email, u, None))
    return list(people.values())


def expired(inv: Invitation, now: datetime | None = None) -> bool:
    """Expired, or past its expiry and not answered yet (the beat job has not run)."""
    now = now or utcnow()
    return inv.status == "expired" or (
        inv.status == "sent" and inv.expires_at is not None and inv.expires_at <= now
    )


def _wording(inv: Invitation) -> tuple[str, str]:
    """(subject, summary) of the invitation mail, in plain words."""
    topic = inv.request.topic
    org = inv.organisation.display_name
    call = topic.call
    deadline = call.stage1_deadline if call is not None else None
    summary = (
        f"{org} is invited to join the consortium proposed for the topic '{topic.title}'."
        + (f" The call deadline is {deadline:%d %B %Y}." if deadline else "")
        + (f" Please answer by {inv.expires_at:%d %B %Y}" if inv.expires_at else " Please answer")
        + ": accept, or decline with a reason. The page tells you why your organisation was "
        "chosen and who else takes part."
    )
    return f"Invitation to join a consortium: {topic.title}", summary


def _mail(
    session: Session, ctx: RequestContext, inv: Invitation, person: Person, raw: str, event: str
) -> None:
    subject, summary = _wording(inv)
    if event == REMINDER_EVENT:
        subject = "Reminder: " + subject
    link = ctx.link(f"/invitations/{raw}")
    label = f"Consortium for {inv.request.topic.title}"
    if person.user is not None:
        notify(
            session,
            event,
            [person.user],
            subject=subject,
            summary=summary,
            link=link,
            obj=inv,
            label=label,
            exclude=ctx.actor,
        )
        return
    queue_email(
        session,
        Address(person.name, person.email),
        event,
        "consortium_invitation",
        link=link,
        obj=inv,
        subject=subject,
        summary=summary,
        reminder=event == REMINDER_EVENT,
        expires_at=inv.expires_at,
    )


def send(session: Session, ctx: RequestContext, inv: Invitation, people: list[Person]) -> int:
    """Email each person not invited yet a link of their own; return how many were."""
    known = {p.email for p in inv.people}
    sent = 0
    for person in people:
        if person.email in known:
            continue
        raw = secrets.token_urlsafe(32)
        row = InvitedPerson(
            invitation_id=inv.id,
            contact_id=person.contact_id,
            user_id=person.user.id if person.user is not None else None,
            name=person.name,
            email=person.email,
            token_hash=_hash(raw),
        )
        inv.people.append(row)
        session.flush()
        _mail(session, ctx, inv, person, raw, EVENT)
        known.add(person.email)
        sent += 1
    return sent


def remind(session: Session, ctx: RequestContext, inv: Invitation) -> int:
    """Send everyone of ``inv`` a reminder with a fresh link (the first one still works)."""
    users = {
        u.id: u
        for u in session.scalars(
            select(User).where(User.id.in_([p.user_id for p in inv.people if p.user_id] or [-1]))
        )
    }
    for row in inv.people:
        raw = secrets.token_urlsafe(32)
        row.reminder_token_hash = _hash(raw)
        person = Person(row.name, row.email, users.get(row.user_id or -1), row.contact_id)
        _mail(session, ctx, inv, person, raw, REMINDER_EVENT)
    session.flush()
    return len(inv.people)


def find_link(session: Session, raw: str) -> InvitedPerson:
    """The invited person of a link, or NotFound / Conflict saying why it no longer works."""
    if not raw or len(raw) > TOKEN_CHARS:
        raise NotFound("This invitation link is not valid. Check that it is complete.")
    digest = _hash(raw)
    person = session.scalar(
        select(InvitedPerson).where(
            or_(InvitedPerson.token_hash == digest, InvitedPerson.reminder_token_hash == digest)
        )
    )
    if person is None:
        raise NotFound("This invitation link is not valid. Check that it is complete.")
    inv = person.invitation
    if inv.status == "withdrawn":
        raise Conflict("This invitation was withdrawn: the seat went to another organisation.")
    if expired(inv):
        when = f" on {inv.expires_at:%d %B %Y}" if inv.expires_at else ""
        raise Conflict(
            f"This invitation expired{when}. Ask the programme office if you still want to "
            "take part."
        )
    return person


def account_for(session: Session, person: InvitedPerson) -> User | None:
    """The account the invited address already has, if any."""
    return accounts.find_user(session, person.email)


def _join(session: Session, ctx: RequestContext, person: InvitedPerson, user: User) -> None:
    """From now on ``user`` acts for the invited organisation (and is its contact's account)."""
    org_id = person.invitation.organisation_id
    if not policies.is_organisation_member(user, org_id):
        membership = OrganisationMembership(
            user_id=user.id, organisation_id=org_id, role="applicant"
        )
        session.add(membership)
        user.org_memberships.append(membership)
        audit.record(
            session,
            user,
            "consortium.invitee_joined",
            person.invitation,
            ip=ctx.client_ip,
            organisation_id=org_id,
        )
    person.user_id = user.id
    if person.contact_id is not None:
        contact = session.get(Contact, person.contact_id)
        if contact is not None and contact.user_id is None:
            contact.user_id = user.id
    session.flush()


def claim_link(session: Session, ctx: RequestContext, raw: str) -> Invitation:
    """A signed-in person follows their link: they land on the invitation."""
    person = find_link(session, raw)
    user = ctx.user
    if accounts.normalise_email(user.email) != person.email:
        raise PermissionDenied(
            f"This invitation was sent to {person.email}. Sign out and sign in with that "
            "address (or create its account through the link)."
        )
    _join(session, ctx, person, user)
    return person.invitation


def create_account(
    session: Session, ctx: RequestContext, raw: str, *, name: str, password: str
) -> User:
    """Create the invited person's account from their link (once), signed in by the caller."""
    person = find_link(session, raw)
    name = clean_text(name, "name", "Your name", 200, required=True)
    accounts.check_password_strength(password)
    if "\x00" in password:
        raise InvalidInput("The password contains a NUL byte.", {"password": ["Remove it."]})
    taken = Conflict(
        f"An account for {person.email} exists already: sign in to see the invitation.",
        {"name": ["An account exists for this address."]},
    )
    if person.account_created_at is not None or account_for(session, person) is not None:
        raise taken
    claimed = cast(
        "CursorResult[Any]",
        session.execute(
            update(InvitedPerson)
            .where(InvitedPerson.id == person.id, InvitedPerson.account_created_at.is_(None))
            .values(account_created_at=utcnow())
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    if claimed != 1:  # a second submit of the same form, at the same time
        raise taken
    user = accounts.create_user(
        session,
        RequestContext(None, client_ip=ctx.client_ip),
        email=person.email,
        name=name,
        password=password,
    )
    _join(session, ctx, person, user)
    session.refresh(person)
    audit.record(session, user, "user.created_from_invitation", person.invitation, ip=ctx.client_ip)
    return user


def latest_invitation(session: Session, member_id: int) -> Invitation | None:
    return session.scalar(
        select(Invitation).where(Invitation.member_id == member_id).order_by(Invitation.id.desc())
    )


def add_contact_and_invite(
    session: Session,
    ctx: RequestContext,
    request_id: int,
    member_id: int,
    *,
    name: str,
    email: str,
    function: str = "",
) -> Invitation:
    """The coordinator gives a member without anyone to invite a contact: invited at once."""
    req = get_request(session, ctx.user, request_id)
    if not policies.is_coordinator(ctx.user):
        raise PermissionDenied("Only coordinators can add contacts on the consortium page.")
    if not policies.can_invite_alternate(ctx.user, req):
        raise Conflict("Contacts are added here between finalising and closing the consortium.")
    inv = next((latest_invitation(session, m.id) for m in req.members if m.id == member_id), None)
    if inv is None or inv.status not in ("no_contact", "sent") or expired(inv):
        raise Conflict("Only a member whose invitation is still open can get a contact here.")
    contact = contacts.add_contact(
        session, ctx, inv.organisation_id, name=name, email=email, function=function
    )
    if inv.status == "no_contact":
        inv.status = "sent"
        inv.expires_at = utcnow() + timedelta(days=ctx.invitation_expiry_days)
    session.flush()
    user = accounts.find_user(session, contact.email)
    send(session, ctx, inv, [Person(contact.name, contact.email, user, contact.id)])
    audit.record(
        session,
        ctx.user,
        "consortium.invited",
        inv,
        ip=ctx.client_ip,
        organisation_id=inv.organisation_id,
        status=inv.status,
        person=contact.email,
    )
    return inv
