"""What a caller says is not what they would type: find the words that carry the reason.

Callers open with fillers ("um", "so yeah"), start again ("I want to sorry I mean..."), tell a story and
give the reason at the end, or give two reasons in one breath. Read whole, such an utterance is mostly words
no department was taught, and the out-of-scope class wins: the caller is asked to say it again. So the router
also reads the utterance's clauses (split where speakers change course: "so", "but", "sorry", "I mean",
"anyway", "and also"...) and the tail after each split, and when the whole is not understood it steers on
the clause that is most plainly about one department (`ranking.BaseRouter`). An utterance that is understood
whole is steered whole, so written requests keep their answers. Measured on the spoken set of
`bench/routing_eval.py` (issue 23; tuned on the spoken twin of the dev split). Spanish callers' fillers,
openers and turns are in the same lists (issue 24; chosen on `bench/data/*_dev_es.csv`); accents are the
router's to ignore (`router._features`).
"""

from __future__ import annotations

import re

# Sounds and set phrases that carry no request, anywhere in the utterance; Spanish callers' too (issue 24:
# "eh", "oiga", "mire", "este", "o sea", "buenas tardes"), matched with or without their accents.
_FILLERS = re.compile(
    r"\b(?:u+m+|u+h+|e+r+m*|h+m+|m{2,}|uhm|you know|sort of|kind of|i mean|so yeah|yeah|okay|ok|hiya|hi|hello"
    r"|e+h+|e+m+|este|oiga|oye|mire|mira|pues|o sea|a ver|ajá|aja|hola|buenas tardes|buenas noches|buenos días"
    r"|buenos dias|buenas|señorita|senorita|joven|fíjese|fijese|verá|vera)\b",
    re.IGNORECASE,
)
# Openers that carry no request at the start of an utterance only ("right so", "well", "yes"; "bueno", "vale",
# "sí", "mire"...).
_OPENERS = re.compile(
    r"^(?:(?:right|well|yes|so|basically|like|bueno|vale|sí|si|entonces|y|nada|es que)\b[\s,]*)+",
    re.IGNORECASE,
)
# Where speakers change course: a restart, the end of a lead-in, a second reason ("pero", "o sea", "digo",
# "perdón", "es que", "y también", "y otra cosa" in Spanish).
_TURNS = re.compile(
    r"[.?!;]|\b(?:so|but|and then|basically|anyway|the thing is|long story short|sorry|i mean|no wait|"
    r"hang on|let me start again|and also|oh and|also|plus|and another thing|"
    r"pero|entonces|o sea|digo|no perdón|perdón|perdon|es que|el caso es que|bueno|y también|y tambien|"
    r"además|ademas|y otra cosa|y aparte|y luego|y después|y despues|porque)\b",
    re.IGNORECASE,
)
_MOST_PIECES = 6  # a bound on the work per utterance (each piece is one more pass over the features)


def normalise(text: str) -> str:
    """The utterance without fillers and empty openers (itself when nothing else is left)."""
    cleaned = " ".join(_OPENERS.sub("", " ".join(_FILLERS.sub(" ", text).split())).split())
    return cleaned or " ".join(text.split())


def pieces(text: str) -> list[str]:
    """The normalised utterance first, then its clauses of two words or more and the tails after each turn."""
    whole = normalise(text)
    parts = [p.strip(" ,") for p in _TURNS.split(whole)]
    parts = [p for p in parts if len(p.split()) >= 2]
    if len(parts) < 2:
        return [whole]
    tails = [" ".join(parts[i:]) for i in range(1, len(parts) - 1)]
    found: list[str] = [whole]
    for piece in reversed(parts + tails):  # the end of what a caller says matters most: keep it when bounded
        if piece not in found:
            found.append(piece)
    return found[:_MOST_PIECES]
