"""What an agent hears before a caller joins them: who, what about, how long they waited (the whisper)."""

from __future__ import annotations


def who(info) -> str:
    """The caller as the agent hears them: their name if we know it, else their number digit by digit."""
    return info.name or " ".join(info.caller.lstrip("+"))


def whisper(info, department_name: str, now: float) -> str:
    """What the agent hears before the caller joins: who, what about, how long they waited."""
    waited = max(0, round((now - info.entered_at) / 60))
    text = f"{department_name} call from {who(info)}. "
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
