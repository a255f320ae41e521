"""What an invitee reads, in plain words, and the read-only consortium of accepted members.

The coordinator's page shows scores and the engine's reasons; an invitee sees instead why
their organisation was chosen (its past EU projects closest to the topic, with titles and
years), the topic, who accepted already (names, countries), the call deadline, when the
invitation expires and whom to ask. Nothing about other organisations' scores, declines,
reasons or the alternates is shown to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from matching.sectors import SECTOR_LABELS
from models import CordisProject, Invitation, MatchRequest, SuggestedMember, User
from models.countries import country_name
from services import policies
from services.consortia import invitees
from services.consortia.invitations import get_invitation, invitations_of
from services.core.errors import NotFound

SUMMARY_CHARS = 400
# How an invitee's organisation is described: "It brings the experience of <kind> from ...".
KINDS = {
    "academia": "a university",
    "research": "a research organisation",
    "sme": "a small or medium-sized company",
    "industry": "a company",
    "patient": "a patient organisation",
    "public": "a public body",
}
PROJECTS_SHOWN = 5


@dataclass
class PastProject:
    title: str
    year: int | None


@dataclass
class Member:
    name: str
    country: str
    sector: str


@dataclass
class Consortium:
    """What any person of an invited or accepted organisation may see of the consortium."""

    request: MatchRequest
    topic_title: str
    topic_identifier: str
    topic_summary: str
    topic_is_public: bool
    deadlines: list[tuple[str, datetime]]
    accepted: list[Member]
    waiting: int  # seats invited and not answered yet
    coordinator: tuple[str, str] | None  # (name, email)


@dataclass
class InviteeView:
    invitation: Invitation
    consortium: Consortium
    organisation: str
    why: list[str]
    projects: list[PastProject] = field(default_factory=list)
    can_answer: bool = False
    expired: bool = False
    seat_taken: bool = False  # declined, and the seat went to another organisation


def _summary(text: str) -> str:
    """The first paragraph of a topic text, cut at a word near SUMMARY_CHARS."""
    first = next((p.strip() for p in (text or "").split("\n\n") if p.strip()), "")
    first = " ".join(first.replace("#", "").split())
    if len(first) <= SUMMARY_CHARS:
        return first
    return first[:SUMMARY_CHARS].rsplit(" ", 1)[0] + " …"


def _country(code: str) -> str:
    return country_name(code) or code


def _consortium(
    session: Session, req: MatchRequest, coordinator: User | None, show_contact: bool
) -> Consortium:
    topic = req.topic
    call = topic.call
    deadlines: list[tuple[str, datetime]] = []
    if call is not None:
        two = call.call_type == "two_stage"
        for label, when in (("Stage 1", call.stage1_deadline), ("Stage 2", call.stage2_deadline)):
            if when is not None:
                deadlines.append((f"{label} deadline" if two else "Call deadline", when))
    latest = invitations_of(session, req)
    accepted = sorted(
        (
            Member(
                inv.organisation.display_name,
                _country(inv.organisation.country),
                SECTOR_LABELS.get(inv.organisation.sector, inv.organisation.sector),
            )
            for inv in latest.values()
            if inv.status == "accepted"
        ),
        key=lambda m: m.name,
    )
    contact = None
    if show_contact and coordinator is not None:
        contact = (coordinator.name, coordinator.email)
    return Consortium(
        request=req,
        topic_title=topic.title,
        topic_identifier=topic.identifier or "",
        topic_summary=_summary(topic.scope or topic.challenge),
        topic_is_public=policies.is_public_topic(topic),
        deadlines=deadlines,
        accepted=accepted,
        waiting=sum(1 for inv in latest.values() if inv.status == "sent"),
        coordinator=contact,
    )


def _why(session: Session, member: SuggestedMember) -> tuple[list[str], list[PastProject]]:
    """Plain sentences, and the organisation's past projects closest to the topic."""
    org = member.organisation
    e = member.explanation or {}
    ids = [str(p[0]) for p in e.get("top_projects") or []][:PROJECTS_SHOWN]
    rows = session.scalars(select(CordisProject).where(CordisProject.id.in_(ids or [""])))
    found = {p.id: p for p in rows}
    projects = [
        PastProject(
            found[i].title or found[i].acronym,
            start.year if (start := found[i].start_date) else None,
        )
        for i in ids
        if i in found
    ]
    why = []
    if projects:
        why.append(
            f"{org.display_name} took part in EU research projects close to this topic "
            f"({len(projects)} listed below), which is what the consortium needs."
        )
    if e.get("source") in ("swap", "search", "alternate") or "must_include" in str(
        e.get("constraint", "")
    ):
        why.append(f"The programme office chose {org.display_name} for this consortium.")
    kind = KINDS.get(org.sector, "an organisation")
    why.append(f"It brings the experience of {kind} from {_country(org.country)}.")
    return why, projects


def _coordinator(session: Session, inv: Invitation) -> User | None:
    user_id = inv.invited_by_id or inv.request.finalised_by_id
    return session.get(User, user_id) if user_id else None


def invitee_view(session: Session, actor: User, invitation_id: int) -> InviteeView:
    """The invitation page of ``actor`` (NotFound unless they may see the invitation)."""
    inv = get_invitation(session, actor, invitation_id)
    show_contact = policies.can_see_coordinator_contact(actor, inv)
    why, projects = _why(session, inv.member)
    is_expired = invitees.expired(inv)
    taken = inv.status == "declined" and bool((inv.member.explanation or {}).get("replaced_by"))
    return InviteeView(
        invitation=inv,
        consortium=_consortium(session, inv.request, _coordinator(session, inv), show_contact),
        organisation=inv.organisation.display_name,
        why=why,
        projects=projects,
        can_answer=policies.can_respond_invitation(actor, inv)
        and inv.status in ("sent", "accepted", "declined")
        and not is_expired
        and inv.request.closed_at is None
        and not taken,
        expired=is_expired,
        seat_taken=taken,
    )


def member_view(session: Session, actor: User, request_id: int) -> Consortium:
    """The consortium read-only, for people of an organisation that accepted."""
    req = session.get(MatchRequest, request_id)
    if req is None or not policies.can_view_consortium_as_member(actor, req):
        raise NotFound("No such consortium.")
    coordinator = session.get(User, req.finalised_by_id) if req.finalised_by_id else None
    return _consortium(session, req, coordinator, show_contact=True)
