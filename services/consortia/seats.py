"""Open seats and how they are filled, before and after finalising.

A seat is open when its member declined, had nobody to invite, or was removed while seats
are missing. It offers the request's ranked alternates (the seat's own, from the engine,
first) that keep every hard rule of the request with the other seats as they are: sector
seats in hard mode, countries, the EU member, SME share, members per country, and the
exclusions (the request's own, the topic's industry partners in "exclude" mode, capacity).
When none does, the best ones are offered with the rules each would leave unmet.

``place`` is the one entry of the search box and the swap and offer buttons: before
finalising it swaps or adds (review), afterwards it seats the organisation and invites it
(invitations).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models import Invitation, MatchRequest, Organisation, SuggestedMember
from models.names import normalise
from services.consortia import expertise_index as matching_index
from services.consortia import invitations
from services.consortia import review as consortium_review
from services.consortia.match_requests import get_request
from services.consortia.review import EXCLUSION_CHECK, SIZE_CHECK, active, rule_checks
from services.core.context import RequestContext

KEEPERS_SHOWN = 10
BREAKERS_SHOWN = 5


@dataclass
class Offer:
    organisation: Organisation
    score: float
    breaks: list[str] = field(default_factory=list)  # rules left unmet, as sentences


@dataclass
class SeatOffers:
    keep_rules: list[Offer]  # best first, at most KEEPERS_SHOWN
    best_breaking: list[Offer]  # only when no alternate keeps every rule
    keeping: int = 0  # how many alternates keep every rule (more than shown, maybe)

    @property
    def offers(self) -> list[Offer]:
        return self.keep_rules or self.best_breaking


@dataclass
class Placement:
    """What ``place`` did: the seated member, and its invitation after finalising."""

    member: SuggestedMember
    replaced: SuggestedMember | None
    invitation: Invitation | None


def exclusion_reasons(session: Session, req: MatchRequest) -> dict[int, str]:
    """Organisation id -> why the request leaves it out (the rules of ``spec_for``)."""
    p = req.params
    must = set(p.get("must_include") or [])
    reasons = {int(o): "excluded by this request" for o in p.get("exclude") or []}
    if p.get("industry_partners") == "exclude":
        for tp in req.topic.industry_partners:
            if tp.organisation_id not in must:
                reasons.setdefault(
                    tp.organisation_id, "an industry partner of the topic, which this request "
                    "excludes (stage-1 applicants may not team up with them)"
                )  # fmt: skip
    if p.get("capacity"):
        for org_id, n in matching_index.active_consortia(session).items():
            if n >= p["capacity"] and org_id not in must:
                reasons.setdefault(
                    org_id, f"already in {n} active consortia (capacity {p['capacity']})"
                )
    for org_id in (req.summary or {}).get("excluded") or []:
        reasons.setdefault(int(org_id), "excluded when the suggestion was computed")
    return reasons


def _candidates(session: Session, req: MatchRequest, seat: SuggestedMember) -> list[Offer]:
    """The seat's own alternates, then the request's ranked ones; no seated organisation."""
    seated = {m.organisation_id for m in req.members if not m.is_alternate}
    scores: dict[int, float] = {}
    for org_id, score in (seat.explanation or {}).get("alternates", []):
        scores.setdefault(int(org_id), float(score))
    ranked = sorted((m for m in req.members if m.is_alternate), key=lambda m: m.rank)
    for row in ranked:
        scores.setdefault(row.organisation_id, row.score)
    wanted = [o for o in scores if o not in seated]
    orgs = {
        o.id: o
        for o in session.scalars(select(Organisation).where(Organisation.id.in_(wanted or [-1])))
        if o.merged_into_id is None
    }
    return [Offer(orgs[o], scores[o]) for o in wanted if o in orgs]


def seat_offers(session: Session, req: MatchRequest, seat: SuggestedMember) -> SeatOffers:
    """Who could take ``seat``, and which rules each would leave unmet."""
    others = [m.organisation for m in active(req) if m.id != seat.id]
    excluded = exclusion_reasons(session, req)
    offers = _candidates(session, req, seat)
    for offer in offers:
        org = offer.organisation
        checks = rule_checks(req, [*others, org])
        offer.breaks = [
            f"{c.label}: {c.detail}"
            for c in checks
            if not c.ok and c.label not in (SIZE_CHECK, EXCLUSION_CHECK)
        ]
        if org.id in excluded:
            offer.breaks.insert(0, f"{org.display_name} is {excluded[org.id]}")
    keepers = [o for o in offers if not o.breaks]
    return SeatOffers(
        keep_rules=keepers[:KEEPERS_SHOWN],
        best_breaking=[] if keepers else offers[:BREAKERS_SHOWN],
        keeping=len(keepers),
    )


def open_seats(session: Session, req: MatchRequest) -> dict[int, SeatOffers]:
    """Member id -> the offers of each open seat."""
    latest = invitations.invitations_of(session, req) if req.finalised_at else {}
    return {
        m.id: seat_offers(session, req, m)
        for m in req.members
        if not m.is_alternate
        and (
            invitations.open_invitation_seat(m, latest.get(m.id))
            if req.finalised_at
            else consortium_review.seat_is_open(req, m)
        )
    }


def replaceable(session: Session, req: MatchRequest) -> list[SuggestedMember]:
    """The seats an organisation found by search may take ("in place of ...")."""
    if req.finalised_at is None:
        current = [m for m in active(req) if m.status in ("suggested", "locked")]
        return current + [m for m in req.members if consortium_review.seat_is_open(req, m)]
    latest = invitations.invitations_of(session, req)
    return [
        m
        for m in req.members
        if not m.is_alternate and invitations.open_invitation_seat(m, latest.get(m.id))
    ]


def swap_choices(session: Session, req: MatchRequest) -> dict[int, list[Offer]]:
    """Member id -> the engine's alternates for its seat that are not seated already."""
    seated = {m.organisation_id for m in req.members if not m.is_alternate}
    pairs = {
        m.id: [(int(a), float(s)) for a, s in (m.explanation or {}).get("alternates", [])]
        for m in active(req)
    }
    ids = {a for alts in pairs.values() for a, _ in alts if a not in seated}
    orgs = {
        o.id: o
        for o in session.scalars(select(Organisation).where(Organisation.id.in_(ids or {-1})))
        if o.merged_into_id is None
    }
    return {
        member_id: [Offer(orgs[a], s) for a, s in alts if a in orgs and a not in seated]
        for member_id, alts in pairs.items()
    }


