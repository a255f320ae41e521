import numpy as np

from matching.index import ExpertiseIndex, build_index
from matching.scoring import explain, score_candidates
from matching.types import Candidate, ProjectDoc, TopicQuery


def test_save_load_round_trip_gives_identical_scores(index, query, tmp_path):
    index.save(tmp_path / "ix")
    files = sorted(p.name for p in (tmp_path / "ix").iterdir())
    assert not any(f.endswith((".pkl", ".pickle")) for f in files)
    loaded = ExpertiseIndex.load(tmp_path / "ix")
    np.testing.assert_array_equal(score_candidates(index, query), score_candidates(loaded, query))
    assert loaded.candidates == index.candidates


def test_incidence_is_sparse_and_projects_stored_once(index, data):
    projects, parts, _ = data
    assert index.incidence.shape == (len(index.candidates), len(projects))
    assert index.incidence.nnz == len(set(parts))
    assert index.projects.shape[0] == len(projects)


def test_relevant_candidates_score_higher(index, query):
    scores = score_candidates(index, query)
    diabetes = [i for i, c in enumerate(index.candidates) if (c.id - 1000) % 5 == 0]
    others = [i for i, c in enumerate(index.candidates) if (c.id - 1000) % 5 == 1]
    assert scores[diabetes].mean() > 2 * scores[others].mean()
    assert (scores >= 0).all()


def test_several_relevant_projects_beat_one():
    docs = [
        ProjectDoc(f"P{i}", "insulin diabetes", "insulin diabetes glucose", []) for i in range(4)
    ]
    docs += [ProjectDoc(f"Q{i}", "ocean waves", "ocean waves tides marine", []) for i in range(8)]
    cands = [Candidate(1, "A", "academia", "DE", False), Candidate(2, "B", "academia", "FR", False)]
    parts = [(1, "P0"), (1, "P1"), (1, "P2"), (2, "P3")]
    ix = build_index(docs, parts, cands)
    s = score_candidates(ix, TopicQuery("diabetes", "insulin glucose", []))
    assert s[0] > s[1] > 0


def test_explain_gives_projects_and_terms(index, query):
    best = int(np.argmax(score_candidates(index, query)))
    e = explain(index, query, index.candidates[best].id, k=2)
    assert 1 <= len(e.top_projects) <= 2
    assert "diabetes" in e.top_projects[0][1]
    assert e.top_projects[0][2] >= e.top_projects[-1][2]
    assert {"diabetes", "insulin", "glucose"} & set(e.top_terms)


def test_newcomer_profile_counts():
    docs = [ProjectDoc(f"P{i}", "t", f"ocean waves tides {i}", []) for i in range(3)]
    cands = [
        Candidate(1, "New", "sme", "DE", True, keywords=["insulin", "diabetes"]),
        Candidate(2, "Old", "sme", "FR", True),
    ]
    ix = build_index([*docs, ProjectDoc("D", "diabetes", "insulin diabetes", [])], [], cands)
    s = score_candidates(ix, TopicQuery("diabetes", "insulin", []))
    assert s[0] > s[1]
