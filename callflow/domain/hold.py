"""The hold manager's words and choices: ask before hold, promise an honest wait, keep the promise or say so.

Pure: the web layer passes the department, the promise (from the estimator) and the caller's answers; this
module says what the caller hears. The customer-service rules it follows: ask permission and say why, give
a realistic estimate, come back when it is broken and offer the choice again, thank the caller for holding.
"""

from __future__ import annotations

from enum import Enum

from callflow.domain.actions import Gather, Play, Say
from callflow.domain.estimates import Estimate
from callflow.domain.promise_words import HumanPromise, human_promise

# The pacing (when to skip the question, how often to update, the longest hold) is each line's own:
# `HoldPolicy` in the script (callflow/domain/script/model.py).
CHOICE_HINTS = ("hold", "I'll hold", "call me back", "callback")


class HoldChoice(str, Enum):
    """What the caller chose when asked."""

    HOLD = "hold"
    CALLBACK = "callback"
    VOICEMAIL = "voicemail"  # offered only after the longest hold (`long_hold_offer`)
    UNCLEAR = "unclear"


Promise = float | Estimate | HumanPromise  # the words chosen, an estimate, or a bare figure (said as a bound)


def human_wait(promise: Promise) -> str:
    """A promise a person can hear ("about 4 minutes", "less than 90 seconds"): the words already chosen, an
    estimate's (its promise and expected wait), or a bare figure's as a bound (`callflow/domain/promise_words.py`)."""
    if isinstance(promise, HumanPromise):
        return promise.words
    if isinstance(promise, Estimate):
        return human_promise(promise.to_say, promise.point_seconds).words
    return human_promise(promise).words


def busy_reason(department_name: str) -> str:
    """Why the caller must wait, said plainly."""
    return f"All our {department_name} advisers are helping other customers."


def ask_to_hold(department_name: str, promise: Promise, again: bool = False) -> Gather:
    """Ask permission to hold, with the reason and the estimate, offering a callback instead."""
    lead = "Sorry, I didn't catch that. " if again else busy_reason(department_name) + " "
    question = (f"{lead}Your wait should be {human_wait(promise)}. Would you like to hold, or shall we call you "
                "back when it's your turn? Press 1 or say 'hold'. Press 2 or say 'call me back'.")
    return Gather((Say(question),), hints=CHOICE_HINTS, purpose="hold")


def short_wait(department_name: str, promise: Promise) -> Say:
    """No question for a short wait: just say so."""
    return Say(f"{busy_reason(department_name)} You should be through in {human_wait(promise)}. Please hold.")


def understand(digits: str | None, speech: str | None) -> HoldChoice:
    """Read the caller's answer to 'hold or call back?'."""
    if digits:
        return {"1": HoldChoice.HOLD, "2": HoldChoice.CALLBACK, "3": HoldChoice.VOICEMAIL}.get(digits[:1],
                                                                                              HoldChoice.UNCLEAR)
    words = (speech or "").lower()
    if any(w in words for w in ("call me back", "call back", "callback", "ring me")):
        return HoldChoice.CALLBACK
    if "message" in words or "voicemail" in words:
        return HoldChoice.VOICEMAIL
    if "hold" in words or "wait" in words or words.strip() in ("yes", "yeah", "ok", "okay"):
        return HoldChoice.HOLD
    return HoldChoice.UNCLEAR


def music(url: str, play_seconds: float, fill_seconds: float) -> Play:
    """The line's hold music looped to fill about `fill_seconds` (one play at least): a caller who hears
    nothing for long thinks they were cut off and hangs up."""
    return Play(url, loop=max(1, round(fill_seconds / max(play_seconds, 1.0))))


def holding(update: str | None, tune: Play) -> Gather:
    """What plays while holding: an optional short update, then music until the next one; 2 or 'call me back'
    at any moment."""
    prompts = ((Say(update),) if update else ()) + (tune,)
    return Gather(prompts, hints=CHOICE_HINTS, timeout=1, purpose="holding")


def connecting(tune: Play, first: bool) -> list:
    """An agent is being rung: say so once, and play music meanwhile (not silence); the wait music is asked
    for again when it ends, so a ring that fails is heard about within one play."""
    return ([Say("One moment while I connect you.")] if first else []) + [tune]


def ring_unanswered(department_name: str, fresh_promise: Promise, ask: bool) -> Say | Gather:
    """The agent we rang did not answer: say so, and ask again before holding (the caller agreed to be put
    through, not to wait on), with the estimate from where they are now; a short wait is just said."""
    sorry = "I'm sorry, I couldn't connect you just now."
    if not ask:
        return Say(f"{sorry} {busy_reason(department_name)} You should be through in {human_wait(fresh_promise)}. "
                   "Please hold.")
    question = (f"{sorry} {busy_reason(department_name)} Your wait should be {human_wait(fresh_promise)}. Would "
                "you like to hold, or shall we call you back when it's your turn? Press 1 or say 'hold'. Press 2 "
                "or say 'call me back'.")
    return Gather((Say(question),), hints=CHOICE_HINTS, purpose="holding")


def hold_update(position: int, promise: Promise | None) -> str:
    """A short update: the wait (unless none can be said honestly), and the position only when someone is
    ahead (never to the head caller)."""
    ahead = f"There {'is' if position == 2 else 'are'} {position - 1} caller{'s' if position > 2 else ''} " \
            "ahead of you. " if position > 1 else ""
    wait = f"Your wait should be {human_wait(promise)}. " if promise is not None else ""
    return f"Thank you for holding. {ahead}{wait}To be called back instead, press 2 or say 'call me back'."


def promise_broken(department_name: str, fresh_promise: Promise) -> Gather:
    """The promise passed without an agent: apologise, give a fresh estimate, and offer the choice again."""
    question = (f"I'm sorry, your wait is taking longer than I said. {busy_reason(department_name)} From where you "
                f"are in line now, it should be {human_wait(fresh_promise)}. Would you like to keep holding, or "
                "shall we call you back when it's your turn? Press 1 or say 'hold'. Press 2 or say 'call me back'.")
    # asked from the hold music: the caller is already in the queue, so "hold" just carries on holding
    return Gather((Say(question),), hints=CHOICE_HINTS, purpose="holding")


def long_hold_offer(department_name: str) -> Gather:
    """After the longest hold we ask callers to bear: say sorry, and offer a callback or a message."""
    question = (f"I'm sorry you have been holding so long. {busy_reason(department_name)} You can keep holding, "
                "or we can call you back when it's your turn, or you can leave a message. Press 1 or say 'hold' "
                "to keep holding. Press 2 or say 'call me back'. Press 3 or say 'leave a message'.")
    return Gather((Say(question),), hints=CHOICE_HINTS + ("leave a message",), purpose="holding")


def thanks_for_holding() -> Say:
    """Said when an agent picks up, only to callers who held."""
    return Say("Thank you for holding. I'm connecting you now.")
