"""Reading the few short answers the engine understands without steering: yes, no, a key, a person.

Twilio's speech recogniser often hears "one" for a key press or "yes." with a full stop; callers
also say "agent" in any menu. Everything else goes to call steering.
"""

from __future__ import annotations

import re

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
}
PERSON_MAX_WORDS = 5  # longer sentences usually say what the call is about: let steering decide


def normalise(text: str) -> str:
    """Lower-case words, apostrophes kept, punctuation dropped."""
    return " ".join(re.findall(r"[a-z0-9']+|[*#]", text.lower()))


def is_yes(text: str) -> bool:
    """A short 'yes'."""
    words = normalise(text)
    return words in YES or (words.split()[:1] == ["yes"] and len(words.split()) <= 3)


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
    """A short request for a person ("agent", "can I speak to someone")."""
    words = normalise(text).split()
    return len(words) <= PERSON_MAX_WORDS and any(w in PERSON for w in words)
