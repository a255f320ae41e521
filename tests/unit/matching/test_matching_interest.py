"""Expressions of interest in the engine: ignored, marked in the reasons, or preferred."""

from __future__ import annotations

import numpy as np
import pytest

from matching.consortium import build_consortium
from matching.scoring import score_candidates
from matching.types import ConsortiumSpec, SpecError

SPEC = {"size": 5, "min_countries": 3}


def _outsider(index, query, spec):
    """The best candidate the plain suggestion leaves out (an alternate)."""
    plain = build_consortium(index, query, ConsortiumSpec(**spec))
    return plain, plain.alternates[0][0]


def test_ignore_changes_nothing(index, query):
    plain, outsider = _outsider(index, query, SPEC)
    ignored = build_consortium(
        index, query, ConsortiumSpec(**SPEC, interested=[outsider], interest_mode="ignore")
    )
    assert [m.candidate_id for m in ignored.members] == [m.candidate_id for m in plain.members]
    assert [m.reasons for m in ignored.members] == [m.reasons for m in plain.members]


def test_mark_names_the_member_without_changing_the_choice(index, query):
    plain, _outsider_id = _outsider(index, query, SPEC)
    member = plain.members[1].candidate_id
    marked = build_consortium(
        index, query, ConsortiumSpec(**SPEC, interested=[member], interest_mode="mark")
    )
    assert [m.candidate_id for m in marked.members] == [m.candidate_id for m in plain.members]
    flagged = {m.candidate_id: m.reasons for m in marked.members}
    assert flagged[member][-1] == "expressed interest in this topic"
    assert all("interest" not in " ".join(r) for c, r in flagged.items() if c != member)
    assert marked.members[1].score == plain.members[1].score


def test_prefer_adds_a_named_bonus_that_can_bring_an_outsider_in(index, query):
    plain, outsider = _outsider(index, query, SPEC)
    best = float(np.max(score_candidates(index, query)))
    spec = ConsortiumSpec(**SPEC, interested=[outsider], interest_mode="prefer", interest_bonus=1.0)
    preferred = build_consortium(index, query, spec)
    members = {m.candidate_id: m for m in preferred.members}
    assert outsider in members
    assert members[outsider].reasons[-1] == (
        f"expressed interest in this topic (+{best:.2f} score bonus)"
    )
    assert members[outsider].score == pytest.approx(plain.alternates[0][1] + best)


def test_a_small_bonus_is_named_but_may_not_change_the_choice(index, query):
    plain, outsider = _outsider(index, query, SPEC)
    spec = ConsortiumSpec(
        **SPEC, interested=[outsider, 999999], interest_mode="prefer", interest_bonus=0.0
    )
    same = build_consortium(index, query, spec)
    assert [m.candidate_id for m in same.members] == [m.candidate_id for m in plain.members]


@pytest.mark.parametrize(
    "kwargs, fragment",
    [({"interest_mode": "love"}, "interest_mode"), ({"interest_bonus": 1.5}, "interest_bonus")],
)
def test_malformed_interest_specs_raise(index, query, kwargs, fragment):
    with pytest.raises(SpecError, match=fragment):
        build_consortium(index, query, ConsortiumSpec(**SPEC, **kwargs))
