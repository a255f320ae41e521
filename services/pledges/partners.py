"""The associated-partner journey: a non-member organisation applies to become an
associated or contributing partner of a programme; a coordinator decides.

"Member" means ``Organisation.is_efpia_member``: a company belonging to an industry
association that is a founding member of the partnership (EFPIA and, for IHI, its sister
associations). Members pledge to every programme without applying, are matched outside
the partner envelope and alone may give in-kind contributions to additional activities.
Everyone else pledges only once a coordinator has approved its application to that
programme; approval also sets ``Organisation.partner_type``.
"""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from models import AuditEntry, Organisation, PartnerApplication, Programme, User
from models.base import utcnow
from models.organisations import PARTNER_TYPES
from services import policies
from services.core import audit
from services.core.context import RequestContext
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from services.core.history import HistoryLine
from services.core.history import render as render_history
from services.notifications.notify import notify
from services.pledges.notices import coordinators, partner_reps

TYPE_LABELS = {"associated": "Associated partner", "contributing": "Contributing partner"}


def represented_organisations(session: Session, user: User) -> list[Organisation]:
    """The organisations ``user`` is partner representative of, by legal name."""
    ids = policies.organisation_ids(user, "partner_rep")
    if not ids:
        return []
    return list(
        session.scalars(
            select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.legal_name)
        )
    )


def applicant_organisations(session: Session, user: User) -> list[Organisation]:
    """Non-member organisations ``user`` may apply for: all for admins (at most 500), else
    the ones they represent."""
    stmt = select(Organisation).where(Organisation.is_efpia_member.is_(False))
    if not policies.is_admin(user):
        ids = policies.organisation_ids(user, "partner_rep")
        stmt = stmt.where(Organisation.id.in_(ids))
    return list(session.scalars(stmt.order_by(Organisation.legal_name).limit(500)))


def applications_listing(organisation_ids: list[int] | None) -> Select[tuple[PartnerApplication]]:
    """Pending applications first, then newest; of the given organisations only, unless
    None (those who decide see all). Pass to the paginator."""
    stmt = select(PartnerApplication).order_by(
        PartnerApplication.status != "pending", PartnerApplication.created_at.desc()
    )
    if organisation_ids is not None:
        stmt = stmt.where(PartnerApplication.organisation_id.in_(organisation_ids))
    return stmt


def histories(
    session: Session, viewer: User | None, applications: list[PartnerApplication]
) -> dict[int, list[HistoryLine]]:
    """Each listed application's history in words (one query for the page)."""
    ids = [a.id for a in applications]
    if not ids:
        return {}
    entries = list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.object_type == "partner_applications", AuditEntry.object_id.in_(ids))
            .order_by(AuditEntry.at, AuditEntry.id)
        )
    )
    zones = {a.id: a.programme.timezone for a in applications}
    out: dict[int, list[HistoryLine]] = {i: [] for i in ids}
    for zone in set(zones.values()):  # one rendering per programme time zone
        group = [e for e in entries if zones[e.object_id or 0] == zone]
        for entry, line in zip(group, render_history(session, viewer, group, zone), strict=True):
            out[entry.object_id or 0].append(line)
    return out


def is_approved_partner(session: Session, org: Organisation, programme_id: int) -> bool:
    return (
        session.scalar(
            select(PartnerApplication.id).where(
                PartnerApplication.organisation_id == org.id,
                PartnerApplication.programme_id == programme_id,
                PartnerApplication.status == "approved",
            )
        )
        is not None
    )


def may_pledge(session: Session, org: Organisation, programme_id: int) -> bool:
    """Members always; others once approved as partners of this programme."""
    return org.is_efpia_member or is_approved_partner(session, org, programme_id)


def apply(
    session: Session,
    ctx: RequestContext,
    *,
    organisation_id: int,
    programme_id: int,
    partner_type: str,
    motivation: str = "",
) -> PartnerApplication:
    actor = ctx.user
    org = session.get(Organisation, organisation_id)
    programme = session.get(Programme, programme_id)
    if org is None or programme is None:
        raise NotFound("No such organisation or programme.")
    if not policies.can_apply_for_partnership(actor, org):
        raise PermissionDenied(
            "Only the organisation's partner representative or an admin can apply."
        )
    if partner_type not in PARTNER_TYPES:
        raise InvalidInput(
            "Choose associated or contributing partner.",
            {"partner_type": ["Choose associated or contributing partner."]},
        )
    if org.is_efpia_member:
        raise Conflict(
            f"{org.display_name} is a member of the partnership and pledges without applying; "
            "a member's company cannot also be a contributing partner."
        )
    existing = session.scalar(
        select(PartnerApplication).where(
            PartnerApplication.organisation_id == org.id,
            PartnerApplication.programme_id == programme.id,
            PartnerApplication.status.in_(("pending", "approved")),
        )
    )
    if existing is not None:
        raise Conflict(
            f"{org.display_name} already has an application that is {existing.status} "
            f"for {programme.code}."
        )
    application = PartnerApplication(
        organisation_id=org.id,
        programme_id=programme.id,
        partner_type=partner_type,
        motivation=motivation.strip()[:5000],
        applied_by_id=actor.id,
    )
    session.add(application)
    session.flush()
    audit.record(
        session,
        actor,
        "partner_application.created",
        application,
        ip=ctx.client_ip,
        organisation=org.display_name,
        programme=programme.code,
        partner_type=partner_type,
    )
    notify(
        session,
        "partner_application.created",
        coordinators(session),
        subject=f"{org.display_name} applies as {TYPE_LABELS[partner_type].lower()}",
        summary=f"{org.display_name} applies to become a {TYPE_LABELS[partner_type].lower()} "
        f"of {programme.name}.",
        link=ctx.link("/pledges/applications"),
        obj=application,
        exclude=actor,
    )
    return application


def decide(
    session: Session, ctx: RequestContext, application_id: int, *, approve: bool, note: str = ""
) -> PartnerApplication:
    actor = ctx.user
    if not policies.can_decide_applications(actor):
        raise PermissionDenied("Only coordinators decide on partner applications.")
    application = session.get(PartnerApplication, application_id)
    if application is None:
        raise NotFound("No such application.")
    if application.status != "pending":
        raise Conflict(f"This application was already {application.status}.")
    if not approve and not note.strip():
        raise InvalidInput("Say why the application is rejected.", {"note": ["Give a reason."]})
    org = application.organisation
    new_status = "approved" if approve else "rejected"
    audit.record(
        session,
        actor,
        f"partner_application.{new_status}",
        application,
        ip=ctx.client_ip,
        status={"old": application.status, "new": new_status},
        note=note.strip(),
    )
    application.status = new_status
    application.decided_by_id = actor.id
    application.decided_at = utcnow()
    application.decision_note = note.strip()[:5000]
    if approve and org.partner_type != application.partner_type:
        audit.record(
            session,
            actor,
            "organisation.partner_type_changed",
            org,
            ip=ctx.client_ip,
            **audit.changes(org, ["partner_type"], {"partner_type": application.partner_type}),
        )
        org.partner_type = application.partner_type
    session.flush()
    notify(
        session,
        f"partner_application.{new_status}",
        partner_reps(session, org.id),
        subject=f"Partner application {new_status}: {application.programme.code}",
        summary=f"The application of {org.display_name} to become a "
        f"{TYPE_LABELS[application.partner_type].lower()} of {application.programme.name} "
        f"was {new_status}." + (f" {note.strip()}" if note.strip() else ""),
        link=ctx.link("/pledges/applications"),
        obj=application,
        exclude=actor,
    )
    return application
