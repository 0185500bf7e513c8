"""The call-steering router: a caller's words in, a department (or "ask again") out.

TF-IDF over word 1-2 grams and character 2-5 grams (within words, so misheard or misspelt words still share
most of their pieces) feeding a linear SVM. It trains in half a second on a script plus a few hundred
examples (2.6 s on ten thousand), answers in a fraction of a millisecond on one CPU, and needs only
scikit-learn. Besides the departments it learns one more class, out-of-scope requests (`background.py`),
so that "what's the weather tomorrow" is recognised as nothing we handle instead of landing in whichever
department happens to be nearest. SVM margins are turned
into probabilities with a fixed-temperature softmax: calibrated enough for `SteeringPolicy`'s thresholds.

Finer labels: a key "department/topic" in the training examples (or a `topics` mapping text -> topic) makes
a second model learn the topic as a class of its own; `rank` and `steer` add the topics' probabilities up per
department and average them with the department model's (two views of the same words: +0.6 points on
Banking77, 5-fold cross-validation on its train split). Agents' transfers only carry departments, so a
department with hundreds of examples and no topics gets pseudo-topics instead (`subtopics.py`: k-means in a
latent-semantic space), which gets about half of that gain without anyone labelling intents.

`Router.train(..., kind="embeddings")` gives the optional heavier router (`embeddings.py`: sentence embeddings
averaged with this one); its encoder (torch) is imported only when asked for, so the default install stays
light. What both kinds share (ranking, the training set, the version hash) is in `ranking.py`.
"""

from __future__ import annotations

import pickle
import zlib
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
import sklearn
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from callflow.domain.steering.embeddings import EMBEDDINGS_POLICY, EmbeddingRouter
from callflow.domain.steering.labels import OUT_OF_SCOPE, department_of
from callflow.domain.steering.per_language import FORMAT as LANGUAGES_FORMAT
from callflow.domain.steering.per_language import LanguageRouters
from callflow.domain.steering.policy import FINE_POLICY, SteeringPolicy
from callflow.domain.steering.ranking import (
    BACKGROUND_WEIGHT,
    EMBEDDINGS_FORMAT,
    FORMAT,
    TEMPERATURE,
    BaseRouter,
    to_departments,
    training_set,
    version_of,
)
from callflow.domain.steering.subtopics import pseudo_topics

KINDS = ("tfidf", "embeddings")
_SEED = 0
_ONE_BY_ONE = 8  # up to this many utterances, the fast path beats scikit-learn's batch transform


def _features() -> FeatureUnion:
    """Word and character features, both read without accents (issue 24: Spanish speech recognisers often drop
    them, "perdi" for "perdí"; English phrases have none, so English routers are as before)."""
    return FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, strip_accents="unicode")),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2,
                                      strip_accents="unicode")),
        ]
    )


