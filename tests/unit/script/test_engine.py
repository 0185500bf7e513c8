"""The call's state machine, driven directly as Twilio's webhooks would drive it, on the Acme Bank script."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from callflow.domain.actions import Dial, Gather, Hangup, OfferCallback, RouteToDepartment, Say
from callflow.domain.events import CallStarted, Digits, HungUp, NoInput, Speech
from callflow.domain.script.engine import handle, start
from callflow.domain.script.model import OptionKind
from callflow.domain.script.state import CallState, Stage

from .conftest import CLOSED, OPEN, keyword_steer

CALL = CallStarted(caller="+447700900123", called="+442079460100")


def call(script, *events, now=OPEN, started=CALL, steer=keyword_steer):
    """Play a call through the engine, checking the state survives JSON (Redis) after every step."""
    step = start(script, started, now, steer)
    for event in events:
        state = CallState.from_dict(json.loads(json.dumps(step.state.to_dict())))
        assert state == step.state
        step = handle(script, state, event, now, steer)
    return step


def spoken(step) -> str:
    """Everything the caller hears in a step, prompts inside a Gather included."""
    texts = []
    for action in step.actions:
        prompts = action.prompts if isinstance(action, Gather) else (action,)
        texts += [p.text for p in prompts if isinstance(p, Say)]
    return " ".join(texts)


def routed(step):
    return next(a for a in step.actions if isinstance(a, RouteToDepartment))


def keypad_walk(script):
    """Every option of every menu, with the keys that reach it from the main menu."""
    paths, frontier = [], [(script.main_menu, "")]
    while frontier:
        menu_id, keys = frontier.pop(0)
        for option in script.menus[menu_id].options:
            paths.append((keys + option.key, option))
            if option.kind == OptionKind.MENU:
                frontier.append((option.target, keys + option.key))
    return paths


def test_every_option_of_every_menu_by_keypad(bank):
    walked = keypad_walk(bank)
    assert len(walked) == 18
    for keys, option in walked:
        step = call(bank, *[Digits(k) for k in keys])
        last = step.actions[-1]
        if option.kind == OptionKind.MENU:
            assert isinstance(last, Gather) and step.state.menu == option.target
            assert bank.menus[option.target].prompt in spoken(step)
        elif option.kind == OptionKind.DEPARTMENT:
            assert routed(step).department == option.target
            assert f"I'll put you through to {bank.departments[option.target].name}." in spoken(step)
        elif option.kind == OptionKind.MESSAGE:
            assert spoken(step).startswith(option.target) and isinstance(last, Gather)
        elif option.kind == OptionKind.DIAL:
            assert last == Dial(option.target)
        assert step.state.path[-1] in (
            f"department:{option.target}",
            f"menu:{option.target}",
            f"option:{step.state.menu}.{option.key}",
        )


@pytest.mark.parametrize(
    ("keys", "menu"), [("1", "cards"), ("2", "payments"), ("3", "account"), ("5", "info")]
)
def test_speech_reaches_the_right_department_from_every_menu(bank, keys, menu):
    step = call(bank, *[Digits(k) for k in keys], Speech("I want a refund for a jumper"))
    assert routed(step) == RouteToDepartment("card_payments", "card-payments", "I want a refund for a jumper")
    assert step.state.said == ("I want a refund for a jumper",) and step.state.menu == menu


@pytest.mark.parametrize(
    ("words", "department"),
    [
        ("how do I change my PIN", "cards"),
        ("my transfer is late", "payments"),
        ("a top-up failed", "top_ups"),
        ("the cash machine ate it", "cash_atm"),
        ("what exchange rate", "fees"),
        ("I forgot my passcode", "account"),
        ("my bag was stolen", "fraud"),
        ("I have a complaint", "general"),
    ],
)
def test_main_menu_speech_routes_at_once_and_says_where(bank, words, department):
    step = call(bank, Speech(words))
    assert routed(step).department == department
    assert spoken(step) == f"I'll put you through to {bank.departments[department].name}."


def test_main_menu_listens_for_keys_and_words_with_hints(bank):
    gather = call(bank).actions[0]
    assert gather.dtmf and gather.speech and gather.num_digits == 1
    assert "Cards" in gather.hints and len(set(gather.hints)) == len(gather.hints) <= 100
    assert any(h in bank.departments["fraud"].phrases for h in gather.hints)


def test_greeting_names_the_company_and_the_assistant(bank):
    assert spoken(call(bank)).startswith("Thank you for calling Acme Bank. I'm the automated assistant")


def test_known_customer_is_greeted_by_name(bank):
    step = call(bank, started=CallStarted("+447700900123", "+442079460100", customer_name="Priya"))
    assert spoken(step).startswith("Hello Priya, thank you for calling Acme Bank.")


@pytest.mark.parametrize(
    ("answer", "department", "stage"),
    [
        (Digits("1"), "fraud", Stage.DONE),
        (Speech("Yes please."), "fraud", Stage.DONE),
        (Digits("2"), None, Stage.MENU),
        (Speech("no"), None, Stage.MENU),
        (NoInput(), None, Stage.MENU),
        (Speech("actually it's about a transfer"), "payments", Stage.DONE),
        (Digits("0"), "general", Stage.DONE),
    ],
)
def test_returning_caller_is_offered_last_times_department_first(bank, answer, department, stage):
    started = CallStarted("+447700900123", "+442079460100", customer_name="Sam", last_department="fraud")
    first = call(bank, started=started)
    assert "Last time you spoke to our Fraud and Security team. To continue with them, press 1" in spoken(
        first
    )
    step = call(bank, answer, started=started)
    assert (step.state.department, step.state.stage) == (department, stage)
    if stage == Stage.MENU:
        assert bank.menus["main"].prompt in spoken(step) and "Sorry" not in spoken(step)


def test_unknown_last_department_is_not_offered(bank):
    step = call(bank, started=CallStarted("+447700900123", "+442079460100", last_department="mortgages"))
    assert step.state.stage == Stage.MENU and "Last time" not in spoken(step)


@pytest.mark.parametrize(
    ("event", "why"),
    [(NoInput(), "Sorry, I didn't hear anything."), (Digits("7"), "Sorry, that isn't one of the options.")],
)
def test_silence_or_wrong_keys_are_explained_repeated_then_the_safe_route(bank, event, why):
    for repeats in (1, 2):
        step = call(bank, Digits("1"), *[event] * repeats)
        assert spoken(step).startswith(why) and bank.menus["cards"].prompt in spoken(step)
        assert step.state.stage == Stage.MENU
    step = call(bank, Digits("1"), event, event, event)
    assert spoken(step) == "Let me put you through to someone who can help."
    assert routed(step).department == "general"


def test_star_repeats_without_counting_as_a_mistake(bank):
    step = call(bank, Digits("2"), Digits("9"), Digits("*"))
    assert spoken(step) == spoken(call(bank, Digits("2")))
    assert step.state.invalid == 1 and step.state.path[-1] == "repeat"


def test_hash_goes_back_one_menu_and_stays_at_the_top(bank):
    step = call(bank, Digits("1"), Digits("#"))
    assert step.state.menu == "main" and step.state.menu_stack == ()
    assert spoken(step) == spoken(call(bank)).split("person. ")[1]
    assert call(bank, Digits("#")).state.menu == "main"


@pytest.mark.parametrize("keys", ["0", "10", "30", "50"])
def test_zero_reaches_a_person_from_any_menu(bank, keys):
    step = call(bank, *[Digits(k) for k in keys])
    assert routed(step) == RouteToDepartment("general", "general", "asked for a person")


def test_asking_for_an_agent_by_voice_reaches_a_person(bank):
    assert routed(call(bank, Speech("Agent!"))).department == "general"


def test_saying_a_key_counts_as_pressing_it(bank):
    assert call(bank, Speech("two")).state.menu == "payments"


def test_info_message_is_said_then_the_menu_returns(bank):
    step = call(bank, Digits("5"), Digits("1"))
    assert spoken(step).startswith("Our advisers are available from 8 am") and step.state.menu == "info"
    assert isinstance(step.actions[-1], Gather)


def test_confirmation_names_both_departments_then_routes_on_the_key(bank):
    asked = call(bank, Speech("refund for a transfer"))
    assert spoken(asked) == (
        "Is this about a card payment, or about a transfer? Press 1 for Card Payments and "
        "Disputes, or 2 for Payments and Transfers."
    )
    assert asked.state.stage == Stage.CONFIRM
    step = call(bank, Speech("refund for a transfer"), Digits("2"))
    assert routed(step).department == "payments"


def test_confirmation_accepts_a_spoken_answer(bank):
    step = call(bank, Speech("refund for a transfer"), Speech("the refund"))
    assert routed(step).department == "card_payments"


def test_an_unclear_answer_to_the_confirmation_is_not_asked_again(bank):
    step = call(bank, Speech("refund for a transfer"), Speech("hmm, both really"))
    gather = step.actions[-1]
    assert "Let's use the keypad: press or say the number you want. To speak to someone, press 0." in spoken(step)
    assert "In a few words" not in spoken(step)  # no invitation to the free words that just failed
    assert gather.dtmf and gather.speech and "agent" in gather.hints and step.state.keypad_only


def test_a_second_confirm_decision_is_never_a_second_confirmation(bank):
    first = call(bank, Speech("refund for a transfer"), Digits("9"))
    again = handle(
        bank,
        CallState.from_dict(first.state.to_dict() | {"keypad_only": False, "stage": "menu"}),
        Speech("refund or transfer"),
        OPEN,
        keyword_steer,
    )
    assert again.state.stage == Stage.MENU and "for example" in spoken(again)


def test_not_understood_asks_once_with_examples_then_offers_the_keypad_and_a_person(bank):
    once = call(bank, Speech("what's the weather like"))
    example = bank.departments["cards"].phrases[0]
    assert spoken(once).startswith(
        "Sorry, I didn't understand that. In a few words, tell me what you're calling "
        f"about, for example '{example}'"
    )
    assert once.actions[-1].speech
    twice = call(bank, Speech("what's the weather like"), Speech("is it raining"))
    assert "To speak to someone, press 0." in spoken(twice) and twice.state.keypad_only
    after = call(bank, Speech("what's the weather like"), Speech("is it raining"), Digits("4"))
    assert routed(after).department == "fraud"


def test_without_steering_speech_falls_back_to_the_keypad(bank):
    step = call(bank, Speech("my card is broken"), steer=None)
    assert step.state.keypad_only and "press or say the number" in spoken(step)


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (
            "11",
            OfferCallback(
                "cards",
                "cards",
                "2026-03-09T08:00:00+00:00",
                "keypad: a new card, your PIN, or a card that isn't working",
                open_now=("fraud",),
                callback=True,
            ),
        ),
        # A department that takes messages offers what is open now first (a message stays the default).
        ("32", OfferCallback("account", "account", "2026-03-09T08:00:00+00:00",
                             "keypad: your personal details, identity checks or closing your account",
                             open_now=("fraud",), callback=False)),
        (
            "4",
            RouteToDepartment(
                "fraud", "fraud", "keypad: a lost or stolen card, or a payment you don't recognise"
            ),
        ),
    ],
)
def test_after_hours_each_department_does_what_its_script_says(bank, keys, expected):
    step = call(bank, *[Digits(k) for k in keys], now=CLOSED)
    last = step.actions[-1]
    if isinstance(last, OfferCallback):  # its words and hints: tests/unit/script/test_closed_offers.py
        last = replace(last, prompts=(), hints=())
    assert last == expected
    if not isinstance(expected, RouteToDepartment):
        assert "is closed now. We open again at 8 am tomorrow." in spoken(step)


def test_closed_department_custom_message_is_said_instead(bank):
    step = call(bank, Digits("2"), Digits("2"), now=CLOSED)
    assert spoken(step).startswith("Our top-up team is closed now.")
    assert step.state.outcome == "callback_offered"
    assert step.state.path[-3:] == ("closed:top_ups", "closed-offer:fraud", "callback-offered")


def test_a_closed_department_hands_over_to_another(clinic):
    late = CLOSED.replace(hour=4)  # Saturday 22:00 in Chicago: nurse line closed, after-hours service open
    step = call(clinic, Digits("3"), now=late)
    assert routed(step).department == "after_hours"
    assert step.state.path[-2:] == ("closed:nurse", "department:after_hours")


def test_hang_up_ends_quietly_and_later_events_do_nothing(bank):
    step = call(bank, Digits("1"), HungUp())
    assert step.actions == () and step.state.outcome == "caller_hung_up"
    assert handle(bank, call(bank, Digits("4")).state, Digits("1"), OPEN).actions == ()


def test_the_path_records_the_whole_call_for_the_summary(bank):
    step = call(bank, NoInput(), Digits("1"), Digits("#"), Speech("my PIN is blocked"))
    assert step.state.path == (
        "menu:main",
        "no-input",
        "option:main.1",
        "menu:cards",
        "back:main",
        "steer:route:cards:0.90",
        "department:cards",
    )
    assert (step.state.pressed, step.state.said) == (("1", "#"), ("my PIN is blocked",))


def test_a_call_runs_only_on_the_version_it_started_with(bank, clinic):
    with pytest.raises(ValueError, match="version"):
        handle(clinic, call(bank).state, Digits("1"), OPEN)


def test_clinic_hangup_option_says_goodbye(clinic):
    step = call(clinic, Digits("4"), Digits("9"))
    assert (
        spoken(step) == "Thank you for calling Riverside Family Clinic. Goodbye."
        and step.actions[-1] == Hangup()
    )
