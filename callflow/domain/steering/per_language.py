"""One router per language of a bilingual line: a caller's words are steered by the router of their language.

Why not one router over both languages' phrases: the Spanish phrases shift the English model's vocabulary
weights, and English callers would be steered differently from before (one confirmation pair of the unit tests
changed). Each language's router is trained only on its own phrases and the learned examples found in it, and
the words pick the router with `find_language` (the same reading that switched the call), so an English caller
is steered exactly as on a line of one language.
"""

from __future__ import annotations

import hashlib
import pickle
import zlib
from collections.abc import Callable, Sequence

from callflow.domain.steering.decision import SteeringDecision
from callflow.domain.steering.language import find_language
from callflow.domain.steering.policy import SteeringPolicy

FORMAT = b"callflow-languages-1\n"


class LanguageRouters:
    """A line's routers by language (its own first), answering as one router does."""

    def __init__(self, routers: dict) -> None:
        self.routers = dict(routers)
        self.languages = tuple(self.routers)
        self.version = hashlib.sha256(
            "|".join(f"{language}:{router.version}" for language, router in self.routers.items()).encode()
        ).hexdigest()[:16]

    def router_for(self, text: str):
        """The router of the language the words are in (the line's first when they do not say)."""
        return self.routers[find_language(text, self.languages).language]

    def steer(self, text: str) -> SteeringDecision:
        """Where the words send the caller, by their language's router."""
        return self.router_for(text).steer(text)

    def steer_many(self, texts: Sequence[str]) -> list[SteeringDecision]:
        """`steer` for each of several utterances."""
        return [self.steer(text) for text in texts]

    def rank(self, text: str) -> list[tuple[str, float]]:
        """Departments by probability, by the words' language's router."""
        return self.router_for(text).rank(text)

    def rank_many(self, texts: Sequence[str]) -> list[list[tuple[str, float]]]:
        """`rank` for each of several utterances."""
        return [self.rank(text) for text in texts]

    @property
    def policy(self) -> SteeringPolicy:
        """The thresholds (the same in every language)."""
        return self.routers[self.languages[0]].policy

    @property
    def kind(self) -> str:
        """The kind of model each language's router is."""
        return self.routers[self.languages[0]].kind

    @property
    def departments(self) -> list[str]:
        """Every department any language's router can send a caller to."""
        return sorted({d for router in self.routers.values() for d in router.departments})

    @property
    def classes(self) -> list[str]:
        """Every class (department or department/topic) any language's router learned, first seen first."""
        return list(dict.fromkeys(c for router in self.routers.values() for c in router.classes))

    def with_policy(self, policy: SteeringPolicy) -> LanguageRouters:
        """The same routers with other thresholds."""
        return LanguageRouters({language: r.with_policy(policy) for language, r in self.routers.items()})

    def to_bytes(self) -> bytes:
        """Each language's router's own bytes, in the line's order."""
        payload = [(language, router.to_bytes()) for language, router in self.routers.items()]
        return FORMAT + zlib.compress(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL), 1)

    @classmethod
    def from_bytes(cls, data: bytes, load: Callable[[bytes], object]) -> LanguageRouters:
        """Read what `to_bytes` wrote; `load` reads one router's bytes (`Router.from_bytes`)."""
        if not data.startswith(FORMAT):
            raise ValueError("not a callflow language routers payload")
        payload = pickle.loads(zlib.decompress(data[len(FORMAT):]))
        return cls({language: load(raw) for language, raw in payload})
