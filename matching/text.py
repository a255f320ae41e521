"""TF-IDF text model that can be saved without pickle (vocabulary + idf only)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

NGRAM_RANGE = (1, 2)
TOKEN_PATTERN = r"(?u)\b[a-zA-Z][a-zA-Z0-9\-]+\b"  # noqa: S105 - a regex, not a secret


def _counter(vocabulary: list[str] | None, min_df: float = 1, max_df: float = 1.0):
    return CountVectorizer(
        vocabulary=vocabulary,
        ngram_range=NGRAM_RANGE,
        stop_words="english",
        lowercase=True,
        token_pattern=TOKEN_PATTERN,
        min_df=min_df,
        max_df=max_df,
        dtype=np.float32,
    )


class TextModel:
    """Sublinear-tf, smoothed-idf, l2-normalised TF-IDF with unigrams and bigrams."""

    def __init__(self, vocabulary: list[str], idf: np.ndarray) -> None:
        self.vocabulary = list(vocabulary)
        self.idf = np.asarray(idf, dtype=np.float32)
        self._counter = _counter(self.vocabulary) if self.vocabulary else None
        if self._counter is not None:
            self._counter.fit(["x"])  # validates the fixed vocabulary; learns nothing

    @classmethod
    def fit(cls, texts: list[str], min_df: int = 2, max_df: float = 0.5) -> TextModel:
        n = len(texts)
        min_df_eff = min_df if n >= 10 else 1
        max_df_eff = max_df if n >= 10 else 1.0
        vec = TfidfVectorizer(
            ngram_range=NGRAM_RANGE,
            stop_words="english",
            token_pattern=TOKEN_PATTERN,
            sublinear_tf=True,
            min_df=min_df_eff,
            max_df=max_df_eff,
            dtype=np.float32,
        )
        vec.fit(texts)
        vocab = [""] * len(vec.vocabulary_)
        for term, j in vec.vocabulary_.items():
            vocab[j] = term
        return cls(vocab, vec.idf_)

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        if self._counter is None:
            return sp.csr_matrix((len(texts), 0), dtype=np.float32)  # type: ignore[arg-type]  # scipy-stubs lacks the empty (M, N) shape form
        counts = self._counter.transform(texts).tocsr().astype(np.float32)
        counts.data = 1.0 + np.log(counts.data)
        counts = counts @ sp.diags(self.idf)
        counts = sp.csr_matrix(counts, dtype=np.float32)
        norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sp.csr_matrix(sp.diags(1.0 / norms).astype(np.float32) @ counts)
