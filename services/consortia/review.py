"""Reviewing a suggestion: checks against the rules, and the coordinator's edits.

Edits act on the stored set and the checks are recomputed from it on every view:
- lock / unlock, remove / restore change a member's status (the seat stays empty until
  filled: the checks say what is now missing, services.consortia.seats what could fill it);
- swap gives a member's seat (or an open one) to one of its alternates or to any
  organisation found by search, add puts an organisation in an extra seat; the newcomer's
  score and explanation come from the same expertise index (one vectorised pass);
- re-optimise reruns the engine with must_include = locked members and the coordinator's
  own picks, exclude = removed members, so empty seats are filled optimally.
All of them end at finalising; afterwards services.consortia.invitations fills open seats.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session

from matching.consortium import build_consortium
from matching.scoring import explain, score_candidates
from matching.sectors import SECTOR_GROUPS, SECTOR_LABELS
from matching.types import SpecError
from models import ExpertiseIndexVersion, MatchRequest, Organisation, SuggestedMember, User
from models.consortia import ACTIVE_MEMBER_STATES
from models.countries import country_name, is_eligible, is_eu_member
from services import policies
from services.consortia import expertise_index as matching_index
from services.consortia.match_requests import get_request, spec_for, store_suggestion
from services.core import audit
from services.core.context import RequestContext
from services.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied

SIZE_CHECK = "Consortium size"
EXCLUSION_CHECK = "No excluded organisation (industry partners, exclusions, capacity)"


@dataclass
class Check:
    label: str
    ok: bool
    detail: str


@dataclass
class Bar:
    label: str
    have: int
    target: int | None
    pct: int  # width of the bar in % of the widest row


@dataclass
class Review:
    request: MatchRequest
    members: list[SuggestedMember]
    out: list[SuggestedMember]  # removed or declined
    alternates: list[SuggestedMember]
    checks: list[Check] = field(default_factory=list)
    sectors: list[Bar] = field(default_factory=list)
    countries: list[Bar] = field(default_factory=list)
    total_score: float = 0.0

    @property
    def eligible(self) -> bool:
        return all(c.ok for c in self.checks)


def active(req: MatchRequest) -> list[SuggestedMember]:
    return [m for m in req.members if not m.is_alternate and m.status in ACTIVE_MEMBER_STATES]


def _bars(rows: Sequence[tuple[str, int, int | None]]) -> list[Bar]:
    top = max([max(h, t or 0) for _, h, t in rows] or [1]) or 1
    return [Bar(label, h, t, round(100 * h / top)) for label, h, t in rows]


def rule_checks(req: MatchRequest, orgs: list[Organisation]) -> list[Check]:
    """The request's and the programme's rules checked on a set of organisations."""
    p = req.params
    min_size, min_independent = req.consortium_rules
    eligible_countries = {o.country for o in orgs if is_eligible(o.country)}
    eu = [o for o in orgs if is_eu_member(o.country)]
    size = int(p.get("size") or 0)
    smes = sum(1 for o in orgs if o.is_sme or o.sector == "sme")
    checks = [
        Check(
            "At least 3 independent entities in different EU or associated countries",
            len(orgs) >= min_size and len(eligible_countries) >= min_independent,
            f"{len(orgs)} members in {len(eligible_countries)} eligible countries "
            f"(rule: {min_size} members, {min_independent} countries)",
        ),
        Check(
            "At least one member from an EU member state",
            bool(eu),
            f"{len(eu)} member(s) from EU member states",
        ),
        Check(
            "Minimum number of countries",
            len(eligible_countries) >= int(p.get("min_countries") or 0),
            f"{len(eligible_countries)} of {p.get('min_countries') or 0} required",
        ),
        Check(SIZE_CHECK, len(orgs) == size, f"{len(orgs)} of {size} seats filled"),
    ]
    share = float(p.get("min_sme_share") or 0)
    if share:
        need = int(np.ceil(share * size - 1e-9))
        checks.append(Check("SME share", smes >= need, f"{smes} SMEs, {need} required"))
    sectors = Counter(o.sector for o in orgs)
    if p.get("sector_mode", "hard") == "hard":
        for key, target in dict(p.get("sector_counts") or {}).items():
            have = sum(sectors[s] for s in SECTOR_GROUPS[key])
            label = SECTOR_LABELS.get(key, key)
            checks.append(
                Check(f"Sector target: {label}", have >= target, f"{have} of {target} seats")
            )
    max_pc = p.get("max_per_country")
    if max_pc:
        worst = max(Counter(o.country for o in orgs).values() or [0])
        checks.append(
            Check("Members per country", worst <= max_pc, f"at most {worst}, max {max_pc}")
        )
    excluded = set((req.summary or {}).get("excluded") or [])
    clash = [o.display_name for o in orgs if o.id in excluded]
    if excluded or clash:
        checks.append(
            Check(
                EXCLUSION_CHECK,
                not clash,
                ", ".join(clash) if clash else "none present",
            )
        )
    return checks


def evaluate(req: MatchRequest) -> Review:
    """The checks of the current member set against the request and programme rules."""
    members = active(req)
    orgs = [m.organisation for m in members]
    sectors = Counter(o.sector for o in orgs)
    sector_rows: list[tuple[str, int, int | None]] = []
    targets = dict(req.params.get("sector_counts") or {})
    for key, target in targets.items():
        have = sum(sectors[s] for s in SECTOR_GROUPS[key])
        sector_rows.append((SECTOR_LABELS.get(key) or key, have, int(target)))
    covered = {s for k in targets for s in SECTOR_GROUPS[k]}
    for sector, n in sorted(sectors.items()):
        if sector not in covered:
            sector_rows.append((SECTOR_LABELS.get(sector, sector), n, None))
    per_country = Counter(o.country for o in orgs)
    country_rows = [
        (f"{c} {country_name(c) or ''}".strip(), n, None)
        for c, n in sorted(per_country.items(), key=lambda x: (-x[1], x[0]))
    ]
    return Review(
        request=req,
        members=sorted(members, key=lambda m: m.rank),
        out=[m for m in req.members if not m.is_alternate and m.status not in ACTIVE_MEMBER_STATES],
        alternates=sorted([m for m in req.members if m.is_alternate], key=lambda m: m.rank),
        checks=rule_checks(req, orgs),
        sectors=_bars(sector_rows),
        countries=_bars(country_rows),
        total_score=round(sum(m.score for m in members), 4),
    )


def review(session: Session, actor: User, request_id: int) -> Review:
    return evaluate(get_request(session, actor, request_id))


# ---- edits --------------------------------------------------------------------------------
FINALISED_HINT = (
    "Invitations have gone out; a declined seat, or one without anybody to invite, can go "
    "to an alternate or to an organisation found by search."
)
PAST_TENSE = {"lock": "locked", "unlock": "unlocked", "remove": "removed", "restore": "restored"}


def _editable(session: Session, actor: User, request_id: int, what: str) -> MatchRequest:
    """The request if ``actor`` may still edit it; ``what`` names the refused action."""
    req = get_request(session, actor, request_id)
    if req.status != "done":
        raise Conflict("Only a finished suggestion can be edited.")
    if req.finalised_at is not None:
        raise Conflict(
            f"This consortium is finalised: {what} is no longer possible. " + FINALISED_HINT
        )
    if not policies.can_edit_match(actor, req):
        raise PermissionDenied("Only coordinators and the requester can edit this suggestion.")
    return req


def member_of(req: MatchRequest, member_id: int) -> SuggestedMember:
    """A seat (not a ranked alternate) of this request."""
    for m in req.members:
        if m.id == member_id and not m.is_alternate:
            return m
    raise NotFound("No such member in this suggestion.")


def seat_is_open(req: MatchRequest, member: SuggestedMember) -> bool:
    """A declined seat, or a removed one while seats are missing, that nobody took yet."""
    if member.is_alternate or (member.explanation or {}).get("replaced_by"):
        return False
    if member.status == "declined":
        return True
    return member.status == "removed" and len(active(req)) < int(req.params.get("size") or 0)


def record_swap(
    session: Session, ctx: RequestContext, req: MatchRequest, old_org: int, new_org: int
) -> None:
    """Audit a seat passing from one organisation to another (edit or alternate invited)."""
    audit.record(
        session, ctx.actor, "match.member_swapped", req, ip=ctx.client_ip, old=old_org, new=new_org
    )


def set_status(
    session: Session, ctx: RequestContext, request_id: int, member_id: int, action: str
) -> SuggestedMember:
    """lock, unlock, remove or restore a member."""
    actor = ctx.user
    allowed = {
        "lock": (("suggested",), "locked"),
        "unlock": (("locked",), "suggested"),
        "remove": (("suggested", "locked"), "removed"),
        "restore": (("removed",), "suggested"),
    }
    if action not in allowed:
        raise InvalidInput(f"Unknown action {action!r}.")
    req = _editable(session, actor, request_id, f"a member cannot be {PAST_TENSE[action]}")
    member = member_of(req, member_id)
    before, after = allowed[action]
    if member.status not in before:
        raise Conflict(
            f"{member.organisation.display_name} is {member.status}: it cannot be "
            f"{PAST_TENSE[action]}."
        )
    old = member.status
    if action == "restore" and not seat_is_open(req, member):
        member.rank = _next_rank(req)  # its seat went to another: it comes back in an extra one
    member.status = after
    member.explanation = {k: v for k, v in (member.explanation or {}).items() if k != "replaced_by"}
    session.flush()
    audit.record(
        session,
        actor,
        f"match.member_{action}",
        req,
        ip=ctx.client_ip,
        organisation_id=member.organisation_id,
        status={"old": old, "new": after},
    )
    return member


def _index_for(session: Session, req: MatchRequest, instance_path: Path | str):
    version = session.get(ExpertiseIndexVersion, req.index_version_id or -1)
    if version is None or version.status != "ready":
        version = matching_index.current_version(session)
    if version is None:
        raise Conflict("No expertise index is available; rebuild it first.")
    return matching_index.load_index(version, instance_path)


def _scored(session: Session, req: MatchRequest, org: Organisation, instance_path: Path | str):
    """(score, explanation) of ``org`` for the request's topic, from the expertise index."""
    index = _index_for(session, req, instance_path)
    _spec, query = spec_for(req, session)
    if org.id not in index.row_of:
        return 0.0, {
            "fit": 0.0,
            "reasons": ["not in the expertise index yet (added after it was built)"],
            "top_projects": [],
            "top_terms": [],
            "constraint": "added by the coordinator",
            "alternates": [],
        }
    scores = score_candidates(index, query)
    score = float(scores[index.row(org.id)])
    top = float(scores.max()) or 1.0
    e = explain(index, query, org.id, score=score)
    return score, {
        "fit": round(max(0.0, score / top), 4),
        "reasons": [f"fit {score / top:.2f} relative to the best candidate", *e.reasons],
        "top_projects": [list(t) for t in e.top_projects],
        "top_terms": e.top_terms,
        "constraint": "added by the coordinator",
        "alternates": [],
    }


