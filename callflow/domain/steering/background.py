"""Out-of-scope phrases: what callers ask that no department of the bank handles.

The router learns these as a class of their own. A threshold on the best department's score alone cannot
tell "what's the weather tomorrow" from a vague banking question, because a linear model trained only on
banking phrases is often quite sure about things it has never seen. The phrases ship with the package
(`data/out_of_scope.txt`, from CLINC150's train split, CC BY 3.0; see the file's header). A language with a
file of its own (`data/out_of_scope_es.txt`, Spanish, written for this project: issue 24) adds its phrases for
that language's router: trained on English strangers alone, the Spanish router confirmed four Spanish strangers
in five instead of asking again.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

_OWN = {"es": "data/out_of_scope_es.txt"}  # language (its first part, "es" of "es-US") -> its own phrases


@cache
def _load(name: str = "data/out_of_scope.txt") -> tuple[str, ...]:
    text = resources.files("callflow.domain.steering").joinpath(name).read_text("utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def out_of_scope_phrases(language: str | None = None) -> list[str]:
    """The shipped out-of-scope phrases, in file order; for a language with phrases of its own ("es-US"),
    those follow (callers mix English words in, so the English phrases stay)."""
    own = _OWN.get((language or "").split("-")[0].lower())
    return list(_load()) + (list(_load(own)) if own else [])
