"""The hold manager's words and choices: ask before hold, promise an honest wait, keep the promise or say so.

Pure: the service passes the line's script in the caller's language (`in_language`), the department, the
promise (from the estimator) and the caller's answers; this module says what the caller hears, in the line's
words (`messages.py`: `hold_*`, overridable and translatable like every message) and its voice for that
language. The customer-service rules it follows: ask permission and say why, give a realistic estimate, come
back when it is broken and offer the choice again, thank the caller for holding.
"""

from __future__ import annotations

import re
import unicodedata
from enum import Enum

from callflow.domain.actions import Gather, Play, Say
from callflow.domain.estimates import Estimate
from callflow.domain.languages import base
from callflow.domain.promise_words import HumanPromise, human_promise
from callflow.domain.script.model import Script
from callflow.domain.script.own_words import say, voiced

# The pacing (when to skip the question, how often to update, the longest hold) is each line's own:
# `HoldPolicy` in the script (callflow/domain/script/model.py).
CHOICE_HINTS = ("hold", "I'll hold", "call me back", "callback")
MESSAGE_HINT = "leave a message"


class HoldChoice(str, Enum):
    """What the caller chose when asked."""

    HOLD = "hold"
    CALLBACK = "callback"
    VOICEMAIL = "voicemail"  # offered only after the longest hold (`long_hold_offer`)
    UNCLEAR = "unclear"


# How callers answer "hold or call back?" in each language callflow ships, accents ignored; a line in another
# language is understood by the keypad (and English words). Callback words come first: "call me back, I
# can't wait" asks for a callback.
_ANSWERS = {
    "en": {
        HoldChoice.CALLBACK: ("call me back", "call back", "callback", "ring me"),
        HoldChoice.VOICEMAIL: ("message", "voicemail"),
        HoldChoice.HOLD: ("hold", "wait"),
    },
    "es": {
        HoldChoice.CALLBACK: ("llamenme", "llameme", "devuelvan", "devuelva", "devolver", "regresen la llamada",
                              "me llaman", "me llamen", "llamar despues", "llamada de vuelta"),
        HoldChoice.VOICEMAIL: ("mensaje", "buzon", "recado"),
        HoldChoice.HOLD: ("espero", "esperar", "espera", "aguardo"),
    },
}
_YES = {"en": ("yes", "yeah", "ok", "okay"), "es": ("si", "vale", "bueno", "de acuerdo", "claro", "ok")}
_HINTS = {
    "en": CHOICE_HINTS,
    "es": ("esperar", "espero", "llámenme", "devuélvanme la llamada"),
}
_MESSAGE_HINTS = {"en": MESSAGE_HINT, "es": "dejar un mensaje"}


def _hints(script: Script) -> tuple[str, ...]:
    """What the recogniser is told to expect, in the caller's language (English words for a language without)."""
    return _HINTS.get(base(script.language), CHOICE_HINTS)


def _question(script: Script, text: str, message: bool = False, purpose: str = "hold") -> Gather:
    """A spoken question the caller answers by key or in words, recognised in their language."""
    hints = _hints(script) + ((_MESSAGE_HINTS.get(base(script.language), MESSAGE_HINT),) if message else ())
    return Gather((voiced(script, text),), hints=hints, language=script.language, purpose=purpose)


Promise = float | Estimate | HumanPromise  # the words chosen, an estimate, or a bare figure (said as a bound)


def human_wait(promise: Promise, script: Script | None = None) -> str:
    """A promise a person can hear ("about 4 minutes", "less than 90 seconds", "aproximadamente 4 minutos"): the
    words already chosen, an estimate's (its promise and expected wait), or a bare figure's as a bound
    (`callflow/domain/promise_words.py`), in the line's words for its language (English without a script)."""
    if isinstance(promise, Estimate):
        promise = human_promise(promise.to_say, promise.point_seconds)
    elif not isinstance(promise, HumanPromise):
        promise = human_promise(promise)
    return promise.said(script.message if script is not None else None)


def busy_reason(script: Script, department_name: str) -> str:
    """Why the caller must wait, said plainly."""
    return script.message("hold_busy", department=department_name)


def ask_to_hold(script: Script, department_name: str, promise: Promise, again: bool = False) -> Gather:
    """Ask permission to hold, with the reason and the estimate, offering a callback instead."""
    lead = script.message("hold_again") if again else busy_reason(script, department_name)
    return _question(script, f"{lead} {script.message('hold_ask', wait=human_wait(promise, script))}")


def short_wait(script: Script, department_name: str, promise: Promise) -> Say:
    """No question for a short wait: just say so."""
    return voiced(script, f"{busy_reason(script, department_name)} "
                        f"{script.message('hold_short', wait=human_wait(promise, script))}")


