"""Match requests: ask for consortium suggestions for a topic, run them, store the result.

A request stores its parameters and a hash of its inputs (parameters, topic texts, index
version and fingerprint). Asking again with the same inputs returns the stored request
(queued, running or done; one whose worker died is queued again) instead of computing
anything: re-running is idempotent. The work runs in ``workers.consortia_tasks.run_match``
under a lease (services/operations/leases.py); a failed run keeps a message for the
user and tells the requester (match.failed), a finished one tells them too (match.ready).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, bindparam, select
from sqlalchemy.orm import Session, joinedload, selectinload

from matching.consortium import build_consortium
from matching.types import ConsortiumSpec, SpecError, Suggestion, TopicQuery
from models import (
    ExpertiseIndexVersion,
    MatchRequest,
    Organisation,
    SuggestedMember,
    Topic,
    TopicIndustryPartner,
    User,
)
from models.base import utcnow
from services import policies
from services.consortia import expertise_index as matching_index
from services.consortia.history import programme_history
from services.consortia.params import ASSOCIATED_PARTNERS, DEFAULT_ALTERNATES, normalise_params
from services.core import audit
from services.core.context import RequestContext
from services.core.errors import (
    InvalidInput,
    NotFound,
    PermissionDenied,
    ServiceError,
    without_paths,
)
from services.notifications.notify import notify, ring
from services.operations import leases

log = logging.getLogger(__name__)

RUN_TASK = leases.MATCH.task


# ---- inputs -------------------------------------------------------------------------------
def topic_query(topic: Topic) -> dict[str, Any]:
    """The topic's texts the suggestion is scored against."""
    text = "\n".join(
        x
        for x in (topic.challenge, topic.scope, topic.expected_outcomes, topic.expected_impact)
        if x
    )
    keywords = [k.strip() for k in (topic.keywords or "").replace(",", ";").split(";")]
    return {"title": topic.title, "text": text, "keywords": [k for k in keywords if k]}


