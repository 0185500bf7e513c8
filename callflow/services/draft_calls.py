"""An administrator's test call of the text in the editor, saved or not: the line rings their test phone and
the app answers it from that text (shared with every process by its version for the call's life)."""

from __future__ import annotations

from callflow.domain.errors import FieldError
from callflow.domain.script.loader import parse_script
from callflow.domain.script.problems import errors_in
from callflow.store import draft_calls


class TestCallRefused(FieldError):
    """A text that cannot be test-called yet, with the field at fault."""

    __test__ = False  # not a pytest class


def share_draft(rt, name: str, text: str):
    """Check a text and share it with every process; return its script and the line number to call from."""
    script, problems = parse_script(text, name)
    errors = errors_in(problems)
    if script is None or errors:
        first = errors[0]
        raise TestCallRefused("text", f"Fix line {first.line} first ({first.field}: {first.message}).")
    rt.share_text(script.version, text)
    numbers = script.numbers or (rt.scripts.current[name].numbers if name in rt.scripts.current else ())
    if not numbers:
        raise TestCallRefused("text", "The script answers no number: add one under line.numbers to test-call it.")
    return script, numbers[0]


def ring(rt, phone: str, line: str, url: str, login: str) -> str:
    """Place the test call from the line to the tester's phone; its sid."""
    call = rt.twilio.calls.create(to=phone, from_=line, url=url)
    draft_calls.placed_by(rt.redis, call.sid, login)
    return call.sid


def placed_by(rt, call_sid: str, login: str) -> bool:
    """Whether this administrator placed this test call (only they may drive it)."""
    return draft_calls.owner(rt.redis, call_sid) == login
