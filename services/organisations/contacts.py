"""The people of an organisation: contacts that invitations can reach (CORDIS has none).

Coordinators, admins and the organisation's own people keep them
(``policies.can_manage_contacts``); the same people see them (``can_see_contacts``). One
address is one contact per organisation. A contact is linked to the account with its
address (``user_id``) once that account's address is verified: when the contact is added,
or later when the person verifies a sign-up (``link_contacts``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Integer,
    Row,
    String,
    bindparam,
    func,
    literal,
    literal_column,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session

from models import Contact, Organisation, OrganisationMembership, User
from models.contacts import CONTACT_SOURCES
from services import policies
from services.core import audit
from services.core.context import RequestContext
from services.core.emails import valid_email
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from services.core.text import clean_text

NAME_MAX = 200  # Contact.name
FUNCTION_MAX = 200  # Contact.function


def clean_contact(
    name: str | None, email: str | None, function: str | None
) -> tuple[str, str, str]:
    """(name, email, function) checked and normalised, or InvalidInput naming every bad field."""
    errors: dict[str, list[str]] = {}
    messages: list[str] = []
    out: list[str] = []
    for field, check in (
        ("name", lambda: clean_text(name, "name", "A name", NAME_MAX, True)),
        ("email", lambda: valid_email(email or "")),
        ("function", lambda: clean_text(function, "function", "The function", FUNCTION_MAX, False)),
    ):
        try:
            out.append(check())
        except InvalidInput as exc:
            errors.update(exc.field_errors or {field: [exc.message]})
            messages.append(exc.message)
    if errors:
        raise InvalidInput(" ".join(messages), errors)
    return out[0], out[1], out[2]


def verified_user_with(session: Session, email: str) -> User | None:
    """The active account with this (normalised) address whose address is verified."""
    return session.scalar(
        select(User).where(
            func.lower(User.email) == email,
            User.is_active.is_(True),
            User.email_verified_at.is_not(None),
        )
    )


def _organisation(session: Session, organisation_id: int) -> Organisation:
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound("No such organisation.")
    return org


def _require_manager(ctx: RequestContext, org: Organisation) -> None:
    """No actor means the command line or a use case acting on its own behalf: trusted."""
    actor = ctx.actor
    if actor is None:
        return
    if not policies.can_manage_contacts(actor, org.id):
        raise PermissionDenied(f"You cannot change the contacts of {org.display_name}.")
    if org.merged_into_id is not None:
        raise Conflict(f"{org.display_name} was merged into another organisation; use that one.")


def find_contact(session: Session, organisation_id: int, email: str) -> Contact | None:
    return session.scalar(
        select(Contact).where(Contact.organisation_id == organisation_id, Contact.email == email)
    )


def _refuse_duplicate(session: Session, org: Organisation, email: str) -> None:
    if find_contact(session, org.id, email) is not None:
        raise Conflict(
            f"{email} is already a contact of {org.display_name}.",
            {"email": ["Already a contact of this organisation."]},
        )


def add_contact(
    session: Session,
    ctx: RequestContext,
    organisation_id: int,
    *,
    name: str,
    email: str,
    function: str = "",
    source: str = "manual",
) -> Contact:
    """Add a person to an organisation's contacts (linked to their account if verified)."""
    org = _organisation(session, organisation_id)
    _require_manager(ctx, org)
    if source not in CONTACT_SOURCES:
        raise InvalidInput(f"Unknown contact source {source!r}.")
    name, email, function = clean_contact(name, email, function)
    _refuse_duplicate(session, org, email)
    user = verified_user_with(session, email)
    contact = Contact(
        organisation_id=org.id,
        name=name,
        email=email,
        function=function,
        user_id=user.id if user is not None else None,
        source=source,
        created_by_id=ctx.actor.id if ctx.actor is not None else None,
    )
    session.add(contact)
    session.flush()
    audit.record(
        session,
        ctx.actor,
        "contact.added",
        contact,
        ip=ctx.client_ip,
        organisation=org.id,
        email=email,
        source=source,
        linked=contact.user_id is not None,
    )
    return contact


