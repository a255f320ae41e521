"""Pledge lifecycle for partners: draft -> submitted -> (coordinator) confirmed/rejected;
withdrawn by the partner.

A confirmed pledge may be withdrawn too (a partner cannot be held to a commitment it no
longer makes), but only with a reason: its EU match is released back to the programme
(``eu_match`` is cleared, its old value kept in the audit log) and coordinators are told.
Editing is allowed only in draft. Decisions live in :mod:`services.pledge_decisions`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from models import AuditEntry, Organisation, Pledge, Topic, User
from models.pledges import BREAKDOWN_FIELDS
from models.topics import TOPIC_STATES
from services import policies
from services.core import audit
from services.core.context import RequestContext
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from services.core.history import HistoryLine
from services.core.history import render as render_history
from services.pledges.notices import pledge_event
from services.pledges.parsing import IN_KIND, parse_pledge
from services.pledges.partners import may_pledge

# A topic takes pledges from drafting on, until it is closed, rejected or withdrawn.
PLEDGEABLE_STATES = tuple(
    s
    for s in TOPIC_STATES[TOPIC_STATES.index("drafting") :]
    if s not in ("closed", "rejected", "withdrawn")
)
EDITABLE_FIELDS = [
    "kind",
    "amount",
    *BREAKDOWN_FIELDS,
    "third_country_costs",
    "contributing_entity",
    "start_year",
    "end_year",
    "note",
]


def topic_takes_pledges(topic: Topic) -> bool:
    return topic.status in PLEDGEABLE_STATES


def require_pledgeable(topic: Topic) -> None:
    if not topic_takes_pledges(topic):
        raise Conflict(
            f"Topic “{topic.title}” is {topic.status.replace('_', ' ')}: pledges are taken "
            "from drafting until the topic is closed, rejected or withdrawn."
        )


def _check_pledger(session: Session, actor: User, org: Organisation, topic: Topic) -> None:
    if not policies.can_pledge_for(actor, org):
        raise PermissionDenied(
            f"Only a partner representative of {org.display_name} can pledge for it "
            "(the programme office decides on pledges and does not make them)."
        )
    if not may_pledge(session, org, topic.programme_id):
        raise PermissionDenied(
            f"{org.display_name} is not a member nor an approved partner of this programme; "
            "apply to become an associated or contributing partner first."
        )


def _check_ikaa(org: Organisation, values: Mapping[str, Any]) -> None:
    if values["kind"] == "ikaa" and not org.is_efpia_member:
        raise InvalidInput(
            "Only members give in-kind contributions to additional activities.",
            {"kind": ["Only members give in-kind contributions to additional activities."]},
        )


def create_pledge(
    session: Session,
    ctx: RequestContext,
    *,
    topic_id: int,
    organisation_id: int,
    data: Mapping[str, Any],
) -> Pledge:
    """A draft pledge of ``organisation_id`` to ``topic_id`` from the form ``data``."""
    actor = ctx.user
    topic = session.get(Topic, topic_id)
    org = session.get(Organisation, organisation_id)
    if topic is None or org is None:
        raise NotFound("No such topic or organisation.")
    _check_pledger(session, actor, org, topic)
    require_pledgeable(topic)
    values = parse_pledge(data)
    _check_ikaa(org, values)
    pledge = Pledge(
        topic_id=topic.id,
        programme_id=topic.programme_id,
        organisation_id=org.id,
        created_by_id=actor.id,
        status="draft",
        **values,
    )
    session.add(pledge)
    session.flush()
    audit.record(
        session,
        actor,
        "pledge.created",
        pledge,
        ip=ctx.client_ip,
        topic_id=topic.id,
        organisation_id=org.id,
        changes={n: {"old": None, "new": values[n]} for n in EDITABLE_FIELDS},
    )
    return pledge


def get_pledge(session: Session, actor: User, pledge_id: int) -> Pledge:
    # Its page shows the topic, its programme and the organisation: one statement for all.
    pledge = session.get(
        Pledge,
        pledge_id,
        options=[
            joinedload(Pledge.topic, innerjoin=True).joinedload(Topic.programme, innerjoin=True),
            joinedload(Pledge.organisation, innerjoin=True),
        ],
    )
    if pledge is None or not policies.can_view_pledge(actor, pledge):
        raise NotFound("No such pledge.")
    return pledge


def update_pledge(
    session: Session, ctx: RequestContext, pledge: Pledge, data: Mapping[str, Any]
) -> Pledge:
    actor = ctx.user
    _check_pledger(session, actor, pledge.organisation, pledge.topic)
    if pledge.status != "draft":
        raise Conflict(f"Only draft pledges can be edited; this one is {pledge.status}.")
    values = parse_pledge(data)
    _check_ikaa(pledge.organisation, values)
    if values["kind"] not in IN_KIND:
        values.update(dict.fromkeys(BREAKDOWN_FIELDS))
    diff = audit.changes(pledge, EDITABLE_FIELDS, values)
    for name, value in values.items():
        setattr(pledge, name, value)
    session.flush()
    if diff:
        audit.record(session, actor, "pledge.updated", pledge, ip=ctx.client_ip, changes=diff)
    return pledge


def _set_status(
    session: Session, ctx: RequestContext, pledge: Pledge, new: str, **details: Any
) -> None:
    audit.record(
        session,
        ctx.actor,
        f"pledge.{new}",
        pledge,
        ip=ctx.client_ip,
        changes={"status": {"old": pledge.status, "new": new}},
        **details,
    )
    pledge.status = new


def submit_pledge(session: Session, ctx: RequestContext, pledge: Pledge) -> Pledge:
    actor = ctx.user
    _check_pledger(session, actor, pledge.organisation, pledge.topic)
    if pledge.status != "draft":
        raise Conflict(f"Only a draft pledge can be submitted; this one is {pledge.status}.")
    require_pledgeable(pledge.topic)
    _set_status(session, ctx, pledge, "submitted")
    session.flush()
    pledge_event(session, ctx, "pledge.submitted", pledge)
    return pledge


def withdraw_pledge(
    session: Session, ctx: RequestContext, pledge: Pledge, *, reason: str = ""
) -> Pledge:
    if not policies.can_pledge_for(ctx.user, pledge.organisation):
        raise PermissionDenied("Only the organisation's partner representative can withdraw it.")
    if pledge.status not in ("draft", "submitted", "confirmed"):
        raise Conflict(f"A {pledge.status} pledge cannot be withdrawn.")
    reason = reason.strip()
    if pledge.status == "confirmed" and not reason:
        raise InvalidInput(
            "Say why a confirmed pledge is withdrawn.",
            {"reason": ["Give a reason: the programme office relies on confirmed pledges."]},
        )
    was = pledge.status
    released = pledge.eu_match if was == "confirmed" else None
    details: dict[str, Any] = {"reason": reason[:2000]}
    if released is not None:
        details["eu_match"] = {"old": released, "new": None}
    _set_status(session, ctx, pledge, "withdrawn", **details)
    if released is not None:
        pledge.eu_match = None
        pledge.from_envelope = False
    session.flush()
    if was == "draft":
        return pledge  # the programme office never saw it: nobody to tell
    extra = f"Reason: {reason}" if reason else ""
    if released:
        extra += f" Its EU match of EUR {released:,.2f} is released."
    pledge_event(session, ctx, "pledge.withdrawn", pledge, extra=extra)
    return pledge


def visible_pledges(
    actor: User,
    *,
    topic_id: int | None = None,
    organisation_id: int | None = None,
    status: str | None = None,
) -> Select[tuple[Pledge]]:
    """The pledges ``actor`` may read (``policies.can_view_pledge``): all for the programme
    office, their own organisations' for partner representatives, none for anyone else."""
    stmt = select(Pledge).where(policies.pledge_visibility_clause(actor))
    if topic_id is not None:
        stmt = stmt.where(Pledge.topic_id == topic_id)
    if organisation_id is not None:
        stmt = stmt.where(Pledge.organisation_id == organisation_id)
    if status is not None:
        stmt = stmt.where(Pledge.status == status)
    return stmt


def history(session: Session, viewer: User | None, pledge: Pledge) -> list[HistoryLine]:
    """The pledge's audit entries in words, oldest first."""
    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == "pledges", AuditEntry.object_id == pledge.id)
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return render_history(session, viewer, entries, pledge.topic.programme.timezone)
