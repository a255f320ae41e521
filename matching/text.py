"""TF-IDF text model that can be saved without pickle (vocabulary, idf and stop words).

Fitting uses scikit-learn's CountVectorizer (imported then only). Queries are analysed
here, by the same rules (lower case, the token pattern, English stop words removed, then
unigrams and bigrams of what is left): importing scikit-learn costs seconds, and a
process that only answers queries (``partnering suggest``, a web or worker process) never
needs it. ``tests/unit/matching`` checks the two analysers agree term for term.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable

import numpy as np
import scipy.sparse as sp

NGRAM_RANGE = (1, 2)
TOKEN_PATTERN = r"(?u)\b[a-zA-Z][a-zA-Z0-9\-]+\b"  # noqa: S105 - a regex, not a secret
_TOKENS = re.compile(TOKEN_PATTERN)


def english_stop_words() -> frozenset[str]:
    """scikit-learn's English stop-word list (the one the model is fitted with)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


def analyse(text: str, stop_words: frozenset[str]) -> list[str]:
    """The terms of a text as the fitted vectoriser counts them."""
    words = [w for w in _TOKENS.findall(text.lower()) if w not in stop_words]
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


class TextModel:
    """Sublinear-tf, smoothed-idf, l2-normalised TF-IDF with unigrams and bigrams."""

    def __init__(
        self,
        vocabulary: list[str],
        idf: np.ndarray,
        stop_words: Iterable[str] | None = None,
    ) -> None:
        self.vocabulary = list(vocabulary)
        self.idf = np.asarray(idf, dtype=np.float32)
        self.stop_words = frozenset(stop_words) if stop_words is not None else None
        self._column: dict[str, int] | None = None

    @classmethod
    def fit(cls, texts: list[str], min_df: int = 2, max_df: float = 0.5) -> TextModel:
        return cls.fit_transform(texts, min_df, max_df)[0]

    @classmethod
    def fit_transform(
        cls, texts: list[str], min_df: int = 2, max_df: float = 0.5
    ) -> tuple[TextModel, sp.csr_matrix]:
        """The model and the texts' tf-idf rows, from one pass over the texts."""
        from sklearn.feature_extraction.text import CountVectorizer

        n = len(texts)
        stop_words = english_stop_words()
        counter = CountVectorizer(
            ngram_range=NGRAM_RANGE,
            stop_words=sorted(stop_words),
            lowercase=True,
            token_pattern=TOKEN_PATTERN,
            min_df=min_df if n >= 10 else 1,
            max_df=max_df if n >= 10 else 1.0,
            dtype=np.float32,
        )
        counts = sp.csr_matrix(counter.fit_transform(texts), dtype=np.float32)
        vocab = [""] * len(counter.vocabulary_)
        for term, j in counter.vocabulary_.items():
            vocab[j] = term
        df = np.bincount(counts.indices, minlength=len(vocab))
        idf = np.log((n + 1) / (df + 1.0)) + 1.0  # scikit-learn's smoothed idf
        model = cls(vocab, idf, stop_words)
        return model, model.weigh(counts)

    @property
    def column(self) -> dict[str, int]:
        if self._column is None:
            self._column = {term: j for j, term in enumerate(self.vocabulary)}
        return self._column

    def counts(self, texts: list[str]) -> sp.csr_matrix:
        """Term counts of each text over the vocabulary (unknown terms dropped)."""
        if self.stop_words is None:
            self.stop_words = english_stop_words()  # an index saved before format 3
        column, stop = self.column, self.stop_words
        indptr, indices, data = [0], [], []
        for text in texts:
            seen = Counter(j for t in analyse(text, stop) if (j := column.get(t)) is not None)
            for j in sorted(seen):
                indices.append(j)
                data.append(seen[j])
            indptr.append(len(indices))
        shape = (len(texts), len(self.vocabulary))
        return sp.csr_matrix(
            (np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int32), indptr),
            shape=shape,
        )

    def weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """1 + log(tf), times idf, each row l2-normalised."""
        x = sp.csr_matrix(counts, dtype=np.float32, copy=True)
        x.data = (1.0 + np.log(x.data)) * self.idf[x.indices]
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        x.data /= np.repeat(norms, np.diff(x.indptr)).astype(np.float32)
        return x

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        if not self.vocabulary:
            return sp.csr_matrix((len(texts), 0), dtype=np.float32)  # type: ignore[arg-type]  # scipy-stubs lacks the empty (M, N) shape form
        return self.weigh(self.counts(texts))
