"""A topic's programme history: what the engine may learn from the calls before its own.

The programme is a lineage of call-identifier prefixes (``Programme.lineage``; or one
prefix given to ``partnering suggest``). Its CORDIS projects (services.organisations.
lineage) and the consortia accepted in the product for topics of its calls are split by the
topic's call (``call_order``: year, then call number): strictly earlier ones are the
history (each organisation's parts: count, coordinator roles, latest year; the projects'
texts), the topic's own call and later ones are hidden from the scoring altogether, and so
is every lineage project whose call cannot be placed in time. A topic therefore never
learns from its own call or later ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from matching.types import HistoryRecord, ProgrammeHistory
from models import Call, CordisProject, MatchRequest, Participation, SuggestedMember, Topic
from services.organisations.cordis.programmes import call_order
from services.organisations.lineage import project_condition

YIELD_PER = 2000


def _starts(text: str, prefixes: Iterable[str]) -> bool:
    up = (text or "").upper()
    return any(up.startswith(p.upper()) for p in prefixes if p)


def programme_history(session: Session, prefixes: list[str], call: str) -> ProgrammeHistory | None:
    """The history of a topic of ``call`` in the lineage ``prefixes``; None without both
    (or when the call has no year: nothing can be placed before it)."""
    own = call_order(call) if call else None
    if not prefixes or own is None:
        return None
    earlier: dict[str, int] = {}  # project id -> start year (0 unknown)
    hidden: list[str] = []
    rows = session.execute(
        select(CordisProject.id, CordisProject.call, CordisProject.topic, CordisProject.start_date)
        .where(project_condition(prefixes))
        .execution_options(yield_per=YIELD_PER)
    )
    for pid, pcall, ptopic, start in rows:
        order = call_order(pcall) or call_order(ptopic)
        if order is not None and order < own:
            earlier[pid] = start.year if start else order[0]
        else:
            hidden.append(pid)
    stats: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    seen: set[tuple[int, str]] = set()
    parts = session.execute(
        select(Participation.organisation_id, Participation.project_id, Participation.role)
        .join(CordisProject, CordisProject.id == Participation.project_id)
        .where(project_condition(prefixes))
        .execution_options(yield_per=YIELD_PER)
    )
    for org_id, pid, role in parts:
        if pid not in earlier:
            continue
        s = stats[int(org_id)]
        if (org_id, pid) not in seen:  # one project counts once whatever the roles
            seen.add((org_id, pid))
            s[0] += 1
            s[2] = max(s[2], earlier[pid])
        s[1] += role == "coordinator"
    for org_id, year in _accepted_consortia(session, prefixes, own):
        s = stats[org_id]
        s[0] += 1
        s[2] = max(s[2], year)
    records = [
        HistoryRecord(org_id, n, c, year or None) for org_id, (n, c, year) in sorted(stats.items())
    ]
    return ProgrammeHistory(records, sorted(earlier), sorted(hidden))


def _accepted_consortia(
    session: Session, prefixes: list[str], own: tuple[int, int]
) -> list[tuple[int, int]]:
    """(organisation, call year) for every acceptance in a consortium of a topic whose call
    is in the lineage and strictly earlier than ``own``."""
    rows = session.execute(
        select(SuggestedMember.organisation_id, SuggestedMember.request_id, Call.identifier)
        .join(MatchRequest, MatchRequest.id == SuggestedMember.request_id)
        .join(Topic, Topic.id == MatchRequest.topic_id)
        .join(Call, Call.id == Topic.call_id)
        .where(SuggestedMember.status == "accepted")
    )
    out: set[tuple[int, int, int]] = set()
    for org_id, request_id, identifier in rows:
        order = call_order(identifier)
        if order is not None and order < own and _starts(identifier, prefixes):
            out.add((int(org_id), int(request_id), order[0]))
    return [(org_id, year) for org_id, _req, year in sorted(out)]
