"""Candidate pre-filter and the mixed-integer program (scipy.optimize.milp, HiGHS).

Pre-filter. Every constraint of a spec depends on a candidate only through its class
(sector, country, SME flag, EU flag, eligible flag). Within a class, members are
interchangeable, so an optimal consortium never uses a class member while a better-scoring
one of the same class is left out. Keeping the top `cap` of each class, where cap bounds how
many members that class can hold (size, max_per_country, the group's seats plus the open
ones in hard mode), therefore loses nothing. If that lossless pool is still larger than
`max_pool`, we keep the `max_pool` best plus, for feasibility, the best of every country
and enough of every sector group, SMEs and EU members; that step can lose optimality (the
loss is measured in bench/matching_speed.py) and, rarely, feasibility: the solver then
gets the lossless pool. HiGHS time grows with the pool (about 2,000 rows lossless, 1,000
with the best of every (sector, country) kept, 300 now), and it was most of a request.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from matching.index import ExpertiseIndex
from matching.problem import Problem

DEFAULT_MAX_POOL = 150


def _rank_within(codes: np.ndarray) -> np.ndarray:
    """Rank of each element among equal codes, in the given (score) order."""
    if len(codes) == 0:
        return np.zeros(0, dtype=np.int64)
    srt = np.argsort(codes, kind="stable")
    cs = codes[srt]
    start = np.r_[0, np.flatnonzero(np.diff(cs)) + 1]
    lengths = np.diff(np.r_[start, len(cs)])
    rank = np.empty(len(codes), dtype=np.int64)
    rank[srt] = np.arange(len(cs)) - np.repeat(start, lengths)
    return rank


def prefilter(
    index: ExpertiseIndex,
    p: Problem,
    scores: np.ndarray,
    max_pool: int | None = DEFAULT_MAX_POOL,
    class_slack: int = 0,
    by_sector_country: bool = False,
    order: np.ndarray | None = None,
) -> np.ndarray:
    """Index rows worth giving to the solver, sorted by (score desc, id).

    ``by_sector_country`` keeps the best of every (sector, country) in a lossy cut, not
    just of every country: call-wide assignments, which cannot widen a pool afterwards,
    ask for it. ``order``: the allowed rows already in that order, when the caller has
    them (sorting 30,000 scores is a good part of a request)."""
    if order is None:
        rows = np.flatnonzero(p.allowed)
        order = rows[np.lexsort((index.ids[rows], -scores[rows]))]
    spec = p.spec
    forced = np.isin(order, np.asarray(p.forced, dtype=np.int64))
    ups = np.array([p.group_upper(g) for g in range(-1, len(p.group_keys))], dtype=np.int64)
    cap = ups[p.group_of[order] + 1]
    if spec.max_per_country is not None:
        cap = np.minimum(cap, spec.max_per_country)
    cap = cap + class_slack
    free = ~forced
    rank = np.zeros(len(order), dtype=np.int64)
    rank[free] = _rank_within(index.class_code[order[free]])
    pool = order[forced | (rank < cap)]
    if max_pool is None or len(pool) <= max_pool:
        return pool
    # Lossy cut: best overall + feasibility representatives (the best of each country, of
    # each sector group, SMEs and EU members). A cut that leaves no feasible consortium
    # is widened by the caller (build_consortium solves the lossless pool then).
    keep = np.zeros(len(pool), dtype=bool)
    keep[:max_pool] = True
    keep |= np.isin(pool, np.asarray(p.forced, dtype=np.int64))
    codes = index.sector_country_code if by_sector_country else index.country_code
    keep |= _rank_within(codes[pool]) == 0
    grp = p.group_of[pool]
    grank = _rank_within(grp)
    for g in range(len(p.group_keys)):
        keep |= (grp == g) & (grank < 2 * p.group_need[g] + 5)
    if p.sme_need:
        sme = index.is_sme[pool]
        keep |= sme & (np.cumsum(sme) <= 2 * p.sme_need)
    if spec.require_eu_member:
        eu = index.eu_member[pool]
        keep |= eu & (np.cumsum(eu) <= 3)
    return pool[keep]


@dataclass
class Block:
    """One topic's variables and rows inside a (possibly larger) MILP."""

    c: np.ndarray
    lb: np.ndarray
    ub: np.ndarray
    integrality: np.ndarray
    rows: list[np.ndarray]
    cols: list[np.ndarray]
    vals: list[np.ndarray]
    rlb: list[float]
    rub: list[float]
    n_x: int
    n_slack: int


