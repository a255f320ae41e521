from collections import Counter

import pytest

from matching.callwide import assign_call
from matching.types import ConsortiumSpec, SpecError, TopicQuery
from tests.unit.matching.matching_synth import THEMES


def _queries():
    qs = [TopicQuery(t, w, [t]) for t, w in THEMES.items()]
    return [*qs, TopicQuery("diabetes again", THEMES["diabetes"], ["diabetes"])]


def _spec():
    return ConsortiumSpec(size=10, sector_counts={"academia": 2, "PRC": 2}, min_countries=3)


@pytest.mark.parametrize("capacity", [1, 2])
def test_capacity_respected_and_bounded_by_independent(index, capacity):
    qs = _queries()
    a = assign_call(index, qs, [_spec() for _ in qs], capacity=capacity)
    assert a.feasible and a.solver == "exact"
    use = Counter(m.candidate_id for s in a.suggestions for m in s.members)
    assert max(use.values()) <= capacity
    for s in a.suggestions:
        assert len(s.members) == 10 and s.feasible
    # Joint under capacity can only lose against topics solved alone without it.
    assert a.objective <= a.independent_objective + 1e-6
    if a.independent_overbooked == 0:
        assert a.objective == pytest.approx(a.independent_objective)


def test_capacity_one_forces_disjoint_duplicates(index):
    qs = _queries()
    a = assign_call(index, qs, [_spec() for _ in qs], capacity=1)
    first, dup = a.suggestions[0], a.suggestions[-1]
    assert not {m.candidate_id for m in first.members} & {m.candidate_id for m in dup.members}
    assert a.independent_overbooked > 0 and a.objective < a.independent_objective


def test_callwide_infeasible_reported(index):
    qs = _queries()[:2]
    specs = [_spec(), ConsortiumSpec(size=5, sector_counts={"patient": 5}, min_countries=30)]
    a = assign_call(index, qs, specs, capacity=1)
    assert not a.feasible and any(p.startswith("topic 2") for p in a.problems)


def test_callwide_malformed(index):
    with pytest.raises(SpecError):
        assign_call(index, _queries()[:1], [], capacity=1)
