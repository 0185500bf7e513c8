"""What every kind of router shares: department probabilities in, ranked departments and a decision out.

Apart from `router.py` (the TF-IDF router, and the door that trains or loads either kind) and `embeddings.py`
(the optional sentence-embedding router, built on a TF-IDF one) so that both import it and neither imports the
other: the door names the embeddings router, which needs nothing of the door. Also here, for the same reason:
the training set both kinds learn from, the 0/1 map from a model's classes to departments, the format headers
their bytes start with, and the content hash that versions them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence

import numpy as np

from callflow.domain.steering.background import out_of_scope_phrases
from callflow.domain.steering.decision import SteeringDecision
from callflow.domain.steering.labels import OUT_OF_SCOPE, TOPIC, department_of
from callflow.domain.steering.labels import label as label_of
from callflow.domain.steering.policy import SteeringPolicy
from callflow.domain.steering.speech import pieces

FORMAT = b"callflow-router/3\n"  # written by router.Router; 3: words read without accents (issue 24), so older routers retrain
EMBEDDINGS_FORMAT = b"callflow-router-embeddings/2\n"  # written by embeddings.EmbeddingRouter
# The out-of-scope class's weight beside balanced departments' (`router._fit_head`). At 1 (balanced) its 2,300
# phrases outvoted a script's 25 per department: one caller in four (one in three when spoken) was asked to say
# it again. 0.1 (chosen on the dev split and its spoken twin, issue 23) turns away as many strangers.
BACKGROUND_WEIGHT = 0.1
TEMPERATURE = 5.0  # SVM margins are roughly in [-1.5, 1.5]; x5 spreads them into usable probabilities


class BaseRouter:
    """A trained router of either kind: `Router` (TF-IDF) or `EmbeddingRouter`; build one with `Router.train`,
    or `Router.from_bytes` for one trained elsewhere. A kind gives `_probabilities`: one row per utterance,
    its departments' probabilities then the out-of-scope one."""

    policy: SteeringPolicy
    version: str

    def _set_classes(self, classes: list[str]) -> None:
        """Columns of the finest model -> departments: topics add up into their department."""
        self._classes = classes
        self._departments = sorted({department_of(c) for c in classes if c != OUT_OF_SCOPE})

    def _probabilities(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError

    @property
    def kind(self) -> str:
        """"tfidf" or "embeddings"."""
        raise NotImplementedError

    def with_policy(self, policy: SteeringPolicy) -> BaseRouter:
        """The same model with other thresholds (for tuning and what-if questions)."""
        raise NotImplementedError

    def to_bytes(self) -> bytes:
        """Serialise for Redis or the database; `Router.from_bytes` reads either kind back."""
        raise NotImplementedError

    @property
    def departments(self) -> list[str]:
        """The department ids this router can send a caller to."""
        return list(self._departments)

    def _heard(self, texts: Sequence[str]) -> np.ndarray:
        """`_probabilities` for what callers say (`speech.py`): each utterance without fillers, and, when that
        is not understood (out-of-scope at least as likely as the best department), the clause or tail most
        plainly about one department. Clauses are read only for utterances not understood whole."""
        split = [pieces(text) for text in texts]
        heard = self._probabilities([found[0] for found in split])
        again = [i for i, found in enumerate(split) if len(found) > 1 and heard[i, :-1].max() <= heard[i, -1]]
        if again:
            rows = self._probabilities([piece for i in again for piece in split[i][1:]])
            start = 0
            for i in again:
                block = np.vstack([heard[i], rows[start : start + len(split[i]) - 1]])
                start += len(split[i]) - 1
                heard[i] = block[int(np.argmax(block[:, :-1].max(axis=1) - block[:, -1]))]
        return heard

    def _ranked(self, row: np.ndarray) -> tuple[list[tuple[str, float]], float]:
        dept = row[:-1]
        order = np.argsort(-dept, kind="stable")
        ranked = [(self._departments[i], float(dept[i])) for i in order]
        return ranked, float(row[-1])

    def rank(self, text: str) -> list[tuple[str, float]]:
        """Every department with its probability, best first; what is left over is the out-of-scope share."""
        return self.rank_many([text])[0]

    def rank_many(self, texts: Sequence[str]) -> list[list[tuple[str, float]]]:
        """`rank` for many utterances at once."""
        if not texts:
            return []
        return [self._ranked(row)[0] for row in self._heard(texts)]

    def steer(self, text: str) -> SteeringDecision:
        """Decide what to do with one utterance (the callable the IVR engine is given)."""
        return self.steer_many([text])[0]

    __call__ = steer

    def steer_many(self, texts: Sequence[str]) -> list[SteeringDecision]:
        """Decide for many utterances at once (benchmarks, bulk review); same answers as `steer`."""
        if not texts:
            return []
        return [self.policy.decide(*self._ranked(row)) for row in self._heard(texts)]

    @property
    def classes(self) -> list[str]:
        """The finest model's classes: departments or topics (pseudo-topics included), and out-of-scope."""
        return list(self._classes)


def to_departments(classes: Sequence[str], departments: Sequence[str]) -> np.ndarray:
    """0/1 matrix: a model's classes -> departments, and out-of-scope to the last column."""
    column = {d: i for i, d in enumerate(departments)}
    matrix = np.zeros((len(classes), len(departments) + 1))
    for i, c in enumerate(classes):
        matrix[i, len(departments) if c == OUT_OF_SCOPE else column[department_of(c)]] = 1.0
    return matrix


def training_set(
    examples: Mapping[str, Sequence[str]],
    background: Sequence[str] | None = None,
    topics: Mapping[str, str] | None = None,
) -> tuple[list[str], list[str]]:
    """Texts and their labels: departments (or "department/topic"), then the out-of-scope class."""
    if background is None:
        background = out_of_scope_phrases()
    topics = topics or {}
    texts: list[str] = []
    labels: list[str] = []
    for key in sorted(examples):
        if department_of(key) == OUT_OF_SCOPE or not department_of(key):
            raise ValueError(f"{key!r}: {OUT_OF_SCOPE!r} is reserved and departments need an id")
        for phrase in examples[key]:
            if phrase and phrase.strip():
                texts.append(phrase.strip())
                topic = topics.get(phrase) if TOPIC not in key else None
                labels.append(label_of(key, topic))
    texts += list(background)
    labels += [OUT_OF_SCOPE] * len(background)
    if len(set(labels)) < 2 or not any(label != OUT_OF_SCOPE for label in labels):
        raise ValueError("need phrases for at least one department and something to tell it from")
    return texts, labels


def version_of(texts: list[str], labels: list[str], policy: SteeringPolicy, kind: str = "tfidf") -> str:
    """A content hash: same training data and settings give the same version, on any machine."""
    digest = hashlib.sha256()
    digest.update(FORMAT)
    if kind != "tfidf":
        digest.update(kind.encode())
    digest.update(json.dumps([TEMPERATURE, policy.unknown_below, policy.route_at]).encode())
    digest.update(f"background={BACKGROUND_WEIGHT}".encode())
    for label, text in sorted(zip(labels, texts, strict=True)):
        digest.update(f"{label}\t{text}\n".encode())
    return digest.hexdigest()[:16]