class Router(BaseRouter):
    """A trained router; build one with `Router.train`, or `Router.from_bytes` for one trained elsewhere.

    One or two linear models ("heads") over the same features: departments, and, when there are topics,
    topics. Their weights sit side by side in one float32 matrix, so the second head costs one wider
    product, not a second pass over the words.
    """

    def __init__(
        self,
        features: FeatureUnion,
        weights: np.ndarray,
        intercept: np.ndarray,
        heads: list[list[str]],
        policy: SteeringPolicy,
        version: str,
    ) -> None:
        self._features = features
        self._weights = np.ascontiguousarray(weights, dtype=np.float32)  # features x all heads' classes
        self._intercept = np.asarray(intercept, dtype=np.float64)
        self._heads = [list(h) for h in heads]
        self.policy = policy
        self.version = version
        self._set_classes(self._heads[-1])
        self._slices, self._maps, start = [], [], 0
        for head in self._heads:
            self._slices.append(slice(start, start + len(head)))
            self._maps.append(to_departments(head, self._departments))
            start += len(head)
        # Derived, never serialised: what the one-utterance fast path needs from the fitted vectorizers.
        self._blocks = []
        offset = 0
        for _, vectorizer in features.transformer_list:
            vocabulary = vectorizer.vocabulary_
            self._blocks.append((vectorizer.build_analyzer(), vocabulary, vectorizer.idf_, offset))
            offset += len(vocabulary)

    @classmethod
    def train(
        cls,
        examples: Mapping[str, Sequence[str]],
        background: Sequence[str] | None = None,
        policy: SteeringPolicy | None = None,
        *,
        topics: Mapping[str, str] | None = None,
        kind: str = "tfidf",
        subtopics: bool = True,
    ) -> BaseRouter:
        """Train on department id -> phrases; `background` defaults to the shipped out-of-scope phrases.

        Keys may be "department/topic", or `topics` may give a phrase's topic: a second model then learns
        topics, summed per department. Departments with hundreds of phrases and no topics get pseudo-topics
        unless `subtopics=False`. `kind="embeddings"` trains the optional sentence-embedding router.
        """
        if kind not in KINDS:
            raise ValueError(f"unknown router kind {kind!r}: one of {', '.join(KINDS)}")
        if kind == "embeddings":  # built on a TF-IDF router trained on the same examples, at the same policy
            policy = policy or EMBEDDINGS_POLICY
            tfidf = cls.train(examples, background, policy, topics=topics, subtopics=subtopics)
            return EmbeddingRouter.train(tfidf, examples, background, policy, topics=topics)
        texts, labels = training_set(examples, background, topics)
        features = _features()
        matrix = features.fit_transform(texts)
        fine = labels
        if subtopics:
            fine = pseudo_topics(matrix, labels)
        coarse = [department_of(label) for label in labels]
        heads, weights, intercepts = [], [], []
        for head_labels in [coarse] + ([fine] if fine != coarse else []):
            classes, coef, intercept = _fit_head(matrix, head_labels)
            heads.append(classes)
            weights.append(coef.T)
            intercepts.append(intercept)
        policy = policy or (FINE_POLICY if len(heads) > 1 else SteeringPolicy())
        return cls(
            features,
            np.hstack(weights),
            np.concatenate(intercepts),
            heads,
            policy,
            version_of(texts, fine, policy),
        )

    @property
    def kind(self) -> str:
        return "tfidf"

    def _margins_one(self, text: str) -> np.ndarray:
        """Every head's margins for one utterance without scikit-learn's per-call overhead (~2 ms -> ~0.1 ms).

        Same arithmetic as FeatureUnion(TfidfVectorizer...).transform times the weights: sublinear tf
        times idf, each block l2-normalised, then the linear models; tests hold the two paths equal.
        """
        margins = self._intercept.copy()
        for analyse, vocabulary, idf, offset in self._blocks:
            counts = Counter(i for i in map(vocabulary.get, analyse(text)) if i is not None)
            if not counts:
                continue
            columns = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * idf[
                columns
            ]
            values /= np.sqrt(values @ values)
            margins += values @ self._weights[offset + columns]
        return margins

    def _margins(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) <= _ONE_BY_ONE:
            return np.stack([self._margins_one(t) for t in texts])
        matrix = sparse.csr_matrix(self._features.transform(texts), dtype=np.float64)
        return np.asarray(matrix @ self._weights, dtype=np.float64) + self._intercept

    def _probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Department probabilities, then the out-of-scope probability in the last column.

        Each head's margins become probabilities by a fixed-temperature softmax, are added up per
        department, and the heads are averaged with equal weight.
        """
        margins = self._margins(texts)
        total = np.zeros((len(texts), len(self._departments) + 1))
        for columns, into_departments in zip(self._slices, self._maps, strict=True):
            scaled = TEMPERATURE * margins[:, columns]
            scaled -= scaled.max(axis=1, keepdims=True)
            exp = np.exp(scaled)
            total += (exp / exp.sum(axis=1, keepdims=True)) @ into_departments
        return total / len(self._slices)

    def with_policy(self, policy: SteeringPolicy) -> Router:
        """The same model with other thresholds (for tuning and what-if questions)."""
        return Router(self._features, self._weights, self._intercept, self._heads, policy, self.version)

    def to_bytes(self) -> bytes:
        """Serialise for Redis or the database; only ever load bytes this project wrote (it is a pickle)."""
        payload = {
            "sklearn": sklearn.__version__,
            "version": self.version,
            "policy": (self.policy.unknown_below, self.policy.route_at),
            "features": self._features,
            "weights": self._weights,
            "intercept": self._intercept,
            "heads": self._heads,
        }
        return FORMAT + zlib.compress(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL), 6)

    @classmethod
    def from_bytes(cls, data: bytes) -> BaseRouter:
        """Load what `to_bytes` wrote; refuses other formats and other scikit-learn versions (retrain then)."""
        if data.startswith(EMBEDDINGS_FORMAT):  # its TF-IDF router inside is loaded here, version checked
            return EmbeddingRouter.from_bytes(data, cls.from_bytes)
        if data.startswith(LANGUAGES_FORMAT):  # a bilingual line's routers, each loaded here
            return LanguageRouters.from_bytes(data, cls.from_bytes)
        if not data.startswith(FORMAT):
            raise ValueError("not a callflow router (unknown format header)")
        payload = pickle.loads(zlib.decompress(data[len(FORMAT) :]))
        if payload["sklearn"] != sklearn.__version__:
            raise ValueError(
                f"router was trained with scikit-learn {payload['sklearn']}, this is {sklearn.__version__}: "
                "retrain it"
            )
        policy = SteeringPolicy(*payload["policy"])
        return cls(
            payload["features"],
            payload["weights"],
            payload["intercept"],
            payload["heads"],
            policy,
            payload["version"],
        )


def _fit_head(matrix, labels: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """One linear SVM: its classes, weights (classes x features) and intercepts.

    Balanced weights: a department with 20 phrases must not be drowned by one with 2,000 or by the
    out-of-scope class (itself weighted down, `BACKGROUND_WEIGHT`); liblinear with a fixed seed makes training reproducible.
    """
    counts = Counter(labels)
    weights = {c: len(labels) / (len(counts) * n) for c, n in counts.items()}
    if OUT_OF_SCOPE in weights:
        weights[OUT_OF_SCOPE] *= BACKGROUND_WEIGHT
    model = LinearSVC(C=1.0, class_weight=weights, random_state=_SEED).fit(matrix, labels)
    classes = [str(c) for c in model.classes_]
    coef, intercept = model.coef_, model.intercept_
    if len(classes) == 2:  # liblinear gives one margin, for classes_[1]
        coef, intercept = np.vstack([-coef[0], coef[0]]), np.array([-intercept[0], intercept[0]])
    return classes, coef, intercept
