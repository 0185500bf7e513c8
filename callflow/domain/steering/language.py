"""Which of a line's languages a caller speaks, from the first words the speech recogniser returned.

A bilingual line (issue 24) answers in the caller's language without a keypad choice: "perdí mi tarjeta" is
answered in Spanish, "I lost my card" in English. The words are few, spoken, often without accents (as
recognisers write them) and mixed ("mi card", "el top up"), so the model reads them the way a listener
does, in three tiers of evidence, each explainable word by word (`LanguageFound.evidence`):

- grammar words (2 points for each language that has them): "mi", "el", "que", "quiero", "oiga" against
  "my", "the", "I'm", "want", "um". They say which language the caller builds sentences in, which is the
  language to answer in: "mi card no funciona" is Spanish with an English noun in it;
- everyday and banking words (1 point): "tarjeta", "cajero", "saldo" against "card", "cash", "balance";
- any other word: its character 1-3-grams scored against the two word lists (naive Bayes, log-odds averaged
  over the word's n-grams, capped at 1 point), so "bloquearon" and "transferencia" lean Spanish, "withdrawing"
  and "thingy" English, and accented letters count for Spanish.

Words both languages' callers say ("no", "ok", "a", "me", "pin", "app") carry nothing. When the best language
leads by less than `MARGIN` (one banking word against nothing is enough; "no", "okay" or a name are not), the
caller keeps their current language, or the line's first one: a tie never switches a caller.

Why not a library: the lock file has none; the small pure-Python ones (langid.py and its fork py3langid) are
trained on written text of 97 languages, ship megabytes of model, and answer "no" or "okay" with a guess;
lingua is accurate on short text but ships tens of megabytes per language. This model is two word lists
written for the project (`data/words_en.txt`, `data/words_es.txt`, a few hundred words each), tables built
once when the module is imported (about 20 ms), nothing trained at request time, and scoring is a
dictionary look-up per word (microseconds). Measured by `bench/routing_eval.py --sets language`
(docs/benchmarks.md, "Language found from the first words"). English and Spanish are the languages it knows;
a line whose languages it does not know keeps the current or first language.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

GRAMMAR = 2.0  # a function word, filler or phone word of one language
WORD = 1.0  # an everyday or banking word of one language
CHAR_CAP = 1.0  # the most an unknown word's spelling can say
MARGIN = 1.0  # the lead the best language needs over the next to be found; below it the caller keeps theirs
_SMOOTHING = 0.5
# Said by callers of both languages: no evidence. Letters and numbers are dropped by the tokeniser.
SHARED = frozenset(
    ["no", "ok", "okay", "okey", "a", "me", "he", "son", "pin", "app", "atm", "online", "email", "internet",
     "paypal", "visa", "mastercard", "google", "apple", "chip", "hotel", "cheque", "euro", "bizum", "zelle",
     "venmo", "wifi"]
)
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
KNOWN = ("en", "es")


@dataclass(frozen=True)
class LanguageFound:
    """The language to answer in, how sure the words make it, and whether the words decided it."""

    language: str  # one of the line's languages, as the line spells it ("es-US")
    confidence: float  # the words' probability for it (softmax of the scores); 0.5 when nothing was said
    decided: bool  # False: too little evidence, the current (or the line's first) language was kept
    evidence: tuple[tuple[str, str, float], ...] = ()  # (word, language, points) for each word that counted


def _fold(word: str) -> str:
    """The word without accents, as recognisers often write it ("perdí" -> "perdi"; "ñ" -> "n")."""
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def _grams(word: str) -> list[str]:
    padded = f"<{word}>"
    return [padded[i : i + n] for n in (1, 2, 3) for i in range(len(padded) - n + 1)]


@dataclass(frozen=True)
class _Table:
    grammar: frozenset[str]
    words: frozenset[str]
    grams: dict[str, float]  # log P(n-gram | language)
    unseen: float


def _read(language: str) -> tuple[list[str], list[str]]:
    text = resources.files("callflow.domain.steering").joinpath(f"data/words_{language}.txt").read_text("utf-8")
    tiers: dict[str, list[str]] = {"grammar": [], "words": []}
    tier = "grammar"
    for line in text.splitlines():
        line = line.strip().lower()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            tier = line.strip("[]")
            continue
        tiers[tier].append(line)
    return tiers["grammar"], tiers["words"]


def _build() -> dict[str, _Table]:
    """The tables of the known languages: word sets (folded) and character n-gram log-probabilities."""
    read = {language: _read(language) for language in KNOWN}
    counts = {
        language: Counter(g for w in {*grammar, *words} if w not in SHARED for g in _grams(w))
        for language, (grammar, words) in read.items()
    }
    vocabulary = len(set().union(*counts.values()))
    tables = {}
    for language, (grammar, words) in read.items():
        total = sum(counts[language].values()) + _SMOOTHING * vocabulary
        tables[language] = _Table(
            grammar=frozenset(_fold(w) for w in grammar) - SHARED,
            words=frozenset(_fold(w) for w in words) - SHARED,
            grams={g: math.log((c + _SMOOTHING) / total) for g, c in counts[language].items()},
            unseen=math.log(_SMOOTHING / total),
        )
    return tables


_TABLES = _build()


@lru_cache(maxsize=65536)  # callers repeat words: a word's points are computed once per process
def _points(word: str, languages: tuple[str, ...]) -> tuple[tuple[str, float], ...]:
    """What one word says for each of the languages (only the languages it speaks for)."""
    tables = {language: _TABLES[language] for language in languages}
    folded = _fold(word)
    if folded in SHARED:
        return ()
    found = {language: GRAMMAR for language, table in tables.items() if folded in table.grammar}
    if not found:
        found = {language: WORD for language, table in tables.items() if folded in table.words}
    if found:
        return () if len(found) == len(tables) else tuple(found.items())
    if len(folded) < 3:  # too short to spell anything: "eh" is listed, "x", "th" are noise
        return ()
    grams = _grams(word)
    mean = {
        language: sum(table.grams.get(g, table.unseen) for g in grams) / len(grams)
        for language, table in tables.items()
    }
    average = sum(mean.values()) / len(mean)
    return tuple((language, min(CHAR_CAP, value - average)) for language, value in mean.items() if value > average)


def find_language(
    transcript: str, languages: Sequence[str], current: str | None = None
) -> LanguageFound:
    """The line's language the transcript is in; a tie keeps `current` (or the line's first language).

    `languages` are the line's codes ("en-US", "es-US"); only their first part is read. `current` is the
    language the call is in so far (None on the first words): short or mixed words keep it.
    """
    if not languages:
        raise ValueError("a line has at least one language")
    keep = current if current in languages else languages[0]
    by_code = {code.split("-")[0].lower(): code for code in reversed(languages)}
    known = tuple(language for language in by_code if language in _TABLES)
    if len(known) < 2:
        return LanguageFound(keep, 1.0, decided=False)
    scores = dict.fromkeys(known, 0.0)
    evidence = []
    for word in _TOKEN.findall(transcript.lower()):
        for language, points in _points(word, known):
            scores[language] += points
            evidence.append((word, by_code[language], round(points, 2)))
    ranked = sorted(scores, key=scores.get, reverse=True)
    top = max(scores.values())
    total = sum(math.exp(s - top) for s in scores.values())
    probability = {by_code[language]: math.exp(s - top) / total for language, s in scores.items()}
    if scores[ranked[0]] - scores[ranked[1]] < MARGIN:
        return LanguageFound(keep, probability.get(keep, 0.0), decided=False, evidence=tuple(evidence))
    best = by_code[ranked[0]]
    return LanguageFound(best, probability[best], decided=True, evidence=tuple(evidence))
