"""Programme history, research areas and associated-partner-only candidates in the engine."""

from __future__ import annotations

import json

import numpy as np
import pytest

from matching.consortium import build_consortium
from matching.index import ExpertiseIndex, area_of, build_index
from matching.scoring import (
    DEFAULT_PARAMS,
    PREVIOUS_PARAMS,
    explain,
    project_similarities,
    score_candidates,
    score_terms,
    topic_area,
)
from matching.types import (
    Candidate,
    ConsortiumSpec,
    HistoryRecord,
    ProgrammeHistory,
    ProjectDoc,
    SpecError,
    TopicQuery,
)

QUERY = TopicQuery("insulin diabetes", "insulin glucose beta cells", [])


def _doc(pid: str, text: str, call: str, year: int = 2022) -> ProjectDoc:
    return ProjectDoc(pid, text, text, [], call=call, start_year=year)


@pytest.fixture(scope="module")
def ix() -> ExpertiseIndex:
    """Two organisations alike in text; P-JU2 is a later call of the programme."""
    docs = [
        _doc("P1", "insulin diabetes glucose", "HORIZON-HLTH-2022-01"),
        _doc("P2", "insulin diabetes glucose", "HORIZON-HLTH-2022-01"),
        _doc("JU1", "insulin pancreas", "HORIZON-JU-IHI-2022-01"),
        _doc("JU2", "insulin beta cells glucose", "HORIZON-JU-IHI-2024-08"),
        _doc("O1", "ocean waves tides", "HORIZON-CL6-2022-01"),
        _doc("O2", "ocean marine tides", "HORIZON-CL6-2022-01"),
    ]
    cands = [
        Candidate(1, "A", "academia", "DE", False),
        Candidate(2, "B", "academia", "FR", False),
        Candidate(3, "C", "industry", "US", False, eu_member=False, associated_only=True),
        Candidate(4, "D", "academia", "NL", False),
        Candidate(5, "E", "academia", "BE", False),
    ]
    parts = [(1, "P1"), (2, "P2"), (1, "JU1"), (3, "JU2"), (4, "O1"), (5, "O2"), (3, "P1")]
    return build_index(docs, parts, cands)


def test_area_of_takes_the_part_before_the_year():
    assert area_of("HORIZON-HLTH-2023-DISEASE-03") == "HORIZON-HLTH"
    assert area_of("ERC-2021-STG") == "ERC"
    assert area_of("IMI_Call_2008_1") == "IMI_CALL"
    assert area_of("") == ""


def test_topic_area_is_the_closest_cluster(ix):
    sims = np.array([0.9, 0.8, 0.5, 0.4, 0.0, 0.0], dtype=np.float32)
    assert ix.area_names[topic_area(ix, sims, 50)] == "HORIZON-HLTH"
    assert topic_area(ix, np.zeros(6, dtype=np.float32), 50) == -1


def test_earlier_participations_raise_the_score_and_say_so(ix):
    history = ProgrammeHistory(
        records=[HistoryRecord(1, 3, 1, 2024)], project_ids=["JU1"], hidden_project_ids=["JU2"]
    )
    plain = score_candidates(ix, QUERY)
    with_history = score_candidates(ix, TopicQuery(**{**QUERY.__dict__, "history": history}))
    a, b = ix.row(1), ix.row(2)
    assert with_history[a] - with_history[b] > plain[a] - plain[b] > -1
    e = explain(ix, TopicQuery(**{**QUERY.__dict__, "history": history}), 1)
    assert "took part in 3 earlier projects of this programme (latest 2024, coordinator once)" in (
        e.reasons
    )
    assert not any("earlier" in r for r in explain(ix, QUERY, 2).reasons)


def test_hidden_projects_are_never_seen(ix):
    """The topic's own and later calls: no similarity, no count, no explanation."""
    hidden = ProgrammeHistory(hidden_project_ids=["JU2"])
    q = TopicQuery(**{**QUERY.__dict__, "history": hidden})
    e = explain(ix, q, 3)
    assert [p for p, _t, _s in e.top_projects] == ["P1"]  # not JU2, not even at similarity 0
    assert any(r.startswith("1 past project(s)") for r in e.reasons)
    with_ju2 = score_candidates(ix, QUERY)[ix.row(3)]
    assert score_candidates(ix, q)[ix.row(3)] < with_ju2


def test_previous_params_ignore_history(ix):
    history = ProgrammeHistory(records=[HistoryRecord(2, 5, 2, 2024)], project_ids=["JU1"])
    q = TopicQuery(**{**QUERY.__dict__, "history": history})
    np.testing.assert_allclose(
        score_candidates(ix, q, PREVIOUS_PARAMS), score_candidates(ix, QUERY, PREVIOUS_PARAMS)
    )


def test_area_track_record_counts(ix):
    """D and E have no similar text; the area term is zero for both, A's is positive."""
    sims, q = project_similarities(ix, QUERY)
    terms = score_terms(ix, sims, q, DEFAULT_PARAMS, every=True)
    assert terms["area"][ix.row(1)] == pytest.approx(np.log1p(1))
    assert terms["area"][ix.row(4)] == 0


def test_associated_partners_only_take_seats_when_allowed(ix):
    spec = ConsortiumSpec(size=2, sector_counts={"industry": 1}, min_countries=0)
    seated = build_consortium(ix, QUERY, spec)
    assert 3 in [m.candidate_id for m in seated.members]
    member = next(m for m in seated.members if m.candidate_id == 3)
    assert any("associated partner only" in r for r in member.reasons)
    spec.associated_partners = "no_seats"
    refused = build_consortium(ix, QUERY, spec)
    assert not refused.feasible  # the only industry candidate may not take a seat
    spec.must_include = [3]
    assert 3 in [m.candidate_id for m in build_consortium(ix, QUERY, spec).members]
    spec.associated_partners = "maybe"
    with pytest.raises(SpecError):
        build_consortium(ix, QUERY, spec)


def test_index_keeps_calls_and_reads_the_previous_format(ix, tmp_path):
    ix.save(tmp_path / "ix")
    loaded = ExpertiseIndex.load(tmp_path / "ix")
    assert loaded.project_calls == ix.project_calls
    assert loaded.associated_only.tolist() == ix.associated_only.tolist()
    meta = tmp_path / "ix" / "meta.json"
    old = json.loads(meta.read_text())
    old["format_version"] = 1
    del old["project_calls"]
    meta.write_text(json.dumps(old))
    np.testing.assert_allclose(
        score_candidates(ExpertiseIndex.load(tmp_path / "ix"), QUERY, PREVIOUS_PARAMS),
        score_candidates(ix, QUERY, PREVIOUS_PARAMS),
    )


def test_without_history_the_engine_scores_as_before(index, query):
    """The tuned defaults change only what a programme history adds (Health-cluster sets,
    which have none, score exactly as with the previous engine)."""
    np.testing.assert_allclose(
        score_candidates(index, query), score_candidates(index, query, PREVIOUS_PARAMS)
    )