def get_contact(session: Session, actor: User | None, contact_id: int) -> Contact:
    """The contact, if ``actor`` may see its organisation's contacts (else NotFound)."""
    contact = session.get(Contact, contact_id)
    if contact is None or not policies.can_see_contacts(actor, contact.organisation_id):
        raise NotFound("No such contact.")
    return contact


def edit_contact(
    session: Session,
    ctx: RequestContext,
    contact_id: int,
    *,
    name: str,
    email: str,
    function: str = "",
) -> Contact:
    """Change a contact's name, address or function; a new address is linked afresh."""
    contact = get_contact(session, ctx.actor, contact_id)
    org = contact.organisation
    _require_manager(ctx, org)
    name, email, function = clean_contact(name, email, function)
    if email != contact.email:
        _refuse_duplicate(session, org, email)
        user = verified_user_with(session, email)
        contact.user_id = user.id if user is not None else None
    new = {"name": name, "email": email, "function": function}
    changed = audit.changes(contact, list(new), new)
    if not changed:
        return contact
    for field, value in new.items():
        setattr(contact, field, value)
    session.flush()
    audit.record(session, ctx.actor, "contact.edited", contact, ip=ctx.client_ip, changes=changed)
    return contact


def remove_contact(session: Session, ctx: RequestContext, contact_id: int) -> None:
    contact = get_contact(session, ctx.actor, contact_id)
    _require_manager(ctx, contact.organisation)
    audit.record(
        session,
        ctx.actor,
        "contact.removed",
        contact,
        ip=ctx.client_ip,
        organisation=contact.organisation_id,
        email=contact.email,
    )
    session.delete(contact)
    session.flush()


def contacts_of(session: Session, organisation_id: int) -> list[Contact]:
    """The organisation's contacts by name. The caller checks ``policies.can_see_contacts``."""
    return list(
        session.scalars(
            select(Contact)
            .where(Contact.organisation_id == organisation_id)
            .order_by(func.lower(Contact.name), Contact.id)
        )
    )


@dataclass
class People:
    """The People section of an organisation's page: who has an account for it (rows of
    name and role, by name) and, for who may see them, its contacts (rows of id, name,
    email, function, user_id and source, as ``contacts_of`` orders them)."""

    members: list[Row[Any]] = dataclasses.field(default_factory=list)
    contacts: list[Row[Any]] = dataclasses.field(default_factory=list)


def _people_statements() -> tuple[Any, Any]:
    """Built once: the members alone, and the members with the contacts (UNION ALL: one
    round trip for the section, rows rather than objects)."""
    org_id = bindparam("org_id", type_=Integer)
    text, number = null().cast(String), null().cast(Integer)
    members = (
        select(literal("member").label("kind"), number.label("id"), User.name.label("name"),
               OrganisationMembership.role.label("role"), text.label("email"),
               text.label("function"), number.label("user_id"), text.label("source"),
               func.lower(User.name).label("sort"))
        .join(User, User.id == OrganisationMembership.user_id)
        .where(OrganisationMembership.organisation_id == org_id)
    )  # fmt: skip
    contacts = select(
        literal("contact"), Contact.id, Contact.name, text, Contact.email, Contact.function,
        Contact.user_id, Contact.source, func.lower(Contact.name),
    ).where(Contact.organisation_id == org_id)  # fmt: skip
    order: list[Any] = [literal_column(name) for name in ("kind", "sort", "id")]
    return members.order_by(User.name), union_all(members, contacts).order_by(*order)


_MEMBERS, _MEMBERS_AND_CONTACTS = _people_statements()


def people(session: Session, organisation_id: int, with_contacts: bool) -> People:
    """The section's rows; contacts only ``with_contacts`` (``policies.can_see_contacts``)."""
    stmt = _MEMBERS_AND_CONTACTS if with_contacts else _MEMBERS
    found = People()
    for row in session.execute(stmt, {"org_id": organisation_id}):
        (found.members if row.kind == "member" else found.contacts).append(row)
    return found


def link_contacts(session: Session, user: User) -> int:
    """Link every unlinked contact with ``user``'s address to it (once it is verified)."""
    if user.email_verified_at is None:
        return 0
    result = session.execute(
        update(Contact)
        .where(Contact.email == user.email.lower(), Contact.user_id.is_(None))
        .values(user_id=user.id)
        .execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
