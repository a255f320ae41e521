"""Build one consortium: exact MILP on a pre-filtered pool, greedy+swap as the fallback."""

from __future__ import annotations

import time

import numpy as np

from matching.heuristic import State, greedy_swap
from matching.index import ExpertiseIndex
from matching.milp import DEFAULT_MAX_POOL, prefilter, solve, topic_block
from matching.problem import Problem, feasibility_problems, ordinal, prepare
from matching.scoring import (
    DEFAULT_PARAMS,
    ScoringParams,
    combine_scores,
    explain,
    interest_reason,
    project_similarities,
    query_columns,
    with_interest,
)
from matching.sectors import SECTOR_LABELS
from matching.types import ConsortiumSpec, Member, Suggestion, TopicQuery

INFEASIBLE_TOGETHER = (
    "no consortium satisfies all constraints together, although each one can be met alone; "
    "relax the country, SME or sector rules"
)


def tie_break_weights(index: ExpertiseIndex, scores: np.ndarray, seed: int) -> np.ndarray:
    """Scores plus a tiny seeded jitter so that exact ties resolve the same way every run."""
    jitter = np.random.default_rng(seed).random(index.n_candidates) * 1e-9
    return np.asarray(scores, dtype=np.float64) + jitter


def build_consortium(
    index: ExpertiseIndex,
    query: TopicQuery | None,
    spec: ConsortiumSpec,
    scores: np.ndarray | None = None,
    params: ScoringParams = DEFAULT_PARAMS,
    method: str = "auto",
    max_pool: int | None = DEFAULT_MAX_POOL,
    explain_members: bool = True,
) -> Suggestion:
    """Best consortium of exactly spec.size members for the query.

    method: "auto" (MILP, heuristic if the MILP hits spec.time_limit_s), "exact" (MILP only,
    still falls back on timeout) or "heuristic". Pass `scores` to reuse or replace the
    relevance scores (e.g. baselines); `query` may then be None (no explanations).
    Candidates in spec.interested are named in the reasons, and in "prefer" mode get the
    bonus of ``matching.scoring.with_interest`` in their score.
    """
    t0 = time.perf_counter()
    p = prepare(index, spec)
    sims = q = None
    if scores is None or (explain_members and query is not None):
        if query is None:
            raise ValueError("build_consortium needs a query when no scores are given")
        sims, q = project_similarities(index, query)
    if scores is None:
        assert sims is not None and query is not None  # checked just above: scores is None
        scores = combine_scores(index, sims, q, params, query.history)
    scores, bonus = with_interest(index, np.asarray(scores, dtype=np.float64), spec)
    weights = tie_break_weights(index, scores, spec.seed)
    ranked = _ranked(index, p, weights)

    problems = feasibility_problems(index, p)
    if problems:
        return _suggestion(index, p, [], weights, scores, ranked, "exact", t0, problems)

    pool = prefilter(index, p, weights, max_pool=max_pool, order=ranked)
    solver, members = "exact", None
    if method in ("auto", "exact"):
        res = _solve_one(index, p, pool, weights)
        if res.status == "infeasible" and max_pool is not None:  # the cut lost feasibility?
            wide = prefilter(index, p, weights, max_pool=None, order=ranked)
            if len(wide) > len(pool):
                pool = wide
                res = _solve_one(index, p, pool, weights)
        if res.status == "infeasible":
            return _suggestion(
                index, p, [], weights, scores, ranked, "exact", t0, [INFEASIBLE_TOGETHER]
            )
        if res.status == "optimal" and res.x is not None:
            members = pool[res.x[: len(pool)] > 0.5].tolist()
        elif res.x is not None:
            members = pool[res.x[: len(pool)] > 0.5].tolist()
            solver = "heuristic"
    if members is None or solver == "heuristic":
        h_members, ok = greedy_swap(index, p, pool, weights)
        solver = "heuristic"
        if members is None or (
            ok and _obj(index, p, h_members, weights) > _obj(index, p, members, weights)
        ):
            members = h_members if ok else members
        if members is None:
            return _suggestion(
                index, p, [], weights, scores, ranked, solver, t0, [INFEASIBLE_TOGETHER]
            )
    sugg = _suggestion(index, p, members, weights, scores, ranked, solver, t0, [])
    if explain_members and query is not None and sugg.members:
        columns = query_columns(index, q)
        for m in sugg.members:
            e = explain(
                index, query, m.candidate_id, sims=sims, q=q, score=m.score, columns=columns
            )
            m.top_projects, m.top_terms = e.top_projects, e.top_terms
            m.reasons = e.reasons + m.reasons
    for m in sugg.members:
        note = interest_reason(spec, m.candidate_id, bonus)
        m.reasons += [note] if note else []
    sugg.solve_ms = (time.perf_counter() - t0) * 1e3
    return sugg


