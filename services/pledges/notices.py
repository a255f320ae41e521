"""Who hears about pledges and envelopes, and what they are told (outbox rows, same
transaction as the change)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import OrganisationMembership, Pledge, Programme, User
from models.pledges import PLEDGE_KIND_LABELS
from services.core.context import RequestContext
from services.notifications.notify import notify


def coordinators(session: Session, *, with_admins: bool = False) -> list[User]:
    roles = ("coordinator", "admin") if with_admins else ("coordinator",)
    return list(
        session.scalars(
            select(User).where(User.role.in_(roles), User.is_active.is_(True)).order_by(User.id)
        )
    )


def partner_reps(session: Session, organisation_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(OrganisationMembership, OrganisationMembership.user_id == User.id)
            .where(
                OrganisationMembership.organisation_id == organisation_id,
                OrganisationMembership.role == "partner_rep",
                User.is_active.is_(True),
            )
            .order_by(User.id)
        )
    )


def _describe(pledge: Pledge) -> str:
    return (
        f"{pledge.organisation.display_name}: EUR {pledge.amount:,.2f} "
        f"({PLEDGE_KIND_LABELS[pledge.kind]}) to topic “{pledge.topic.title}”"
    )


def pledge_event(
    session: Session, ctx: RequestContext, event: str, pledge: Pledge, *, extra: str = ""
) -> None:
    """pledge.submitted / pledge.withdrawn go to coordinators; confirmed / rejected to the
    organisation's partner representatives."""
    verb = event.split(".", 1)[1]
    if event in ("pledge.submitted", "pledge.withdrawn"):
        recipients = coordinators(session)
    else:
        recipients = partner_reps(session, pledge.organisation_id)
    summary = f"Pledge {verb}: {_describe(pledge)}."
    if extra:
        summary += f" {extra}"
    notify(
        session,
        event,
        recipients,
        subject=f"Pledge {verb}: {pledge.organisation.display_name}",
        summary=summary,
        link=ctx.link(f"/pledges/{pledge.id}"),
        obj=pledge,
        exclude=ctx.actor,
    )


def envelope_crossed(
    session: Session, ctx: RequestContext, programme: Programme, threshold: Decimal, used: Decimal
) -> None:
    percent = int(threshold * 100)
    notify(
        session,
        f"envelope.{percent}",
        coordinators(session, with_admins=True),
        subject=f"{programme.code}: {percent} % of the partner envelope is matched",
        summary=(
            f"EU matching of associated and contributing partners in {programme.name} has "
            f"reached EUR {used:,.2f} of the EUR {programme.partner_envelope:,.2f} envelope "
            f"({percent} % threshold crossed)."
        ),
        link=ctx.link(f"/pledges/funding/programmes/{programme.id}"),
        obj=programme,
    )