def _next_rank(req: MatchRequest) -> int:
    return max([m.rank for m in req.members if not m.is_alternate and m.rank] or [0]) + 1


def take_seat(
    session: Session,
    req: MatchRequest,
    organisation_id: int,
    instance_path: Path | str,
    source: str,
    seat: SuggestedMember | None = None,
) -> SuggestedMember:
    """Seat an organisation (in ``seat``'s place, or in an extra one), scored by the index."""
    org = session.get(Organisation, organisation_id)
    if org is None or org.merged_into_id is not None:
        raise InvalidInput("No such organisation (or it was merged into another).")
    row = next((m for m in req.members if m.organisation_id == organisation_id), None)
    if row is not None and not row.is_alternate:
        if row.status in ACTIVE_MEMBER_STATES:
            raise Conflict(f"{org.display_name} is already a member.")
        if row.status == "declined":
            raise Conflict(f"{org.display_name} declined the invitation; choose another one.")
        raise Conflict(f"{org.display_name} was removed from this consortium; restore it instead.")
    score, explanation = _scored(session, req, org, instance_path)
    explanation["source"] = source
    if seat is not None:
        explanation["constraint"] = f"replaces {seat.organisation.display_name}"
    rank = seat.rank if seat is not None else _next_rank(req)
    if row is None:  # every column set before it joins the session (rank is NOT NULL)
        row = SuggestedMember(
            organisation_id=organisation_id, organisation=org, rank=rank, score=score
        )
        req.members.append(row)
    row.is_alternate, row.status, row.rank = False, "suggested", rank
    row.score, row.explanation = score, explanation
    session.flush()
    if seat is not None:
        seat.explanation = {**(seat.explanation or {}), "replaced_by": row.id}
    return row


