from collections import Counter

import numpy as np
import pytest

from matching.consortium import build_consortium
from matching.scoring import score_candidates
from matching.sectors import SECTOR_GROUPS
from matching.types import ConsortiumSpec, SpecError


def _by_id(index):
    return {c.id: c for c in index.candidates}


def _check(index, s, spec):
    cand = _by_id(index)
    ms = [cand[m.candidate_id] for m in s.members]
    assert s.feasible and len(ms) == spec.size
    assert len({m.id for m in ms}) == spec.size
    if spec.sector_mode == "hard":
        for key, n in spec.sector_counts.items():
            assert sum(m.sector in SECTOR_GROUPS[key] for m in ms) >= n
    assert len({m.country for m in ms if m.eligible_country}) >= spec.min_countries
    if spec.require_eu_member:
        assert any(m.eu_member for m in ms)
    if spec.max_per_country:
        assert max(Counter(m.country for m in ms).values()) <= spec.max_per_country
    assert sum(m.is_sme for m in ms) >= spec.min_sme_share * spec.size - 1e-9
    if spec.capacity is not None:
        assert all(m.active_consortia < spec.capacity or m.id in spec.must_include for m in ms)
    assert set(spec.must_include) <= {m.id for m in ms}
    assert not set(spec.exclude) & {m.id for m in ms}
    return ms


FULL = {
    "size": 12,
    "sector_counts": {"academia": 3, "research": 2, "PRC": 4, "patient": 1},
    "min_countries": 5,
    "max_per_country": 3,
    "min_sme_share": 0.2,
    "capacity": 3,
}


def test_all_constraints_met(index, query):
    spec = ConsortiumSpec(**FULL, must_include=[1004], exclude=[1000, 1005])
    s = build_consortium(index, query, spec)
    assert s.solver == "exact"
    _check(index, s, spec)


@pytest.mark.parametrize("size", [1, 3, 7, 20])
def test_exact_size(index, query, size):
    s = build_consortium(index, query, ConsortiumSpec(size=size, min_countries=min(size, 3)))
    assert len(s.members) == size


def test_optimisation_beats_top_k_when_rules_bind(index, query):
    spec = ConsortiumSpec(size=6, sector_counts={"public": 3}, min_countries=3)
    s = build_consortium(index, query, spec)
    _check(index, s, spec)
    scores = score_candidates(index, query)
    top6 = np.sort(scores)[-6:].sum()
    assert s.objective <= top6 + 1e-6


def test_max_per_country_one(index, query):
    spec = ConsortiumSpec(size=8, max_per_country=1, min_countries=8)
    _check(index, build_consortium(index, query, spec), spec)


def test_eu_member_required(index, query):
    non_eu_only = [c.id for c in index.candidates if c.eu_member]
    spec = ConsortiumSpec(size=3, min_countries=2, exclude=non_eu_only)
    s = build_consortium(index, query, spec)
    assert not s.feasible
    assert any("EU member" in p for p in s.problems)
    spec = ConsortiumSpec(size=3, min_countries=2, exclude=non_eu_only, require_eu_member=False)
    assert build_consortium(index, query, spec).feasible


def test_capacity_skips_busy_candidates(index, query):
    spec = ConsortiumSpec(size=10, capacity=1)
    ms = _check(index, build_consortium(index, query, spec), spec)
    assert all(m.active_consortia == 0 for m in ms)


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        (ConsortiumSpec(size=5, sector_counts={"patient": 30}, min_countries=1), "patient"),
        (ConsortiumSpec(size=500), "candidates available"),
        (ConsortiumSpec(size=4, max_per_country=1, min_countries=11), "eligible countries"),
        (ConsortiumSpec(size=40, max_per_country=3), "per country"),
        (ConsortiumSpec(size=30, min_sme_share=1.0), "SME"),
        (ConsortiumSpec(size=5, capacity=0), "candidates available"),
    ],
)
def test_infeasible_specs_are_reported(index, query, spec, fragment):
    if spec.sector_counts.get("patient", 0) > spec.size:
        spec.size = 30
    s = build_consortium(index, query, spec)
    assert not s.feasible and s.members == []
    assert any(fragment in p for p in s.problems), s.problems
    assert s.alternates or spec.capacity == 0  # still a ranked pool to look at


