"""A spec checked against an index: allowed rows, sector groups, needs, and feasibility."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from matching.index import ExpertiseIndex
from matching.sectors import SECTOR_GROUPS, SECTOR_LABELS
from matching.types import ConsortiumSpec, SpecError


@dataclass
class Problem:
    """Everything the solvers need, in index-row space."""

    spec: ConsortiumSpec
    allowed: np.ndarray  # bool mask over index rows
    forced: list[int]  # index rows that must be in
    group_keys: list[str]
    group_need: np.ndarray  # int, seats per key
    group_of: np.ndarray  # int per index row: position in group_keys, -1 if none
    sme_need: int
    free_seats: int  # seats not reserved by sector_counts

    @property
    def size(self) -> int:
        return self.spec.size

    @property
    def hard(self) -> bool:
        return self.spec.sector_mode == "hard"

    def group_upper(self, g: int) -> int:
        """Most members a group can hold (hard mode: its seats plus the open ones)."""
        if g < 0:
            return self.free_seats if self.hard else self.size
        return int(self.group_need[g]) + self.free_seats if self.hard else self.size


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def validate_spec(spec: ConsortiumSpec, index: ExpertiseIndex) -> None:
    """Raise SpecError for a malformed spec (not for an infeasible one)."""
    if not isinstance(spec.size, int) or spec.size < 1:
        raise SpecError(f"size must be a positive integer, got {spec.size!r}")
    unknown = [k for k in spec.sector_counts if k not in SECTOR_GROUPS]
    if unknown:
        raise SpecError(f"unknown sector key(s) {unknown}; use one of {sorted(SECTOR_GROUPS)}")
    neg = {k: v for k, v in spec.sector_counts.items() if not isinstance(v, int) or v < 0}
    if neg:
        raise SpecError(f"sector counts must be non-negative integers, got {neg}")
    total = sum(spec.sector_counts.values())
    if total > spec.size:
        raise SpecError(f"sector counts add up to {total}, more than the size {spec.size}")
    keys = [k for k, v in spec.sector_counts.items() if v > 0]
    for a in range(len(keys)):
        for b in range(a + 1, len(keys)):
            if SECTOR_GROUPS[keys[a]] & SECTOR_GROUPS[keys[b]]:
                raise SpecError(f"sector keys {keys[a]!r} and {keys[b]!r} overlap; use one")
    if spec.sector_mode not in ("hard", "soft"):
        raise SpecError(f"sector_mode must be 'hard' or 'soft', got {spec.sector_mode!r}")
    if spec.sector_penalty < 0:
        raise SpecError("sector_penalty must be >= 0")
    if spec.min_countries < 0:
        raise SpecError("min_countries must be >= 0")
    if spec.max_per_country is not None and spec.max_per_country < 1:
        raise SpecError("max_per_country must be >= 1 or None")
    if not 0.0 <= spec.min_sme_share <= 1.0:
        raise SpecError(f"min_sme_share must be within [0, 1], got {spec.min_sme_share}")
    if spec.capacity is not None and spec.capacity < 0:
        raise SpecError("capacity must be >= 0 or None")
    if spec.associated_partners not in ("seats", "no_seats"):
        raise SpecError(
            f"associated_partners must be 'seats' or 'no_seats', got {spec.associated_partners!r}"
        )
    if spec.interest_mode not in ("ignore", "mark", "prefer"):
        raise SpecError(f"interest_mode must be ignore, mark or prefer, got {spec.interest_mode!r}")
    if not 0.0 <= spec.interest_bonus <= 1.0:
        raise SpecError(f"interest_bonus must be within [0, 1], got {spec.interest_bonus}")
    if spec.alternates < 0 or spec.alternates_per_seat < 0:
        raise SpecError("alternates and alternates_per_seat must be >= 0")
    clash = sorted(set(spec.must_include) & set(spec.exclude))
    if clash:
        raise SpecError(f"candidate(s) {clash} are both in must_include and exclude")
    if len(set(spec.must_include)) > spec.size:
        raise SpecError(f"{len(set(spec.must_include))} must_include members exceed size")
    missing = [c for c in spec.must_include if int(c) not in index.row_of]
    if missing:
        raise SpecError(f"must_include names unknown candidate(s) {missing}")


def prepare(index: ExpertiseIndex, spec: ConsortiumSpec) -> Problem:
    validate_spec(spec, index)
    allowed = np.ones(index.n_candidates, dtype=bool)
    for cid in spec.exclude:
        if int(cid) in index.row_of:
            allowed[index.row_of[int(cid)]] = False
    forced = sorted({index.row(c) for c in spec.must_include})
    if spec.associated_partners == "no_seats":
        allowed &= ~index.associated_only
        allowed[forced] = True  # a required organisation takes its seat whatever it is
    if spec.capacity is not None:
        full = index.active >= spec.capacity
        keep_forced = np.zeros_like(allowed)
        keep_forced[forced] = True
        allowed &= ~full | keep_forced  # over-capacity forced members are reported later
    keys = [k for k, v in spec.sector_counts.items() if v > 0]
    group_of = np.full(index.n_candidates, -1, dtype=np.int64)
    code_of = {name: j for j, name in enumerate(index.sector_names)}
    for g, k in enumerate(keys):
        for s in SECTOR_GROUPS[k]:
            if s in code_of:
                group_of[index.sector_code == code_of[s]] = g
    need = np.array([spec.sector_counts[k] for k in keys], dtype=np.int64)
    return Problem(
        spec=spec,
        allowed=allowed,
        forced=forced,
        group_keys=keys,
        group_need=need,
        group_of=group_of,
        sme_need=math.ceil(spec.min_sme_share * spec.size - 1e-9),
        free_seats=spec.size - int(need.sum()),
    )


def feasibility_problems(index: ExpertiseIndex, p: Problem) -> list[str]:
    """Human-readable reasons why no consortium can exist (each rule checked on its own)."""
    spec, out = p.spec, []
    rows = np.flatnonzero(p.allowed)
    if spec.capacity is not None:
        for r in p.forced:
            if index.active[r] >= spec.capacity:
                out.append(
                    f"must_include candidate {int(index.ids[r])} already has "
                    f"{int(index.active[r])} active consortia (capacity {spec.capacity})"
                )
    if len(rows) < spec.size:
        out.append(f"only {len(rows)} candidates available after exclusions and capacity, ")
        out[-1] += f"{spec.size} required"
    if p.hard:
        for g, k in enumerate(p.group_keys):
            have = int(np.sum(p.group_of[rows] == g))
            if have < p.group_need[g]:
                out.append(
                    f"only {have} {SECTOR_LABELS.get(k, k)} candidates available, "
                    f"{int(p.group_need[g])} required"
                )
        n_forced = np.bincount(p.group_of[p.forced] + 1, minlength=len(p.group_keys) + 1)
        for g in range(-1, len(p.group_keys)):
            if n_forced[g + 1] > p.group_upper(g):
                label = "open" if g < 0 else SECTOR_LABELS.get(p.group_keys[g], p.group_keys[g])
                out.append(f"must_include has {n_forced[g + 1]} members for {label} seats")
                out[-1] += f", only {p.group_upper(g)} available"
    n_countries = len(np.unique(index.country_code[rows][index.eligible[rows]]))
    if n_countries < spec.min_countries:
        out.append(
            f"only {n_countries} eligible countries among candidates, {spec.min_countries} required"
        )
    if spec.require_eu_member and not index.eu_member[rows].any():
        out.append("no candidate from an EU member state, at least one required")
    if spec.max_per_country is not None:
        per = np.bincount(index.country_code[rows])
        reachable = int(np.minimum(per, spec.max_per_country).sum())
        if reachable < spec.size:
            out.append(
                f"at most {reachable} members possible with max {spec.max_per_country} "
                f"per country, {spec.size} required"
            )
        forced = index.country[p.forced] if p.forced else np.array([], dtype=index.country.dtype)
        countries, counts = np.unique(forced, return_counts=True)
        for c, n in zip(countries, counts, strict=True):
            if n > spec.max_per_country:
                out.append(f"must_include has {n} members from {c}, max {spec.max_per_country}")
    if p.sme_need:
        have = int(index.is_sme[rows].sum())
        if have < p.sme_need:
            out.append(f"only {have} SME candidates available, {p.sme_need} required")
    return out
