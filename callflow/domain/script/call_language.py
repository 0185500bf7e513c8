"""Which of a line's languages a call speaks: the keypad choices the main menu offers, and the switch a caller's
own words make (issue 24).

A call starts in the line's first language, or in a known customer's own when the line speaks it
(`known_language`). At the main menu each other language is offered on its key, in its
own words and voice (`Script.language_keys`: 8, then 7 and 6); a caller who presses it is answered in it for
the rest of the call. A caller who just speaks is read by `find_language`: words found in another of the line's
languages switch the call to it, and are steered in it, unless the caller chose a language on the keypad.
"""

from __future__ import annotations

from dataclasses import replace

from callflow.domain.actions import Say
from callflow.domain.languages import of_line
from callflow.domain.script.model import Script
from callflow.domain.script.state import CallState
from callflow.domain.script.translated import in_language
from callflow.domain.steering.language import find_language


def known_language(script: Script, language: str | None) -> str:
    """The line's language to greet a known customer in: theirs, matched on the base language where the line
    speaks another variant of it (an es-MX customer on an es-US line); the line's first otherwise."""
    return of_line(language, script.spoken()) or script.language


def language_choices(script: Script, current: str) -> tuple[Say, ...]:
    """Each other language's key, said in that language by its own voice ("Para español, oprima 8."): a caller
    who does not speak the line's first language knows from the first menu that theirs is here, and one
    answered in the wrong language finds the way back, wherever the main menu (where the keys work) is read."""
    choices = []
    for key, language in script.language_keys(current).items():
        theirs = in_language(script, language)
        choices.append(Say(theirs.message("language_choice", key=key), voice=theirs.voice, language=language))
    return tuple(choices)


def switched_by_words(script: Script, state: CallState, text: str) -> tuple[Script, CallState]:
    """The script and state to answer these words in: a caller who speaks another of the line's languages is
    answered in it from these words on (and steered by them); one who chose a language on the keypad keeps
    it, and words that do not say (a tie, "okay", a name) keep the call's language."""
    if len(script.spoken()) < 2 or state.language_chosen:
        return script, state
    found = find_language(text, script.spoken(), state.language)
    if not found.decided or found.language == state.language:
        return script, state
    state = replace(state, language=found.language, path=state.path + (f"language:{found.language}:words",))
    return in_language(script, found.language), state
