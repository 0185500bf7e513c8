"""What an agent hears before a caller joins them: who, what about, how long they waited (the whisper)."""

from __future__ import annotations


def who(info) -> str:
    """The caller as the agent hears them: their name if we know it, else their number digit by digit."""
    return info.name or " ".join(info.caller.lstrip("+"))


def whisper(info, department_name: str, now: float, language_note: str = "") -> str:
    """What the agent hears before the caller joins: who, what about, how long they waited; and, right after
    who, the caller's language when it is not the line's first ("Spanish-speaking caller, interpreter needed":
    `languages.caller_note`), so the agent greets them in it or brings in an interpreter before they speak."""
    waited = max(0, round((now - info.entered_at) / 60))
    text = f"{department_name} call from {who(info)}. "
    if language_note:
        text += f"{language_note}. "
    text += f"Waited {waited} minute{'s' if waited != 1 else ''}. " if waited else "No wait. "
    if info.said:
        text += f"They said: {info.said[-1]}."
    return text


def callback_whisper(info, department_name: str) -> str:
    """Agent-first: what the agent hears before we ring the customer they are calling back."""
    text = f"Callback to {who(info)}, for {department_name}. "
    if info.said:
        text += f"They said: {info.said[-1]}. "
    return text + "We're calling them now. Please stay on the line."
