"""The query-side analyser agrees with scikit-learn's, and queries need no scikit-learn."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from matching.index import ExpertiseIndex, build_index
from matching.text import NGRAM_RANGE, TOKEN_PATTERN, TextModel, analyse, english_stop_words
from matching.types import Candidate, ProjectDoc

TEXTS = [
    "Antimicrobial resistance: new antibiotics for Gram-negative bacteria, phase-2 trials.",
    "The AMR network of networks; and the and THE of 3D-printed bio-inks (COVID-19).",
    "Vaccines, adjuvants & correlates of protection in infants — pertussis, RSV and flu.",
    "Ünïcode wörds, e-mail, x, 42 numbers 1st-line therapy; data-driven AI/ML models.",
    "Digital twins of the heart for in-silico trials of cardiac devices and drugs.",
    "Antibiotics antibiotics antibiotics: stewardship in hospitals and primary care.",
] * 3


def sklearn_vectoriser(**kw) -> TfidfVectorizer:
    return TfidfVectorizer(
        ngram_range=NGRAM_RANGE, stop_words="english", token_pattern=TOKEN_PATTERN,
        sublinear_tf=True, dtype=np.float32, **kw,
    )  # fmt: skip


@pytest.mark.parametrize("text", [*TEXTS[:6], "", "the of and", "a-b c-d e-f g-h"])
def test_query_terms_are_scikit_learns(text: str) -> None:
    reference = sklearn_vectoriser().build_analyzer()
    assert analyse(text, english_stop_words()) == reference(text)


def test_fit_and_transform_equal_scikit_learns_tfidf() -> None:
    model, rows = TextModel.fit_transform(TEXTS, min_df=2, max_df=0.9)
    reference = sklearn_vectoriser(min_df=2, max_df=0.9)
    expected = reference.fit_transform(TEXTS)
    assert model.vocabulary == list(reference.get_feature_names_out())
    np.testing.assert_allclose(model.idf, reference.idf_, rtol=1e-6)
    np.testing.assert_allclose(rows.toarray(), expected.toarray(), rtol=1e-5, atol=1e-6)
    queries = ["antibiotics for infants", "nothing known here", TEXTS[4]]
    np.testing.assert_allclose(
        model.transform(queries).toarray(),
        reference.transform(queries).toarray(),
        rtol=1e-5,
        atol=1e-6,
    )


def test_a_saved_index_answers_queries_without_scikit_learn(tmp_path: Path) -> None:
    docs = [ProjectDoc(id=f"p{i}", title=t[:20], text=t) for i, t in enumerate(TEXTS)]
    orgs = [Candidate(id=1, name="A", sector="academia", country="BE", is_sme=False)]
    build_index(docs, [(1, "p0")], orgs).save(tmp_path)
    assert ExpertiseIndex.load(tmp_path).text_model.stop_words == english_stop_words()
    probe = (
        "import sys; from matching.index import ExpertiseIndex; "
        f"i = ExpertiseIndex.load({str(tmp_path)!r}); "
        "q = i.text_model.transform(['new antibiotics for bacteria']); "
        "print(q.nnz, 'sklearn' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, check=True
    )
    nnz, imported = out.stdout.split()
    assert int(nnz) > 0 and imported == "False"