def test_only_two_countries_message(index, query):
    keep = {c.id for c in index.candidates if c.country in ("DE", "FR")}
    spec = ConsortiumSpec(size=4, exclude=[c.id for c in index.candidates if c.id not in keep])
    s = build_consortium(index, query, spec)
    assert "only 2 eligible countries among candidates, 3 required" in s.problems


def test_jointly_infeasible_reported(index, query):
    # 10 SMEs needed but only 3 SME seats can exist next to 7 hard academic seats.
    spec = ConsortiumSpec(size=10, sector_counts={"academia": 8}, min_sme_share=0.5)
    s = build_consortium(index, query, spec)
    assert not s.feasible and s.problems


@pytest.mark.parametrize(
    "kwargs",
    [
        {"size": 0},
        {"size": 3, "sector_counts": {"academia": -1}},
        {"size": 3, "sector_counts": {"academia": 2, "research": 2}},
        {"size": 3, "sector_counts": {"martians": 1}},
        {"size": 3, "sector_counts": {"PRC": 1, "sme": 1}},
        {"size": 3, "must_include": [1001], "exclude": [1001]},
        {"size": 3, "must_include": [99999]},
        {"size": 3, "min_sme_share": 1.5},
        {"size": 3, "sector_mode": "medium"},
    ],
)
def test_malformed_specs_raise(index, query, kwargs):
    with pytest.raises(SpecError):
        build_consortium(index, query, ConsortiumSpec(**kwargs))


def test_deterministic(index, query):
    spec = ConsortiumSpec(**FULL)
    a = build_consortium(index, query, spec)
    b = build_consortium(index, query, spec)
    assert [m.candidate_id for m in a.members] == [m.candidate_id for m in b.members]
    assert a.alternates == b.alternates
    assert [m.alternates for m in a.members] == [m.alternates for m in b.members]


def test_seeded_tie_break_with_equal_scores(index):
    flat = np.ones(len(index.candidates))
    spec = ConsortiumSpec(size=5, seed=7)
    a = build_consortium(index, None, spec, scores=flat)
    b = build_consortium(index, None, spec, scores=flat)
    assert [m.candidate_id for m in a.members] == [m.candidate_id for m in b.members]


def test_soft_mode_penalty(index, query):
    counts = {"patient": 6}
    hard = build_consortium(index, query, ConsortiumSpec(size=8, sector_counts=counts))
    cheap = build_consortium(
        index,
        query,
        ConsortiumSpec(size=8, sector_counts=counts, sector_mode="soft", sector_penalty=0.0),
    )
    dear = build_consortium(
        index,
        query,
        ConsortiumSpec(size=8, sector_counts=counts, sector_mode="soft", sector_penalty=100.0),
    )

    def n_patient(s):
        return sum(m.sector == "patient" for m in s.members)

    assert n_patient(dear) == 6 == n_patient(hard)
    assert n_patient(cheap) < 6 and cheap.sector_shortfall["patient"] == 6 - n_patient(cheap)
    assert cheap.objective >= dear.objective
    # soft mode stays feasible when the hard version is not (only 17 patient organisations)
    many = ConsortiumSpec(size=30, sector_counts={"patient": 30}, sector_mode="soft")
    assert build_consortium(index, query, many).feasible
    hard_many = ConsortiumSpec(size=30, sector_counts={"patient": 30})
    assert not build_consortium(index, query, hard_many).feasible


