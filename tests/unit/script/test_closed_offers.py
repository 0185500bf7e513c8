"""Callers at night: a stolen card reaches the fraud line, and a closed department offers what can be done on the
call (the departments open now, a callback, a message) instead of telling the caller to ring back (issue 25)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from callflow.domain.actions import Hangup, OfferCallback, RouteToDepartment, Voicemail
from callflow.domain.events import Digits, Speech
from callflow.domain.script import utterances
from callflow.domain.script.lint import lint_text
from callflow.domain.script.problems import Severity
from callflow.domain.script.state import Stage

from .conftest import CLOSED, OPEN
from .test_engine import call, routed
from .test_lint import edit

STOLEN = ["someone has stolen my card", "someone used my card", "somebody stole my card",
          "someone has used my card", "I think someone used my card"]
PERSON = ["can I speak to someone", "agent", "a real person please", "I want to speak to someone", "operator",
          "can I talk to an adviser", "put me through to a person", "is there anyone I can talk to",
          "I just want to talk to a real person", "Representative!"]


def fraud_steer(text):
    """The real router's answer for these wordings (`callflow route` says fraud, 1.00)."""
    from callflow.domain.steering.decision import SteeringDecision, SteeringKind

    if "card" in text.lower():
        return SteeringDecision(SteeringKind.ROUTE, "fraud", 1.0)
    return SteeringDecision(SteeringKind.UNKNOWN, None, 0.1)


@pytest.mark.parametrize("words", STOLEN)
def test_a_sentence_about_someone_is_not_a_request_for_a_person(words):
    assert not utterances.asks_for_person(words)


@pytest.mark.parametrize("words", PERSON)
def test_a_request_for_a_person_is_still_one(words):
    assert utterances.asks_for_person(words)


@pytest.mark.parametrize("words", STOLEN)
@pytest.mark.parametrize("now", [OPEN, CLOSED], ids=["day", "night"])
def test_a_stolen_card_reaches_the_fraud_line_day_and_night(bank, words, now):
    assert routed(call(bank, Speech(words), now=now, steer=fraud_steer)).department == "fraud"


@pytest.mark.parametrize("words", PERSON)
def test_a_request_for_a_person_reaches_the_operator_in_the_day(bank, words):
    assert routed(call(bank, Speech(words), steer=fraud_steer)).department == "general"


def offer(step) -> OfferCallback:
    assert isinstance(step.actions[-1], OfferCallback), step.actions
    return step.actions[-1]


def offer_words(step) -> str:
    return " ".join(p.text for p in offer(step).prompts)


def test_the_closed_operator_offers_the_fraud_line_a_callback_and_a_message(bank):
    step = call(bank, Speech("can I speak to someone"), now=CLOSED)
    assert step.state.stage == Stage.CLOSED_OFFER and step.state.choices == ("fraud",)
    assert offer_words(step) == (
        "Fraud and Security is open now: for a lost card or a payment you don't recognise, press 4. "
        "We can call you back when we open. To be called back on this number when we open, press 1. "
        "To choose the time of the call, press 3. Or stay on the line to leave a message.")
    assert not any(isinstance(a, Hangup) for a in step.actions)


@pytest.mark.parametrize("answer", [Digits("4"), Speech("four"), Speech("fraud please"), Speech("a lost card"),
                                    Speech("my card was stolen")])
def test_the_caller_takes_the_open_department_by_key_name_or_reason(bank, answer):
    step = call(bank, Speech("agent"), answer, now=CLOSED, steer=fraud_steer)
    assert routed(step) == RouteToDepartment("fraud", "fraud", f"Customer Service closed, chose Fraud and Security; "
                                             f"said: {answer.text if isinstance(answer, Speech) else 'agent'}")
    assert step.state.stage == Stage.DONE and step.state.path[-2:] == ("open-now:fraud", "department:fraud")


@pytest.mark.parametrize("answer", [Digits("1"), Digits("3"), Speech("one"), Speech("I'd like a callback")])
def test_any_other_answer_is_left_to_the_callback_and_the_message(bank, answer):
    asked = call(bank, Speech("agent"), now=CLOSED)
    step = call(bank, Speech("agent"), answer, now=CLOSED, steer=fraud_steer)
    assert step.actions == () and step.state.stage == Stage.CLOSED_OFFER
    assert step.state.department == asked.state.department == "general"


def test_a_department_that_only_takes_messages_offers_the_open_line_first(bank):
    step = call(bank, Digits("3"), Digits("2"), now=CLOSED)
    assert not offer(step).callback and offer(step).open_now == ("fraud",)
    assert offer_words(step).endswith("press 4. Or stay on the line to leave a message.")


def test_a_closed_message_is_followed_by_the_offer_not_a_goodbye(bank):
    step = call(bank, Digits("2"), Digits("2"), now=CLOSED)
    assert offer(step).callback and "Acme app" in step.actions[0].text


def test_with_nothing_open_the_department_keeps_its_own_rule(bank):
    script = replace(bank, departments={k: v for k, v in bank.departments.items() if k != "fraud"})
    step = call(script, Digits("3"), Digits("2"), now=CLOSED)
    assert step.actions[-1] == Voicemail("account") and step.state.stage == Stage.DONE


def test_the_clinic_offers_its_night_nurses_with_a_capital(clinic):
    late = CLOSED.replace(hour=5)  # Saturday 23:00 in Chicago: reception closed, the after-hours nurses open
    step = call(clinic, Digits("0"), now=late)
    assert offer_words(step).startswith("The After-hours Nurse Service is open now: for an urgent health question, "
                                        "press 4.")


RING_BACK = [
    "If your card is lost or stolen, call back and press 4 at any time.",
    "We're closed. Please call us back tomorrow.",
    "Nobody is here. Try again later.",
    "Please ring back in the morning.",
]


@pytest.mark.parametrize("message", RING_BACK)
def test_the_linter_warns_on_a_closed_message_that_says_call_back(message):
    text = edit({8: f'    hours: {{weekly: {{mon: ["09:00-17:00"]}}}}\n'
                    f'    when_closed: {{action: message, message: "{message}"}}'})
    problems = [p for p in lint_text(text, "night.yaml") if "call" in p.message or "again" in p.message]
    assert [(p.field, p.line, p.severity) for p in problems] == [
        ("departments.desk.when_closed.message", 9, Severity.WARNING)]
    assert "offered the departments open now, a callback and a message" in problems[0].message


def test_the_linter_lets_a_closed_message_promise_our_callback():
    text = edit({8: '    hours: {weekly: {mon: ["09:00-17:00"]}}\n'
                    '    when_closed: {action: message, message: "We are closed. We will call you back."}'})
    assert lint_text(text) == []


def test_callflow_route_at_night_shows_the_offer_the_caller_hears(bank):
    from callflow.domain.script.preview import preview

    heard = preview(bank, fraud_steer, "can I speak to someone", CLOSED).caller_hears
    assert heard.startswith("Customer Service is closed now. We open again at 8 am tomorrow. Fraud and Security is "
                            "open now: for a lost card or a payment you don't recognise, press 4.")


@pytest.mark.parametrize(("words", "asks"), [("a callback please", True), ("call me back", True),
                                             ("can you ring me when you open", True), ("no callback", False),
                                             ("don't call me", False), ("my card was stolen", False)])
def test_a_spoken_request_for_a_callback_at_the_offer(words, asks):
    assert utterances.asks_for_callback(words) is asks