def swap(
    session: Session,
    ctx: RequestContext,
    request_id: int,
    member_id: int,
    organisation_id: int,
    instance_path: Path | str,
) -> SuggestedMember:
    """Give a member's seat (or an open one) to another organisation: an alternate or anyone."""
    actor = ctx.user
    req = _editable(session, actor, request_id, "swapping a member")
    member = member_of(req, member_id)
    if member.status not in ("suggested", "locked") and not seat_is_open(req, member):
        raise Conflict(
            f"{member.organisation.display_name} is {member.status} and its seat is not open."
        )
    new = take_seat(session, req, organisation_id, instance_path, "swap", seat=member)
    member.status = "removed"
    session.flush()
    record_swap(session, ctx, req, member.organisation_id, organisation_id)
    return new


def add(
    session: Session,
    ctx: RequestContext,
    request_id: int,
    organisation_id: int,
    instance_path: Path | str,
) -> SuggestedMember:
    """Put an organisation found by search into an extra seat."""
    actor = ctx.user
    req = _editable(session, actor, request_id, "adding a member this way")
    new = take_seat(session, req, organisation_id, instance_path, "search")
    audit.record(
        session, actor, "match.member_added", req, ip=ctx.client_ip, organisation_id=organisation_id
    )
    return new


def reoptimise(
    session: Session, ctx: RequestContext, request_id: int, instance_path: Path | str
) -> MatchRequest:
    """Refill the seats: locked members and coordinator picks kept, removed ones excluded."""
    actor = ctx.user
    req = _editable(session, actor, request_id, "refilling the seats")
    index = _index_for(session, req, instance_path)
    spec, query = spec_for(req, session)
    keep = [
        m.organisation_id
        for m in active(req)
        if m.status == "locked" or (m.explanation or {}).get("source") in ("swap", "search")
    ]
    removed = [m.organisation_id for m in req.members if m.status == "removed"]
    missing = [o for o in keep if o not in index.row_of]
    if missing:
        raise Conflict("Some kept members are not in the expertise index yet; rebuild it first.")
    spec.must_include = sorted(set(spec.must_include) | set(keep))
    spec.exclude = sorted((set(spec.exclude) | set(removed)) - set(spec.must_include))
    if len(spec.must_include) > spec.size:
        raise InvalidInput(f"{len(spec.must_include)} kept members exceed the size {spec.size}.")
    try:
        sugg = build_consortium(index, query, spec)
    except SpecError as exc:
        raise InvalidInput(f"The engine refused the edited set: {exc}") from exc
    if not sugg.feasible:
        raise Conflict(
            "No consortium meets the rules with these edits: " + "; ".join(sugg.problems)
        )
    picks = {m.organisation_id: m for m in active(req)}
    chosen = {m.candidate_id for m in sugg.members}
    for org_id, row in picks.items():
        if org_id not in chosen:
            row.is_alternate, row.status = True, "suggested"
    sources = {o: (picks[o].explanation or {}).get("source", "engine") for o in picks}
    locked = {o for o, r in picks.items() if r.status == "locked"}
    store_suggestion(session, req, sugg)
    for row in active(req):
        if row.organisation_id in locked:
            row.status = "locked"
        row.explanation = {**row.explanation, "source": sources.get(row.organisation_id, "engine")}
    req.summary = {**req.summary, "objective": round(sugg.objective, 6), "solver": sugg.solver}
    session.flush()
    audit.record(
        session, actor, "match.reoptimised", req, ip=ctx.client_ip, members=len(sugg.members)
    )
    return req


# ---- comparison ---------------------------------------------------------------------------
@dataclass
class Comparison:
    a: Review
    b: Review
    common: list[tuple[SuggestedMember, SuggestedMember]]
    only_a: list[SuggestedMember]
    only_b: list[SuggestedMember]


def compare(session: Session, actor: User, a_id: int, b_id: int) -> Comparison:
    a, b = review(session, actor, a_id), review(session, actor, b_id)
    in_b = {m.organisation_id: m for m in b.members}
    in_a = {m.organisation_id for m in a.members}
    return Comparison(
        a=a,
        b=b,
        common=[(m, in_b[m.organisation_id]) for m in a.members if m.organisation_id in in_b],
        only_a=[m for m in a.members if m.organisation_id not in in_b],
        only_b=[m for m in b.members if m.organisation_id not in in_a],
    )
