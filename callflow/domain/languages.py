"""Who speaks what: the languages an agent takes calls in, and whether they can take a caller's.

A tag names a language and, after a dash, where it is spoken ("es-US", "es-MX"); an agent serves a caller
when they share the language, whatever the region: a Mexican Spanish speaker understands a caller the line
answers in US Spanish. An agent with no languages set makes no preference (they take any caller), so a centre
that never sets them distributes exactly as before languages existed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# What a script's `languages:` and an agent's languages are written in (BCP 47's common shape).
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
MAX_LANGUAGES_TEXT = 100  # the agents.languages column's width

# Said in the whisper and shown in the screen pop; a language without a name here is said as its tag.
NAMES = {
    "ar": "Arabic", "de": "German", "en": "English", "es": "Spanish", "fr": "French", "hi": "Hindi",
    "it": "Italian", "ja": "Japanese", "ko": "Korean", "nl": "Dutch", "pl": "Polish", "pt": "Portuguese",
    "ru": "Russian", "tl": "Tagalog", "uk": "Ukrainian", "vi": "Vietnamese", "zh": "Chinese",
}


def base(tag: str) -> str:
    """The language without its region: "es-US" -> "es" (what two speakers must share)."""
    return tag.split("-", 1)[0].lower()


def of_line(tag: str | None, spoken: tuple[str, ...]) -> str | None:
    """The line's own tag for a language ("es-MX" on a line that speaks es-US: "es-US"), or None when the line
    does not speak it."""
    if not tag:
        return None
    if tag in spoken:
        return tag
    return next((own for own in spoken if base(own) == base(tag)), None)


def read_languages(text: str | Iterable[str]) -> tuple[str, ...]:
    """An agent's languages from what a person typed ("en-US, es-MX" or a list); ValueError says what is wrong.

    Checked like a script's `languages:`, so a tag an agent is given can match the tags lines answer in."""
    parts = text.split(",") if isinstance(text, str) else list(text)
    tags: list[str] = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if not LANGUAGE_TAG.match(part):
            raise ValueError(f"'{part}' is not a language tag like en-US or es-US")
        if part in tags:
            raise ValueError(f"'{part}' is listed twice")
        tags.append(part)
    if len(",".join(tags)) > MAX_LANGUAGES_TEXT:
        raise ValueError(f"at most {MAX_LANGUAGES_TEXT} characters of tags")
    return tuple(tags)


def speaks(agent_languages: Iterable[str], caller_language: str) -> bool:
    """Whether an agent can take a caller without an interpreter: no language set on either side counts as yes."""
    languages = [base(tag) for tag in agent_languages if tag]
    return not caller_language or not languages or base(caller_language) in languages


def name(tag: str) -> str:
    """The language as an agent hears it named: "es-US" -> "Spanish"."""
    return NAMES.get(base(tag), tag)


def caller_note(caller_language: str, line_language: str, interpreter: bool) -> str:
    """What the agent is told of the caller's language: nothing when it is the line's first (every agent of
    the line speaks it), else "Spanish-speaking caller"; and, when the call came to them though they do not
    speak it (the line's interpreter wait had run out), that an interpreter is needed."""
    if not caller_language:
        return "Interpreter needed" if interpreter else ""
    if not interpreter and (not line_language or base(caller_language) == base(line_language)):
        return ""
    note = f"{name(caller_language)}-speaking caller"
    return note + ", interpreter needed" if interpreter else note