def topic_block(index: ExpertiseIndex, p: Problem, pool: np.ndarray, weights: np.ndarray) -> Block:
    """Variables: x (one per pool row), y (one per eligible country), slack (soft groups)."""
    spec = p.spec
    n = len(pool)
    country = index.country_code[pool]  # codes follow the names' sorted order
    elig = index.eligible[pool]
    countries = np.unique(country[elig])
    n_y = len(countries) if spec.min_countries > 0 else 0
    n_s = len(p.group_keys) if not p.hard else 0
    nv = n + n_y + n_s
    c = np.zeros(nv)
    c[:n] = -weights
    c[n + n_y :] = spec.sector_penalty
    lb = np.zeros(nv)
    ub = np.ones(nv)
    ub[n + n_y :] = p.group_need if n_s else []
    forced = set(p.forced)
    lb[:n] = [1.0 if r in forced else 0.0 for r in pool.tolist()]
    integ = np.zeros(nv)
    integ[:n] = 1
    b = Block(c, lb, ub, integ, [], [], [], [], [], n, n_s)

    def row(cols: np.ndarray, vals: np.ndarray | float, lo: float, hi: float) -> None:
        cols = np.asarray(cols, dtype=np.int64)
        b.cols.append(cols)
        b.vals.append(np.broadcast_to(np.asarray(vals, dtype=float), cols.shape).copy())
        b.rows.append(np.full(len(cols), len(b.rlb), dtype=np.int64))
        b.rlb.append(lo)
        b.rub.append(hi)

    allx = np.arange(n)
    row(allx, 1.0, spec.size, spec.size)
    grp = p.group_of[pool]
    for g in range(len(p.group_keys)):
        members = allx[grp == g]
        if p.hard:
            row(members, 1.0, float(p.group_need[g]), np.inf)
        else:
            cols = np.append(members, n + n_y + g)
            row(cols, 1.0, float(p.group_need[g]), np.inf)
    if n_y:
        for j, code in enumerate(countries.tolist()):
            members = allx[(country == code) & elig]
            row(np.append(members, n + j), np.append(-np.ones(len(members)), 1.0), -np.inf, 0)
        row(n + np.arange(n_y), 1.0, float(spec.min_countries), np.inf)
    if spec.require_eu_member:
        row(allx[index.eu_member[pool]], 1.0, 1.0, np.inf)
    if spec.max_per_country is not None:
        for code in np.unique(country).tolist():
            members = allx[country == code]
            if len(members) > spec.max_per_country:
                row(members, 1.0, -np.inf, float(spec.max_per_country))
    if p.sme_need:
        row(allx[index.is_sme[pool]], 1.0, float(p.sme_need), np.inf)
    return b


def assemble(blocks: list[Block], extra: list[tuple[np.ndarray, np.ndarray, float, float]]):
    """Stack blocks diagonally; extra rows use global column numbers."""
    offs, nrow = [], 0
    col_off = 0
    rows, cols, vals, rlb, rub = [], [], [], [], []
    for b in blocks:
        offs.append(col_off)
        for r, cc, v in zip(b.rows, b.cols, b.vals, strict=True):
            rows.append(r + nrow)
            cols.append(cc + col_off)
            vals.append(v)
        rlb += b.rlb
        rub += b.rub
        nrow += len(b.rlb)
        col_off += len(b.c)
    for cc, v, lo, hi in extra:
        rows.append(np.full(len(cc), nrow, dtype=np.int64))
        cols.append(cc)
        vals.append(v)
        rlb.append(lo)
        rub.append(hi)
        nrow += 1
    a = sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(nrow, col_off),
    )
    c = np.concatenate([b.c for b in blocks])
    lb = np.concatenate([b.lb for b in blocks])
    ub = np.concatenate([b.ub for b in blocks])
    integ = np.concatenate([b.integrality for b in blocks])
    return c, a, np.array(rlb), np.array(rub), lb, ub, integ, offs


@dataclass
class MilpResult:
    status: str  # "optimal" | "infeasible" | "timeout" | "error"
    x: np.ndarray | None
    objective: float | None


def solve(blocks, extra, time_limit: float, presolve: bool = True) -> tuple[MilpResult, list[int]]:
    # Imported here: scipy.optimize takes a second to import, and only a solve needs it.
    from scipy.optimize import Bounds, LinearConstraint, milp

    c, a, rlb, rub, lb, ub, integ, offs = assemble(blocks, extra)
    res = milp(
        c,
        constraints=LinearConstraint(a, rlb, rub),
        integrality=integ,
        bounds=Bounds(lb, ub),
        options={
            "time_limit": float(time_limit),
            "mip_rel_gap": 1e-6,
            "disp": False,
            "presolve": presolve,
        },
    )
    if res.status == 0:
        return MilpResult("optimal", res.x, -res.fun), offs
    if res.status == 2:
        return MilpResult("infeasible", None, None), offs
    if res.status == 1:
        x = res.x if res.x is not None else None
        return MilpResult("timeout", x, None if x is None else -float(c @ x)), offs
    return MilpResult("error", None, None), offs
