"""Out-of-scope phrases: what callers ask that no department of the bank handles.

The router learns these as a class of their own. A threshold on the best department's score alone cannot
tell "what's the weather tomorrow" from a vague banking question, because a linear model trained only on
banking phrases is often quite sure about things it has never seen. The phrases ship with the package
(`data/out_of_scope.txt`, from CLINC150's train split, CC BY 3.0; see the file's header).
"""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def _load() -> tuple[str, ...]:
    text = resources.files("callflow.domain.steering").joinpath("data/out_of_scope.txt").read_text("utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def out_of_scope_phrases() -> list[str]:
    """The shipped out-of-scope phrases, in file order."""
    return list(_load())
