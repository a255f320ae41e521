"""Assign organisations to all topics of a call at once under a per-organisation capacity.

One joint MILP: each topic keeps its own block of rules (matching.milp.topic_block) and a
capacity row per organisation that appears in several topic pools limits how many of this
call's consortia it joins. The per-topic pools are pre-filtered with extra slack per class
(organisations taken by other topics need replacements); the objective is compared with
solving every topic alone, which ignores the capacity and is therefore an upper bound.
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Literal

import numpy as np

from matching.consortium import _suggestion, build_consortium, tie_break_weights
from matching.index import ExpertiseIndex
from matching.milp import prefilter, solve, topic_block
from matching.problem import feasibility_problems, prepare
from matching.scoring import DEFAULT_PARAMS, ScoringParams, score_candidates
from matching.types import CallAssignment, ConsortiumSpec, SpecError, TopicQuery


def assign_call(
    index: ExpertiseIndex,
    queries: list[TopicQuery],
    specs: list[ConsortiumSpec],
    capacity: int,
    params: ScoringParams = DEFAULT_PARAMS,
    scores: list[np.ndarray] | None = None,
    max_pool: int = 300,
    time_limit_s: float = 8.0,
) -> CallAssignment:
    """Joint assignment: each organisation joins at most `capacity` topics of this call."""
    t0 = time.perf_counter()
    if len(queries) != len(specs):
        raise SpecError("queries and specs must have the same length")
    if capacity < 1:
        raise SpecError("capacity must be >= 1")
    if scores is None:
        scores = [score_candidates(index, q, params) for q in queries]
    problems_all: list[str] = []
    probs, pools, weights, ranked = [], [], [], []
    for t, (spec, sc) in enumerate(zip(specs, scores, strict=True)):
        p = prepare(index, spec)
        w = tie_break_weights(index, sc, spec.seed)
        issues = feasibility_problems(index, p)
        problems_all += [f"topic {t + 1}: {m}" for m in issues]
        slack = max(1, int(np.ceil(sum(s.size for s in specs) / capacity / len(specs))))
        pool = prefilter(index, p, w, max_pool=max_pool, class_slack=slack, by_sector_country=True)
        probs.append(p)
        pools.append(pool)
        weights.append(w)
        rows = np.flatnonzero(p.allowed)
        ranked.append(rows[np.lexsort((index.ids[rows], -w[rows]))])

    # Independent solutions: the upper bound without the call-wide capacity.
    indep = [
        build_consortium(index, None, s, scores=sc, explain_members=False)
        for s, sc in zip(specs, scores, strict=True)
    ]
    indep_obj = float(sum(s.objective for s in indep))
    use: defaultdict[int, int] = defaultdict(int)
    for s in indep:
        for m in s.members:
            use[m.candidate_id] += 1
    overbooked = sum(1 for n in use.values() if n > capacity)

    if problems_all:
        sugg = [
            _suggestion(index, p, [], w, sc, rk, "exact", t0, [])
            for p, w, sc, rk in zip(probs, weights, scores, ranked, strict=True)
        ]
        return CallAssignment(
            sugg,
            0.0,
            indep_obj,
            overbooked,
            "exact",
            (time.perf_counter() - t0) * 1e3,
            False,
            problems_all,
        )

    blocks = [
        topic_block(index, p, pool, w[pool])
        for p, pool, w in zip(probs, pools, weights, strict=True)
    ]
    offsets, off = [], 0
    for b in blocks:
        offsets.append(off)
        off += len(b.c)
    where: dict[int, list[int]] = defaultdict(list)
    for t, pool in enumerate(pools):
        for j, r in enumerate(pool.tolist()):
            where[r].append(offsets[t] + j)
    extra = [
        (np.array(cols, dtype=np.int64), np.ones(len(cols)), -np.inf, float(capacity))
        for r, cols in sorted(where.items())
        if len(cols) > capacity
    ]
    res, _ = solve(blocks, extra, time_limit_s)
    solver: Literal["exact", "heuristic"] = "exact"
    chosen: list[list[int]] | None = None
    if res.x is not None:
        chosen = [
            pool[res.x[offsets[t] : offsets[t] + len(pool)] > 0.5].tolist()
            for t, pool in enumerate(pools)
        ]
        solver = "exact" if res.status == "optimal" else "heuristic"
    if chosen is None and res.status != "infeasible":
        chosen, solver = _sequential(index, probs, pools, weights, capacity), "heuristic"
    if chosen is None:
        msg = "no assignment meets every topic's rules within the capacity of " + str(capacity)
        sugg = [
            _suggestion(index, p, [], w, sc, rk, "exact", t0, [msg])
            for p, w, sc, rk in zip(probs, weights, scores, ranked, strict=True)
        ]
        return CallAssignment(
            sugg,
            0.0,
            indep_obj,
            overbooked,
            "exact",
            (time.perf_counter() - t0) * 1e3,
            False,
            [msg],
        )
    sugg = [
        _suggestion(index, p, m, w, sc, rk, solver, t0, [])
        for p, m, w, sc, rk in zip(probs, chosen, weights, scores, ranked, strict=True)
    ]
    return CallAssignment(
        suggestions=sugg,
        objective=float(sum(s.objective for s in sugg)),
        independent_objective=indep_obj,
        independent_overbooked=overbooked,
        solver=solver,
        solve_ms=(time.perf_counter() - t0) * 1e3,
        feasible=all(s.feasible for s in sugg),
        problems=[],
    )


def _sequential(index, probs, pools, weights, capacity) -> list[list[int]] | None:
    """Fallback: topics one by one (exact each), removing organisations at capacity."""
    used: dict[int, int] = defaultdict(int)
    out = []
    for p, pool, w in zip(probs, pools, weights, strict=True):
        keep = np.array([used[r] < capacity for r in pool.tolist()], dtype=bool)
        sub = pool[keep]
        res, _ = solve([topic_block(index, p, sub, w[sub])], [], 2.0)
        if res.x is None:
            return None
        members = sub[res.x[: len(sub)] > 0.5].tolist()
        for r in members:
            used[r] += 1
        out.append(members)
    return out
