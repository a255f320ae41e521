"""Granting per-SGG and per-organisation roles."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, bindparam, exists, select
from sqlalchemy.orm import Session, joinedload, with_expression

from models import (
    Organisation,
    OrganisationMembership,
    ProgrammeReviewer,
    Sgg,
    SggMembership,
    User,
)
from models.accounts import ORG_ROLES
from services import policies
from services.core import audit
from services.core.context import RequestContext
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied

# The choices of a user's page, built once (their construction costs as much as their
# compiled-cache lookup).
_SGGS = select(Sgg.id, Sgg.name).order_by(Sgg.name)
_PARTNERS = (
    select(Organisation.id, Organisation.short_name, Organisation.legal_name)
    # The predicate of the partial index ix_organisations_industry_partners, written
    # the same way (PostgreSQL then reads the few from it, not the whole registry).
    .where(Organisation.is_efpia_member.is_(True) | Organisation.partner_type.is_not(None))
    .order_by(Organisation.legal_name)
)


def sgg_choices(session: Session) -> list[Row[Any]]:
    """Every SGG's id and name, by name."""
    return list(session.execute(_SGGS))


def organisations_with_roles(session: Session) -> list[tuple[int, str]]:
    """Organisations whose people hold roles here: programme partners and EFPIA members,
    as (id, display name) by legal name; columns, not Organisation objects."""
    return [(id_, short or legal) for id_, short, legal in session.execute(_PARTNERS)]


_WITH_MEMBERSHIPS = (
    select(User)
    .where(User.id == bindparam("user_id"))
    .options(
        joinedload(User.sgg_memberships).joinedload(SggMembership.sgg),
        joinedload(User.org_memberships).joinedload(OrganisationMembership.organisation),
        with_expression(
            User.reviews_anywhere, exists().where(ProgrammeReviewer.user_id == User.id)
        ),
    )
)


def user_with_memberships(session: Session, user_id: int) -> User:
    """A user with their SGGs and organisations and whether they review for a programme (the
    roles a user's page lists), in one statement instead of one per membership."""
    user = session.execute(_WITH_MEMBERSHIPS, {"user_id": user_id}).unique().scalar()
    if user is None:
        raise NotFound("No such user.")
    return user


def _require_admin(actor: User | None) -> None:
    if actor is not None and not policies.can_manage_users(actor):
        raise PermissionDenied("Only administrators can change memberships.")


def add_to_sgg(session: Session, ctx: RequestContext, user: User, sgg_id: int) -> SggMembership:
    actor = ctx.actor
    _require_admin(actor)
    sgg = session.get(Sgg, sgg_id)
    if sgg is None:
        raise NotFound("No such SGG.")
    exists = session.scalar(
        select(SggMembership).where(
            SggMembership.user_id == user.id, SggMembership.sgg_id == sgg_id
        )
    )
    if exists is not None:
        raise Conflict(f"{user.name} is already a member of {sgg.name}.")
    membership = SggMembership(user_id=user.id, sgg_id=sgg_id)
    session.add(membership)
    user.sgg_memberships.append(membership)
    audit.record(
        session,
        actor,
        "user.role_changed",
        user,
        ip=ctx.client_ip,
        granted="sgg_member",
        sgg=sgg.name,
    )
    return membership


def add_to_organisation(
    session: Session, ctx: RequestContext, user: User, organisation_id: int, role: str
) -> OrganisationMembership:
    actor = ctx.actor
    _require_admin(actor)
    if role not in ORG_ROLES:
        raise InvalidInput(f"Unknown organisation role {role!r}.")
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound("No such organisation.")
    exists = session.scalar(
        select(OrganisationMembership).where(
            OrganisationMembership.user_id == user.id,
            OrganisationMembership.organisation_id == organisation_id,
            OrganisationMembership.role == role,
        )
    )
    if exists is not None:
        raise Conflict(f"{user.name} already holds that role for {org.display_name}.")
    membership = OrganisationMembership(user_id=user.id, organisation_id=organisation_id, role=role)
    session.add(membership)
    user.org_memberships.append(membership)
    audit.record(
        session,
        actor,
        "user.role_changed",
        user,
        ip=ctx.client_ip,
        granted=role,
        organisation=org.display_name,
    )
    return membership


def remove_membership(
    session: Session, ctx: RequestContext, user: User, kind: str, id_: int
) -> None:
    actor = ctx.user
    _require_admin(actor)
    membership: SggMembership | OrganisationMembership | None = (
        session.get(SggMembership, id_)
        if kind == "sgg"
        else session.get(OrganisationMembership, id_)
    )
    if membership is None or membership.user_id != user.id:
        raise NotFound("No such membership.")
    session.delete(membership)
    audit.record(
        session, actor, "user.role_changed", user, ip=ctx.client_ip, revoked=kind, membership=id_
    )
