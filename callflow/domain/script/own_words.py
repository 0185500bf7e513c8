"""callflow's own words where a line's script may be missing: a worker texting for a line no script answers any
more, an apology when reading the script is what failed. With a script they are its messages in its language
(its overrides included); without one, callflow's English, for the company "us"."""

from __future__ import annotations

from callflow.domain.actions import Say
from callflow.domain.script.messages import DEFAULT_MESSAGES


def say(script, name: str, /, **values: object) -> str:
    """One of callflow's messages, in the script's language when there is a script (`Script.message`)."""
    if script is not None:
        return script.message(name, **values)
    return DEFAULT_MESSAGES[name].format(**{"company": "us", **values})


def voiced(script, *texts: str) -> Say:
    """Sentences said together in the line's voice for the script's language (the caller's, for a script in
    their language: `in_language`); Twilio's default voice when there is no script."""
    text = " ".join(texts)
    return Say(text) if script is None else Say(text, voice=script.voice, language=script.language)
