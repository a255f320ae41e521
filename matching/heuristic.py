"""Greedy + swap heuristic, the fallback when the MILP runs out of time.

1. Start from must_include. Walk the pool by score and add a candidate when the partial
   consortium stays completable: its sector group has room, its country is under the cap,
   and the seats left still cover each outstanding need (sector seats, countries, EU
   member, SMEs) on its own.
2. If needs remain (the completability test is optimistic), repair by swapping in the best
   candidate that reduces the violation most.
3. Best-improvement 1-swaps (one member out, one non-member in) while the objective rises
   and no hard rule breaks; when stuck, a 2-swap (two out, two of the `pair_pool` best
   non-members in) escapes local optima such as "a country is full, so its better SME
   cannot come in unless an academic from that country leaves for one elsewhere".
The gap to the exact optimum is measured in bench/matching_speed.py.
"""

from __future__ import annotations

import time
from collections import Counter
from itertools import combinations

import numpy as np

from matching.index import ExpertiseIndex
from matching.problem import Problem


class State:
    """Counters of a (partial) consortium for O(#groups) feasibility checks."""

    def __init__(self, index: ExpertiseIndex, p: Problem, weights: np.ndarray) -> None:
        self.ix, self.p, self.w = index, p, weights
        self.members: set[int] = set()
        self.group = np.zeros(len(p.group_keys) + 1, dtype=np.int64)  # slot 0 = open
        self.country: Counter = Counter()
        self.elig: Counter = Counter()
        self.eu = 0
        self.sme = 0
        self.total = 0.0

    def _upd(self, r: int, d: int) -> None:
        ix = self.ix
        self.group[self.p.group_of[r] + 1] += d
        c = ix.country[r]
        self.country[c] += d
        if ix.eligible[r]:
            self.elig[c] += d
            if self.elig[c] == 0:
                del self.elig[c]
        self.eu += d * int(ix.eu_member[r])
        self.sme += d * int(ix.is_sme[r])
        self.total += d * float(self.w[r])

    def add(self, r: int) -> None:
        self.members.add(r)
        self._upd(r, 1)

    def remove(self, r: int) -> None:
        self.members.discard(r)
        self._upd(r, -1)

    def shortfall(self) -> int:
        need = self.p.group_need - self.group[1:]
        return int(np.clip(need, 0, None).sum())

    def violation(self) -> int:
        """Hard-rule violations of a complete consortium (0 = feasible)."""
        p, spec = self.p, self.p.spec
        v = abs(len(self.members) - spec.size)
        if p.hard:
            v += self.shortfall()
        v += max(0, spec.min_countries - len(self.elig))
        v += int(spec.require_eu_member and self.eu == 0)
        v += max(0, p.sme_need - self.sme)
        if spec.max_per_country is not None:
            v += sum(max(0, n - spec.max_per_country) for n in self.country.values())
        return v

    def objective(self) -> float:
        pen = 0.0 if self.p.hard else self.p.spec.sector_penalty * self.shortfall()
        return self.total - pen

    def can_add(self, r: int) -> bool:
        p, spec, ix = self.p, self.p.spec, self.ix
        g = int(p.group_of[r])
        left = spec.size - len(self.members) - 1
        if left < 0 or r in self.members:
            return False
        if spec.max_per_country is not None and self.country[ix.country[r]] >= (
            spec.max_per_country
        ):
            return False
        if p.hard:
            need = np.clip(p.group_need - self.group[1:], 0, None)
            if g >= 0 and need[g] > 0:
                need[g] -= 1
            elif g >= 0 and self.group[g + 1] >= p.group_upper(g):
                return False
            if need.sum() > left:
                return False
        new_c = ix.eligible[r] and ix.country[r] not in self.elig
        if max(0, spec.min_countries - len(self.elig) - int(new_c)) > left:
            return False
        eu_need = int(spec.require_eu_member and self.eu == 0 and not ix.eu_member[r])
        if eu_need > left:
            return False
        return max(0, p.sme_need - self.sme - int(ix.is_sme[r])) <= left

    def swap_ok(self, out: int, inn: int) -> tuple[int, float]:
        """(violation, objective) after swapping out -> inn, state unchanged afterwards."""
        self.remove(out)
        self.add(inn)
        res = (self.violation(), self.objective())
        self.remove(inn)
        self.add(out)
        return res


def greedy_swap(
    index: ExpertiseIndex,
    p: Problem,
    pool: np.ndarray,
    weights: np.ndarray,
    max_rounds: int = 200,
    swap_pool: int = 300,
    pair_pool: int = 15,
    time_budget_s: float = 3.0,
) -> tuple[list[int], bool]:
    """Return (member rows, feasible). pool is sorted by score, best first."""
    st = State(index, p, weights)
    for r in p.forced:
        st.add(r)
    for r in pool.tolist():
        if len(st.members) >= p.size:
            break
        if st.can_add(r):
            st.add(r)
    forced = set(p.forced)
    cand = pool.tolist()
    # Top up with anything if the optimistic completability test left seats empty.
    for r in cand:
        if len(st.members) >= p.size:
            break
        if r not in st.members:
            st.add(r)
    # Repair, then improve.
    inner = cand[:swap_pool]
    deadline = time.perf_counter() + time_budget_s
    for _ in range(max_rounds):
        if time.perf_counter() > deadline:
            break
        base_v, base_o = st.violation(), st.objective()
        best = None
        search = cand if base_v else inner
        for out in sorted(st.members - forced):
            for inn in search:
                if inn in st.members:
                    continue
                v, o = st.swap_ok(out, inn)
                key = (v, -o)
                if (v < base_v or (v == base_v and o > base_o + 1e-12)) and (
                    best is None or key < best[0]
                ):
                    best = (key, out, inn)
        if best is not None:
            st.remove(best[1])
            st.add(best[2])
            continue
        if not _two_swap(st, forced, cand, pair_pool):
            break
    return sorted(st.members, key=lambda r: (-weights[r], int(index.ids[r]))), st.violation() == 0


def _two_swap(st: State, forced: set[int], cand: list[int], pair_pool: int) -> bool:
    """Apply the best improving 2-out/2-in exchange among the best non-members, if any."""
    base_v, base_o = st.violation(), st.objective()
    ins = [r for r in cand if r not in st.members][:pair_pool]
    outs = sorted(st.members - forced)
    best = None
    for a, b in combinations(outs, 2):
        st.remove(a)
        st.remove(b)
        for c, d in combinations(ins, 2):
            st.add(c)
            st.add(d)
            v, o = st.violation(), st.objective()
            if v <= base_v and o > base_o + 1e-9 and (best is None or (v, -o) < best[0]):
                best = ((v, -o), a, b, c, d)
            st.remove(c)
            st.remove(d)
        st.add(a)
        st.add(b)
    if best is None:
        return False
    _, a, b, c, d = best
    st.remove(a)
    st.remove(b)
    st.add(c)
    st.add(d)
    return True