def test_alternates_keep_constraints(index, query):
    spec = ConsortiumSpec(**FULL)
    s = build_consortium(index, query, spec)
    cand = _by_id(index)
    members = {m.candidate_id for m in s.members}
    for m in s.members:
        assert m.alternates, m
        for alt_id, _ in m.alternates:
            assert alt_id not in members
            swapped = (members - {m.candidate_id}) | {alt_id}
            trial = ConsortiumSpec(**{**FULL, "must_include": sorted(swapped)})
            _check(index, build_consortium(index, query, trial), trial)
            key = [k for k in spec.sector_counts if m.sector in SECTOR_GROUPS[k]]
            if key:
                assert cand[alt_id].sector in SECTOR_GROUPS[key[0]]
            else:
                assert cand[alt_id].sector == m.sector
    assert len(s.alternates) == spec.alternates or len(s.alternates) > 50
    assert not members & {a for a, _ in s.alternates}


def test_explanations_mention_constraint(index, query):
    s = build_consortium(index, query, ConsortiumSpec(**FULL))
    text = " | ".join(m.constraint for m in s.members)
    assert "of 4 PRC (company) seats" in text
    assert "adds country" in text and "5th country" in text
    assert "of 3 SMEs required" in text
    for m in s.members:
        assert m.constraint in m.reasons
        assert 0 <= m.fit <= 1
    best = s.members[0]
    assert best.top_projects and best.top_terms


def test_heuristic_feasible_and_close(index, query):
    spec = ConsortiumSpec(**FULL)
    exact = build_consortium(index, query, spec, method="exact")
    heur = build_consortium(index, query, spec, method="heuristic")
    assert heur.solver == "heuristic"
    _check(index, heur, spec)
    assert heur.objective <= exact.objective + 1e-6
    assert heur.objective >= 0.97 * exact.objective  # bench measures ~0-1 % on CORDIS


def test_prefilter_is_lossless(index, query):
    spec = ConsortiumSpec(**FULL)
    small = build_consortium(index, query, spec, max_pool=None)
    full = build_consortium(index, query, spec, max_pool=10_000)
    assert small.objective == pytest.approx(full.objective)


def test_timeout_falls_back_to_heuristic(index, query):
    spec = ConsortiumSpec(**FULL, time_limit_s=1e-9)
    s = build_consortium(index, query, spec)
    assert s.solver == "heuristic"
    _check(index, s, spec)


def test_a_cut_that_loses_feasibility_is_widened():
    """The best academics all from ineligible countries, one each; in the three eligible
    countries an industry partner is the best, their academics rank last. A cut to the
    top few keeps the best of each country and the top academics: one free seat for one
    eligible country, short of the three required. The lossless pool has the answer."""
    from matching.index import build_index
    from matching.milp import prefilter
    from matching.problem import prepare
    from matching.types import Candidate

    far = [f"X{i}" for i in range(12)]
    cands = [Candidate(id=i, name="A", sector="academia", country=c, is_sme=False,
                       eligible_country=False) for i, c in enumerate(far, 1)]  # fmt: skip
    for i, c in enumerate(["DE", "FR", "NL"]):
        cands.append(Candidate(id=100 + i, name="I", sector="industry", country=c, is_sme=False))
        cands.append(Candidate(id=200 + i, name="U", sector="academia", country=c, is_sme=False))
    index = build_index([], [], cands)
    scores = np.zeros(index.n_candidates)
    for c in cands:
        scores[index.row(c.id)] = {"A": 10.0, "I": 5.0, "U": 1.0}[c.name] - c.id * 1e-3
    spec = ConsortiumSpec(size=4, sector_counts={"academia": 3}, min_countries=3)
    p = prepare(index, spec)
    cut = set(prefilter(index, p, scores, max_pool=2).tolist())
    assert not {index.row(200), index.row(201), index.row(202)} & cut  # the cut lost them
    s = build_consortium(index, None, spec, scores=scores, max_pool=2, explain_members=False)
    _check(index, s, spec)
    assert s.feasible