def search_organisations(session: Session, q: str, limit: int = 10) -> list[Organisation]:
    """Organisations whose name or PIC contains ``q`` (merged ones left out)."""
    q = (q or "").replace("\x00", "").strip()  # PostgreSQL refuses NUL in text
    if len(q) < 2:
        return []
    needle = normalise(q, None)
    stmt = (
        select(Organisation)
        .where(Organisation.merged_into_id.is_(None))
        .where(or_(Organisation.search_name.contains(needle), Organisation.pic == q))
        .order_by(Organisation.legal_name)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def place(
    session: Session,
    ctx: RequestContext,
    request_id: int,
    organisation_id: int,
    seat_id: int | None,
    instance_path: Path | str,
) -> Placement:
    """Seat an organisation in ``seat_id``'s place (or an extra seat); invite it if finalised."""
    req = get_request(session, ctx.user, request_id)
    seat = consortium_review.member_of(req, seat_id) if seat_id is not None else None
    if req.finalised_at is None:
        if seat is None:
            member = consortium_review.add(session, ctx, req.id, organisation_id, instance_path)
        else:
            member = consortium_review.swap(
                session, ctx, req.id, seat.id, organisation_id, instance_path
            )
        return Placement(member, seat, None)
    if seat is None:
        inv = invitations.invite_extra(session, ctx, req.id, organisation_id, instance_path)
    else:
        inv = invitations.invite_alternate(
            session, ctx, req.id, seat.id, organisation_id, instance_path
        )
    return Placement(inv.member, seat, inv)


def invite_to_seat(
    session: Session,
    ctx: RequestContext,
    request_id: int,
    organisation_id: int,
    seat_id: int,
    instance_path: Path | str,
) -> Placement:
    """The offer buttons of a finalised consortium (same arguments as ``place``)."""
    inv = invitations.invite_alternate(
        session, ctx, request_id, seat_id, organisation_id, instance_path
    )
    return Placement(inv.member, consortium_review.member_of(inv.request, seat_id), inv)
