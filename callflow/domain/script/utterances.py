"""Reading the few short answers the engine understands without steering: yes, no, a key, a person, a choice.

Twilio's speech recogniser often hears "one" for a key press or "yes." with a full stop; callers
also say "agent" in any menu, and answer "is this about X, or about Y?" as people do: "yeah", "the
second one", "the fee", "neither". Everything else goes to call steering.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

YES = {"yes", "yeah", "yep", "yes please", "sure", "correct", "that's right", "that's it", "please"}
NO = {"no", "nope", "no thanks", "no thank you", "something else", "neither"}
KEYS = {
    "zero": "0",
    "oh": "0",
    "one": "1",
    "two": "2",
    "to": "2",
    "too": "2",
    "three": "3",
    "four": "4",
    "for": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "star": "*",
    "hash": "#",
    "pound": "#",
}
KEY_LEAD = ("press ", "option ", "number ")
PERSON = {
    "agent",
    "operator",
    "person",
    "human",
    "representative",
    "adviser",
    "advisor",
    "someone",
    "somebody",
    "anyone",
    "anybody",
    "staff",
}
# The words around a request for a person ("can I speak to someone", "a real person please"). A sentence made
# only of these and a person is that request; any other word says what the call is about ("someone has stolen
# my card", "someone used my card"), and steering, which knows the departments, decides.
PERSON_FRAME = {
    "a", "an", "the", "to", "with", "can", "could", "may", "i", "i'd", "id", "i'm", "im", "would", "like", "want",
    "wanna", "need", "speak", "talk", "chat", "get", "put", "me", "through", "connect", "let", "please", "just",
    "real", "live", "actual", "human", "proper", "member", "of", "your", "customer", "service", "services",
    "is", "there", "now", "right", "hi", "hello", "um", "uh", "er", "yes", "okay", "ok", "oh", "some", "one",
    "actually", "really", "speaking", "talking", "do", "you", "have", "be", "being", "go",
}
PERSON_MAX_WORDS = 12  # a longer sentence says more than "a person, please"
# The same answers from a caller answered in Spanish (issue 24), accents folded as `normalise` folds them. None
# is an English word, so an English caller's answers read as before.
YES |= {"si", "si por favor", "claro", "claro que si", "correcto", "asi es", "eso es", "exacto", "de acuerdo"}
NO |= {"no gracias", "otra cosa", "ninguno", "ninguna"}
KEYS |= {"cero": "0", "uno": "1", "dos": "2", "tres": "3", "cuatro": "4", "cinco": "5", "seis": "6", "siete": "7",
         "ocho": "8", "nueve": "9", "asterisco": "*", "estrella": "*", "numeral": "#", "gato": "#"}
KEY_LEAD += ("oprima ", "marque ", "opcion ", "numero ", "el ")
PERSON |= {"agente", "operador", "operadora", "persona", "humano", "representante", "asesor", "asesora", "alguien"}
PERSON_FRAME |= {"quiero", "quisiera", "hablar", "con", "un", "una", "por", "favor", "comuniqueme", "comunicame",
                 "paseme", "pasame", "necesito", "real", "de", "verdad", "servicio", "al", "cliente", "puedo",
                 "gustaria", "hola", "oiga", "si", "ahora", "ya", "otra"}
# Answers to "is this about X, or about Y?". "Yes" takes the first named (the caller heard "is this about X"
# and agreed); a bare "no" turned the first down, and of the two offered the second is what remains (often
# the catch-all "something else"); "neither" asks again. Ordinals name a position; names and topics a choice.
AGREE = YES | {"yup", "yeah please", "yes it is", "yeah it is", "right", "exactly", "uh huh", "mm hmm",
               "absolutely", "definitely", "yes that's right", "yeah that's right", "yes correct"}
DENY = {"no", "nope", "nah", "no thanks", "no thank you", "not really", "no it's not", "no it isn't", "it's not",
        "it isn't", "not that", "no not that", "no not that one", "wrong"}
YES_NO_WORDS = {"yes", "yeah", "yep", "yup", "no", "nope", "nah", "not", "isn't"}
NEITHER = -1  # the answer turned both choices down
NEITHER_WORDS = {"neither", "none", "nor"}
POSITIONS = {"first": 0, "1st": 0, "former": 0, "top": 0, "second": 1, "2nd": 1, "latter": 1, "last": 1,
             "other": 1, "bottom": 1}
FILLERS = {"um", "umm", "uh", "er", "erm", "hmm", "well", "so", "actually", "oh", "ah", "okay", "ok", "just",
           "please", "thanks", "thank", "you", "i", "think", "guess", "mean", "it's", "its", "it", "is", "was",
           "that's", "that", "this", "the", "a", "an", "about", "one", "option", "choice", "with", "my", "your",
           "to", "for", "of", "and", "or", "do", "don't", "i'm", "me", "on", "in", "sorry"}
# In Spanish, as above.
AGREE |= {"si", "si es", "si es eso", "asi es", "eso es", "exacto", "correcto", "claro"}
DENY |= {"no es eso", "eso no", "no no es", "para nada"}
YES_NO_WORDS |= {"si"}
NEITHER_WORDS |= {"ninguno", "ninguna", "ni"}
POSITIONS |= {"primero": 0, "primera": 0, "segundo": 1, "segunda": 1, "ultimo": 1, "ultima": 1, "otro": 1,
              "otra": 1}
FILLERS |= {"eh", "este", "pues", "bueno", "el", "la", "los", "las", "un", "una", "de", "del", "sobre", "por",
            "favor", "gracias", "es", "mi", "su", "lo", "que", "con", "y", "o", "opcion", "se", "trata", "perdon"}
CHOICE_MAX_WORDS = 4  # words beyond fillers: a longer answer is a reason in its own right, for steering


def normalise(text: str) -> str:
    """Lower-case words, apostrophes kept, punctuation dropped, accents folded ("sí" is "si", as recognisers
    often write it)."""
    folded = "".join(c for c in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z0-9']+|[*#]", folded))


def is_yes(text: str) -> bool:
    """A short 'yes'."""
    words = normalise(text)
    return words in YES or (words.split()[:1] in (["yes"], ["si"]) and len(words.split()) <= 3)


def is_no(text: str) -> bool:
    """A short 'no'."""
    words = normalise(text)
    return words in NO or (words.split()[:1] == ["no"] and len(words.split()) <= 3)


def spoken_key(text: str) -> str | None:
    """The key a caller said instead of pressing it ("one", "press 2", "star"), if that is all they said."""
    words = normalise(text)
    for lead in KEY_LEAD:
        words = words.removeprefix(lead)
    if len(words) == 1 and (words.isdigit() or words in "*#"):
        return words
    return KEYS.get(words)


def asks_for_person(text: str) -> bool:
    """A request for a person and nothing else ("agent", "can I speak to someone", "a real person please")."""
    words = normalise(text).split()
    return (len(words) <= PERSON_MAX_WORDS and any(w in PERSON for w in words)
            and all(w in PERSON or w in PERSON_FRAME for w in words))


def asks_for_callback(text: str) -> bool:
    """Words asking to be called back ("a callback please", "call me back"), not turning one down."""
    words = normalise(text)
    return (re.search(r"\b(?:callback|call ?back|call me|ring me)\b", words) is not None
            and not re.search(r"\b(?:no|not|don't|dont|never)\b", words))


def choice(text: str, choices: Sequence[Sequence[str]]) -> int | None:
    """Which of the named `choices` (each: its names and topics) a short answer picks, by index.

    NEITHER when it turns them all down; None when it is not a short answer to the question (steer it).
    """
    words = normalise(text).split()
    content = [w for w in words if w not in FILLERS]
    if not content:
        return None
    if NEITHER_WORDS & set(content) and len(content) <= CHOICE_MAX_WORDS:
        return NEITHER
    picked = named(text, choices)
    if picked is not None:
        return picked
    plain = [w for w in content if w not in YES_NO_WORDS]
    if len(plain) == 1 and plain[0] in POSITIONS and POSITIONS[plain[0]] < len(choices):
        return POSITIONS[plain[0]]
    phrase = " ".join(words)
    if phrase in AGREE or " ".join(content) in AGREE:
        return 0
    if phrase in DENY or " ".join(content) in DENY or (content[0] in ("no", "nope", "nah") and not plain):
        return 1 if len(choices) == 2 else None
    return None


def named(text: str, choices: Sequence[Sequence[str]]) -> int | None:
    """The one choice a short answer names ("the fee", "transfers"), by index; None when none stands out.

    Words of several choices count for none ("card" in "your card" and "a lost card").
    """
    content = [w for w in normalise(text).split() if w not in FILLERS]
    if not content or len(content) > CHOICE_MAX_WORDS:
        return None
    vocab = [{_stem(w) for phrase in names for w in normalise(phrase).split() if w not in FILLERS}
             for names in choices]
    shared = {w for i, v in enumerate(vocab) for w in v if any(w in o for j, o in enumerate(vocab) if j != i)}
    said = {_stem(w) for w in content} - shared
    scores = [len(said & v) for v in vocab]
    best = max(scores, default=0)
    if best == 0 or scores.count(best) > 1:
        return None
    return scores.index(best)


def _stem(word: str) -> str:
    """Singular, roughly: "fees" and "fee", "top-ups" and "top-up" are the same word to a caller."""
    return word[:-1] if len(word) >= 3 and word.endswith("s") and not word.endswith("ss") else word
