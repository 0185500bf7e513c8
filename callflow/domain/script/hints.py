"""What the speech recogniser is told to expect at a prompt (Twilio's <Gather hints>), within Twilio's limit.

Kept apart from the engine, which asks for them at every prompt that listens: names, phrases, topics and
labels of the script in the call's language (the engine hands it the script in that language).
"""

from __future__ import annotations

from functools import lru_cache

from callflow.domain.script.model import OptionKind, Script

MAX_HINTS = 100
HINT_CHARACTERS = 500  # Twilio reads <Gather hints> up to 500 characters

__all__ = ["HINT_CHARACTERS", "MAX_HINTS", "fit_hints", "speech_hints"]


def speech_hints(script: Script) -> tuple[str, ...]:
    """Speech hints for the recogniser: department names, the departments' example phrases shortest first
    (more of them fit in Twilio's 500 characters; `fit_hints` keeps whole entries), then their topics and
    the labels of options leading to a department where room is left. Worked out once per script (version and
    language): every prompt that listens asks for them."""
    hints = script.derived.get("speech_hints")
    if hints is None:
        hints = script.derived["speech_hints"] = _speech_hints(script)
    return hints  # type: ignore[return-value]


def _speech_hints(script: Script) -> tuple[str, ...]:
    names = [d.name for d in script.departments.values()]
    topics = [d.topic for d in script.departments.values() if d.topic]
    labels = [o.label for m in script.menus.values() for o in m.options if o.kind == OptionKind.DEPARTMENT]
    # Round-robin over departments, so a long list in one does not crowd out the others.
    lists = [sorted(d.phrases, key=len) for d in script.departments.values()]
    phrases = [p[i] for i in range(max(map(len, lists), default=0)) for p in lists if i < len(p)]
    return tuple(dict.fromkeys(names + phrases + topics + labels))[:MAX_HINTS]


@lru_cache(maxsize=1024)  # a prompt's hints are the same on every call that reaches it
def fit_hints(hints: tuple[str, ...]) -> tuple[str, ...]:
    """The first hints, whole, that fit in Twilio's 500 characters once joined with ", " (TwiML cuts there)."""
    kept: list[str] = []
    used = 0
    for hint in hints:
        cost = len(hint) + (2 if kept else 0)
        if used + cost > HINT_CHARACTERS:
            continue  # a shorter one further on may still fit
        kept.append(hint)
        used += cost
    return tuple(kept)
