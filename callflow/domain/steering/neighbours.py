"""Nearest examples: how close a caller's words come to the phrases each department was taught.

A third opinion for the embeddings router (`embeddings.py`), beside its logistic regression and the TF-IDF
model. With 20 examples per department a linear model has to draw a boundary through sparse points and
smooths over the odd request that only one or two examples resemble; nearest neighbours keep those. Score of
a department = mean cosine of its `K` closest examples (out-of-scope phrases count as one more class),
through a softmax at temperature `TAU`. On the dev split (script + 20/dept, 3 seeds) adding it took the
router from 89.1% to 90.7%; K=1/3/5/10 and TAU=30/50/100 were tried, K=3 and TAU=50 kept (K=10: no gain).
Pure numpy: the vectors come in already computed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

K = 3
TAU = 50.0
_CHUNK = 512  # queries at a time: bounds the similarity matrix to _CHUNK x examples floats


class NearestExamples:
    """Unit vectors of the training phrases, grouped by column (departments, then out-of-scope)."""

    def __init__(self, vectors: np.ndarray, columns: np.ndarray, n_columns: int) -> None:
        # Half precision: cosines to about 1e-3, half the bytes in Redis and in memory.
        self.vectors = np.asarray(vectors, dtype=np.float16)
        self.columns = np.asarray(columns, dtype=np.int32)
        self.n_columns = n_columns
        self._dense = self.vectors.astype(np.float32)
        self._groups = [np.flatnonzero(self.columns == c) for c in range(n_columns)]

    @classmethod
    def of(cls, vectors: np.ndarray, labels: Sequence[str], columns: Sequence[str]) -> NearestExamples:
        """From training vectors and each one's column name (a department, or the out-of-scope class)."""
        index = {c: i for i, c in enumerate(columns)}
        return cls(vectors, np.array([index[label] for label in labels]), len(columns))

    def probabilities(self, queries: np.ndarray) -> np.ndarray:
        """One row per query: a probability per column (softmax over the columns' top-K mean cosines)."""
        out = np.zeros((len(queries), self.n_columns))
        queries = np.asarray(queries, dtype=np.float32)
        for start in range(0, len(queries), _CHUNK):
            similarity = queries[start : start + _CHUNK] @ self._dense.T
            scores = np.full((len(similarity), self.n_columns), -1.0)
            for c, rows in enumerate(self._groups):
                if len(rows) == 0:
                    continue
                k = min(K, len(rows))
                top = np.partition(similarity[:, rows], len(rows) - k, axis=1)[:, -k:]
                scores[:, c] = top.mean(axis=1)
            scaled = TAU * scores
            scaled -= scaled.max(axis=1, keepdims=True)
            exp = np.exp(scaled)
            out[start : start + len(similarity)] = exp / exp.sum(axis=1, keepdims=True)
        return out
