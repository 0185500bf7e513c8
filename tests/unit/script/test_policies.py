"""A line's callback and hold policies, as written in its script: who is rung first, how hard we try, the pacing."""

from __future__ import annotations

from callflow.domain.script.lint import lint_text
from callflow.domain.script.loader import load_script_text
from callflow.domain.script.model import CallbackFirst, CallbackPolicy, HoldPolicy
from callflow.domain.script.problems import Severity

from .test_lint import BASE, edit


def test_without_a_policy_a_line_rings_the_customer_first_three_times_five_then_fifteen_minutes_apart():
    script = load_script_text(BASE)
    assert script.callbacks == CallbackPolicy(CallbackFirst.CUSTOMER, 3, (5, 15), 30)
    assert [script.callbacks.retry_after(n) for n in (1, 2, 3)] == [300, 900, None]
    assert script.hold == HoldPolicy(30, 60, 1200)


def test_a_line_sets_its_own_callback_policy_and_a_department_may_ring_its_agent_first():
    script = load_script_text(edit(
        {8: "    hours: always\n    callback_first: agent"},
        append="callbacks: {first: customer, attempts: 4, retry_minutes: [2, 10], ring_seconds: 25}\n"))
    assert script.callbacks.attempts == 4 and script.callbacks.ring_seconds == 25
    assert script.callback_first("desk") is CallbackFirst.AGENT
    assert script.callbacks.first is CallbackFirst.CUSTOMER
    # after the 1st and 2nd unanswered attempts the written waits, then the last one again, then we give up
    assert [script.callbacks.retry_after(n) for n in (1, 2, 3, 4)] == [120, 600, 600, None]


def test_a_single_attempt_never_retries():
    script = load_script_text(edit(append="callbacks: {attempts: 1, retry_minutes: []}\n"))
    assert script.callbacks.retry_after(1) is None


def test_the_hold_pacing_is_the_lines_own():
    script = load_script_text(edit(append="hold: {short_wait_seconds: 90, update_every_seconds: 45, "
                                          "max_hold_seconds: 600}\n"))
    assert script.hold == HoldPolicy(90, 45, 600)


def test_a_line_sets_how_long_a_caller_waits_for_an_agent_of_their_language():
    assert load_script_text(BASE).hold.interpreter_after_seconds == 120
    script = load_script_text(edit(append="hold: {interpreter_after_seconds: 45}\n"))
    assert script.hold.interpreter_after_seconds == 45


def test_an_interpreter_wait_out_of_range_is_reported_with_its_field_and_line():
    (problem,) = [p for p in lint_text(edit(append="hold:\n  interpreter_after_seconds: 7200\n"))
                  if p.severity is Severity.ERROR]
    assert (problem.field, problem.line) == ("hold.interpreter_after_seconds", 15)
    assert problem.message == "must be between 0 and 3600, got 7200"