def accepted(script: Script) -> Say:
    """The caller agreed to hold."""
    return voiced(script, script.message("hold_accepted"))


def understand(digits: str | None, speech: str | None, language: str | None = None) -> HoldChoice:
    """Read the caller's answer to 'hold or call back?': a key, or words in their language (or English)."""
    if digits:
        return {"1": HoldChoice.HOLD, "2": HoldChoice.CALLBACK, "3": HoldChoice.VOICEMAIL}.get(digits[:1],
                                                                                              HoldChoice.UNCLEAR)
    folded = unicodedata.normalize("NFKD", (speech or "").lower())
    words = " ".join(re.findall(r"[a-z0-9']+", "".join(c for c in folded if not unicodedata.combining(c))))
    bases = dict.fromkeys((base(language or "en"), "en"))
    for choice in (HoldChoice.CALLBACK, HoldChoice.VOICEMAIL, HoldChoice.HOLD):
        if any(phrase in words for base in bases for phrase in _ANSWERS.get(base, {}).get(choice, ())):
            return choice
    if any(words == yes for base in bases for yes in _YES.get(base, ())):
        return HoldChoice.HOLD
    return HoldChoice.UNCLEAR


def music(url: str, play_seconds: float, fill_seconds: float) -> Play:
    """The line's hold music looped to fill about `fill_seconds` (one play at least): a caller who hears
    nothing for long thinks they were cut off and hangs up."""
    return Play(url, loop=max(1, round(fill_seconds / max(play_seconds, 1.0))))


def holding(script: Script, update: str | None, tune: Play) -> Gather:
    """What plays while holding: an optional short update, then music until the next one; 2 or 'call me back'
    at any moment."""
    prompts = ((voiced(script, update),) if update else ()) + (tune,)
    return Gather(prompts, hints=_hints(script), timeout=1, language=script.language, purpose="holding")


def connecting(script: Script | None, tune: Play, first: bool) -> list:
    """An agent is being rung: say so once, and play music meanwhile (not silence); the wait music is asked
    for again when it ends, so a ring that fails is heard about within one play."""
    return ([voiced(script, say(script, "hold_connecting"))] if first else []) + [tune]


def ring_unanswered(script: Script, department_name: str, fresh_promise: Promise, ask: bool) -> Say | Gather:
    """The agent we rang did not answer: say so, and ask again before holding (the caller agreed to be put
    through, not to wait on), with the estimate from where they are now; a short wait is just said."""
    sorry = f"{script.message('hold_ring_unanswered')} {busy_reason(script, department_name)}"
    wait = human_wait(fresh_promise, script)
    if not ask:
        return voiced(script, f"{sorry} {script.message('hold_short', wait=wait)}")
    return _question(script, f"{sorry} {script.message('hold_ask', wait=wait)}", purpose="holding")


def hold_update(script: Script, position: int, promise: Promise | None) -> str:
    """A short update: the wait (unless none can be said honestly), and the position only when someone is
    ahead (never to the head caller)."""
    parts = [script.message("hold_update")]
    if position == 2:
        parts.append(script.message("hold_ahead_one"))
    elif position > 2:
        parts.append(script.message("hold_ahead", callers=position - 1))
    if promise is not None:
        parts.append(script.message("hold_update_wait", wait=human_wait(promise, script)))
    parts.append(script.message("hold_way_out"))
    return " ".join(parts)


def promise_broken(script: Script, department_name: str, fresh_promise: Promise) -> Gather:
    """The promise passed without an agent: apologise, give a fresh estimate, and offer the choice again."""
    question = (f"{script.message('hold_broken')} {busy_reason(script, department_name)} "
                f"{script.message('hold_broken_ask', wait=human_wait(fresh_promise, script))}")
    # asked from the hold music: the caller is already in the queue, so "hold" just carries on holding
    return _question(script, question, purpose="holding")


def long_hold_offer(script: Script, department_name: str) -> Gather:
    """After the longest hold we ask callers to bear: say sorry, and offer a callback or a message."""
    question = (f"{script.message('hold_long')} {busy_reason(script, department_name)} "
                f"{script.message('hold_long_ask')}")
    return _question(script, question, message=True, purpose="holding")


def thanks_for_holding(script: Script | None) -> Say:
    """Said when an agent picks up, only to callers who held."""
    return voiced(script, say(script, "hold_answered"))


def queue_full(script: Script, department_name: str, partner: bool) -> Say:
    """The department's line is full: say so, then where the caller goes (a partner team, or call again)."""
    then = script.message("queue_full_partner" if partner else "queue_full_goodbye")
    return voiced(script, f"{script.message('queue_full', department=department_name)} {then}")