def input_hash(
    params: dict[str, Any],
    query: dict[str, Any],
    version: ExpertiseIndexVersion,
    rules: tuple[int, int] = (3, 3),
) -> str:
    """Everything a result depends on, the programme's consortium rules included."""
    payload = {
        "params": params,
        "rules": list(rules),
        "query": query,
        "index": version.id,
        "fingerprint": version.fingerprint,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


# ---- requests -----------------------------------------------------------------------------
# What the request form shows of its topic, loaded with it (not one query per partner).
FORM_LOADS = (
    joinedload(Topic.programme),
    joinedload(Topic.call),
    joinedload(Topic.industry_partners).joinedload(TopicIndustryPartner.organisation),
)


def get_topic(session: Session, actor: User, topic_id: int) -> Topic:
    topic = session.get(Topic, topic_id, options=FORM_LOADS)
    if topic is None or not policies.can_request_match(actor, topic):
        raise NotFound("No such topic, or it is not yours to match.")
    return topic


def request_match(
    session: Session, ctx: RequestContext, topic_id: int, raw: dict[str, Any]
) -> tuple[MatchRequest, bool]:
    """Ask for suggestions; returns (request, reused) where reused means same inputs seen."""
    actor = ctx.user
    topic = session.get(Topic, topic_id)
    if topic is None or not policies.can_view_topic(actor, topic):
        raise NotFound("No such topic.")  # a hidden draft's existence is not revealed
    if not policies.can_request_match(actor, topic):
        raise PermissionDenied(
            "Only coordinators and members of the topic's SGG can request suggestions."
        )
    params = normalise_params(session, topic, raw)
    version = matching_index.current_version(session)
    if version is None:
        raise InvalidInput(
            "The expertise index has not been built yet: ask an administrator to build it "
            "(Consortia > Expertise index, or `partnering build-index`)."
        )
    query = topic_query(topic)
    rules = (topic.programme.min_consortium_size, topic.programme.min_countries)
    digest = input_hash(params, query, version, rules)
    existing = session.scalar(
        select(MatchRequest)
        .where(
            MatchRequest.topic_id == topic.id,
            MatchRequest.input_hash == digest,
            MatchRequest.status.in_(("queued", "running", "done")),
            MatchRequest.cancel_requested_at.is_(None),
        )
        .order_by(MatchRequest.id)
        .limit(1)
    )
    if existing is not None:
        leases.revive_if_dead(session, leases.MATCH, existing)  # never answer with a dead job
        return existing, True
    req = MatchRequest(
        topic_id=topic.id,
        requested_by_id=actor.id,
        params={**params, "query": query},
        input_hash=digest,
        status="queued",
        progress=0,
        index_version_id=version.id,
        summary={},
        min_consortium_size=rules[0],
        min_countries=rules[1],
    )
    session.add(req)
    session.flush()
    audit.record(
        session,
        actor,
        "match.requested",
        req,
        ip=ctx.client_ip,
        topic_id=topic.id,
        size=params["size"],
    )
    ring(session, RUN_TASK, req.id, f"match-{req.id}")
    return req, False


def visible_requests(session: Session, actor: User, topic_id: int | None = None):
    """The select of requests ``actor`` may see (coordinators: all; SGG members: theirs)."""
    stmt = (
        select(MatchRequest)
        .where(policies.match_visibility_clause(actor))
        .options(selectinload(MatchRequest.topic))
    )
    if topic_id is not None:
        stmt = stmt.where(MatchRequest.topic_id == topic_id)
    return stmt.order_by(MatchRequest.id.desc())


def requests_of_topic(session: Session, actor: User, topic_id: int) -> list[MatchRequest]:
    """The topic's requests ``actor`` may see, newest first."""
    return list(session.scalars(visible_requests(session, actor, topic_id)))


# Built once (a topic's page runs it on every request): bound parameter, no rebuild.
_LATEST_REQUEST = (
    select(MatchRequest)
    .where(MatchRequest.topic_id == bindparam("topic_id", type_=Integer))
    .order_by(MatchRequest.created_at.desc(), MatchRequest.id.desc())
    .limit(1)
)


def latest_request(session: Session, topic_id: int) -> MatchRequest | None:
    """The topic's most recent match request, whoever asked for it."""
    return session.scalar(_LATEST_REQUEST, {"topic_id": topic_id})


def get_request(session: Session, actor: User, request_id: int) -> MatchRequest:
    """A request the actor may see; others are reported as missing (no existence leak)."""
    req = session.get(MatchRequest, request_id)
    if req is None or not policies.can_view_match(actor, req):
        raise NotFound("No such match request.")
    return req


# ---- running ------------------------------------------------------------------------------
def spec_for(req: MatchRequest, session: Session) -> tuple[ConsortiumSpec, TopicQuery]:
    """The engine's spec: live capacity counts and the topic's industry partners applied."""
    p = req.params
    must = list(p.get("must_include") or [])
    exclude = set(p.get("exclude") or [])
    partners = [tp.organisation_id for tp in req.topic.industry_partners]
    if p.get("industry_partners") == "exclude":
        exclude |= set(partners) - set(must)
    elif p.get("industry_partners") == "include":
        must = sorted(set(must) | (set(partners) - exclude))
    if p.get("capacity"):
        full = {
            o for o, n in matching_index.active_consortia(session).items() if n >= p["capacity"]
        }
        exclude |= full - set(must)
    spec = ConsortiumSpec(
        size=int(p["size"]),
        sector_counts=dict(p.get("sector_counts") or {}),
        sector_mode=p.get("sector_mode", "hard"),
        min_countries=int(p.get("min_countries") or 0),
        max_per_country=p.get("max_per_country"),
        min_sme_share=float(p.get("min_sme_share") or 0),
        must_include=must,
        exclude=sorted(exclude),
        alternates=int(p.get("alternates", DEFAULT_ALTERNATES)),
        interested=list(p.get("interested") or []),
        interest_mode=p.get("interest", "ignore"),
        interest_bonus=float(p.get("interest_bonus") or 0),
        associated_partners=p.get("associated_partners", ASSOCIATED_PARTNERS.default),
    )
    q = p.get("query") or topic_query(req.topic)
    history = programme_history(session, list(p.get("programme") or []), p.get("call") or "")
    return spec, TopicQuery(q["title"], q["text"], list(q.get("keywords") or []), history)


def _fail(session: Session, ctx: RequestContext, req: MatchRequest, message: str) -> MatchRequest:
    message = without_paths(message)
    req.status, req.error, req.finished_at = "failed", message, utcnow()
    session.flush()
    requester = session.get(User, req.requested_by_id) if req.requested_by_id else None
    if requester is not None:
        notify(
            session,
            "match.failed",
            [requester],
            subject=f"Consortium suggestion failed: {req.topic.title}",
            summary=message,
            link=ctx.link(f"/consortia/{req.id}"),
            obj=req,
        )
    return req


def member_explanation(member: Any, source: str = "engine") -> dict[str, Any]:
    return {
        "fit": member.fit,
        "reasons": list(member.reasons),
        "top_projects": [list(t) for t in member.top_projects],
        "top_terms": list(member.top_terms),
        "constraint": member.constraint,
        "alternates": [[int(a), round(float(s), 6)] for a, s in member.alternates],
        "source": source,
    }


def store_suggestion(session: Session, req: MatchRequest, sugg: Suggestion) -> None:
    """Write members and ranked alternates as rows (one row per organisation)."""
    wanted = [m.candidate_id for m in sugg.members] + [a for a, _ in sugg.alternates]
    known = set(session.scalars(select(Organisation.id).where(Organisation.id.in_(wanted))))
    rows = {m.organisation_id: m for m in req.members}
    rank = 0
    for m in sugg.members:
        if m.candidate_id not in known:
            continue
        rank += 1
        row = rows.get(m.candidate_id) or SuggestedMember(organisation_id=m.candidate_id)
        row.rank, row.is_alternate, row.score = rank, False, float(m.score)
        row.explanation, row.status = member_explanation(m), "suggested"
        if row.id is None:
            req.members.append(row)
    for i, (cid, score) in enumerate(sugg.alternates, 1):
        if cid not in known or (cid in rows and not rows[cid].is_alternate):
            continue
        row = rows.get(cid) or SuggestedMember(organisation_id=cid)
        row.rank, row.is_alternate, row.score, row.status = i, True, float(score), "suggested"
        row.explanation = row.explanation or {}
        if row.id is None:
            req.members.append(row)
    session.flush()


def run_match(
    session: Session,
    ctx: RequestContext,
    request_id: int,
    instance_path: Path | str,
    *,
    checkpoint: Callable[[], None] | None = None,
) -> MatchRequest:
    """Compute a queued request (a finished one is returned untouched: safe to run twice)."""
    req = session.get(MatchRequest, request_id)
    if req is None:
        raise NotFound("No such match request.")
    if req.status in ("done", "failed", "cancelled"):
        return req

    def step(progress: int) -> None:
        req.status, req.progress = "running", progress
        session.flush()
        if checkpoint is not None:
            checkpoint()

    step(10)
    version = (
        session.get(ExpertiseIndexVersion, req.index_version_id) if req.index_version_id else None
    )
    if version is None or version.status != "ready":
        return _fail(session, ctx, req, "The expertise index it was asked for is gone; ask again.")
    try:
        index = matching_index.load_index(version, instance_path)
        step(40)
        spec, query = spec_for(req, session)
        unknown = [c for c in spec.must_include if c not in index.row_of]
        if unknown:
            names = session.scalars(
                select(Organisation.legal_name).where(Organisation.id.in_(unknown))
            )
            return _fail(
                session,
                ctx,
                req,
                f"{', '.join(names)} joined after the expertise index was built (version "
                f"{version.id}); rebuild the index or drop them from the required members.",
            )
        sugg = build_consortium(index, query, spec)
    except SpecError as exc:
        return _fail(session, ctx, req, f"The parameters cannot be used: {exc}")
    except ServiceError as exc:
        return _fail(session, ctx, req, exc.message)
    except Exception as exc:  # the engine's bug must not leave the request running forever
        log.exception("match request %s failed", req.id)
        return _fail(
            session,
            ctx,
            req,
            f"The matching engine stopped unexpectedly ({type(exc).__name__}); try again or "
            "tell an administrator.",
        )
    if not sugg.feasible:
        return _fail(
            session,
            ctx,
            req,
            "No consortium meets these parameters: " + "; ".join(sugg.problems),
        )
    step(80)
    store_suggestion(session, req, sugg)
    req.summary = {
        "objective": round(sugg.objective, 6),
        "solver": sugg.solver,
        "solve_ms": round(sugg.solve_ms, 1),
        "problems": sugg.problems,
        "sector_shortfall": sugg.sector_shortfall,
        "candidates": index.n_candidates,
        "index_version": version.id,
        "excluded": spec.exclude,
        "must_include": spec.must_include,
    }
    req.status, req.progress, req.finished_at, req.error = "done", 100, utcnow(), ""
    session.flush()
    audit.record(
        session, ctx.actor, "match.done", req, solver=sugg.solver, members=len(sugg.members)
    )
    requester = session.get(User, req.requested_by_id) if req.requested_by_id else None
    if requester is not None:
        notify(
            session,
            "match.ready",
            [requester],
            subject=f"Consortium suggestion ready: {req.topic.title}",
            summary=f"{len(sugg.members)} members suggested for {req.topic.title}.",
            link=ctx.link(f"/consortia/{req.id}"),
            obj=req,
        )
    return req