def _solve_one(index: ExpertiseIndex, p: Problem, pool: np.ndarray, weights: np.ndarray):
    # HiGHS's presolve took half of the solve on these small programs (a few hundred
    # binaries, ~70 rows) and never changed an optimum on the bench's topics.
    block = topic_block(index, p, pool, weights[pool])
    res, _ = solve([block], [], p.spec.time_limit_s, presolve=False)
    return res


def _obj(index: ExpertiseIndex, p: Problem, members: list[int], weights: np.ndarray) -> float:
    st = State(index, p, weights)
    for r in members:
        st.add(r)
    return st.objective()


def _ranked(index: ExpertiseIndex, p: Problem, weights: np.ndarray) -> np.ndarray:
    rows = np.flatnonzero(p.allowed)
    return rows[np.lexsort((index.ids[rows], -weights[rows]))]


def _suggestion(index, p, members, weights, scores, ranked, solver, t0, problems) -> Suggestion:
    spec = p.spec
    members = sorted(members, key=lambda r: (-weights[r], int(index.ids[r])))
    mset = set(members)
    top = float(weights[ranked[0]]) if len(ranked) and weights[ranked[0]] > 0 else 1.0
    pool_alts = [r for r in ranked[: spec.alternates + len(members)].tolist() if r not in mset]
    alternates = [(int(index.ids[r]), float(scores[r])) for r in pool_alts[: spec.alternates]]
    st = State(index, p, weights)
    for r in members:
        st.add(r)
    shortfall = {
        k: int(max(0, p.group_need[g] - st.group[g + 1])) for g, k in enumerate(p.group_keys)
    }
    shortfall = {k: v for k, v in shortfall.items() if v and members}
    labels = _constraint_labels(index, p, members)
    out = []
    for r in members:
        alts = _seat_alternates(index, p, st, r, ranked, scores, spec.alternates_per_seat)
        fit = max(0.0, float(scores[r]) / top)
        out.append(
            Member(
                candidate_id=int(index.ids[r]),
                score=float(scores[r]),
                fit=round(fit, 4),
                sector=str(index.sector[r]),
                country=str(index.country[r]),
                reasons=[f"fit {fit:.2f} relative to the best candidate", labels[r]],
                constraint=labels[r],
                alternates=alts,
            )
        )
    return Suggestion(
        members=out,
        alternates=alternates,
        objective=float(st.objective()) if members else 0.0,
        solver=solver,
        solve_ms=(time.perf_counter() - t0) * 1e3,
        feasible=bool(members) and not problems,
        problems=list(problems),
        sector_shortfall=shortfall,
    )


def _constraint_labels(index: ExpertiseIndex, p: Problem, members: list[int]) -> dict[int, str]:
    """What each member contributes to the rules; members are sorted best first."""
    spec = p.spec
    parts: dict[int, list[str]] = {r: [] for r in members}
    forced = set(p.forced)
    seen_g: dict[int, int] = {}
    for r in members:
        if r in forced:
            parts[r].append("required by must_include")
        g = int(p.group_of[r])
        if g >= 0:
            seen_g[g] = seen_g.get(g, 0) + 1
            k, n = p.group_keys[g], int(p.group_need[g])
            label = SECTOR_LABELS.get(k, k)
            if seen_g[g] <= n:
                parts[r].append(f"fills the {ordinal(seen_g[g])} of {n} {label} seats")
            else:
                parts[r].append(f"open seat ({label} beyond the {n} required)")
        elif p.group_keys:
            parts[r].append("open seat")
    countries: list[str] = []
    for r in members:
        c = str(index.country[r])
        if index.eligible[r] and c not in countries:
            countries.append(c)
            if spec.min_countries:
                parts[r].append(f"adds country {c} ({ordinal(len(countries))} country)")
    eu = [r for r in members if index.eu_member[r]]
    if spec.require_eu_member and len(eu) == 1:
        parts[eu[0]].append("the only member from an EU member state")
    if p.sme_need:
        smes = [r for r in members if index.is_sme[r]]
        for i, r in enumerate(smes[: p.sme_need], 1):
            parts[r].append(f"the {ordinal(i)} of {p.sme_need} SMEs required")
    return {r: "; ".join(v) if v else "open seat (best remaining fit)" for r, v in parts.items()}


def _seat_alternates(index, p, st: State, r: int, ranked, scores, k: int, scan: int = 3000):
    """Best non-members of the same sector that could take r's seat without breaking rules."""
    if k <= 0:
        return []
    out = []
    g = int(p.group_of[r])
    head = ranked[:scan]
    same = index.sector_code[head] == index.sector_code[r]
    if g >= 0:
        same |= p.group_of[head] == g
    now = st.violation()
    for a in head[same].tolist():
        if a in st.members:
            continue
        v, _ = st.swap_ok(r, a)
        if v == 0 or v <= now:
            out.append((int(index.ids[a]), float(scores[a])))
            if len(out) >= k:
                break
    return out
