"""Every menu of the bank's script, walked by keypad and by speech through the local carrier.

The caller hears what Twilio would play and answers as a person would; we check where they end up (the
department's queue) and what they were told on the way.
"""

from __future__ import annotations

import pytest

from callflow.carrier import Caller, hang_up, press, say, silence
from tests.e2e.conftest import call_in, enqueued_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("keys", "queue"),
    [
        (["1", "1"], "cards"),
        (["1", "2"], "card-payments"),
        (["1", "3"], "cash-atm"),
        (["2", "1"], "payments"),
        (["2", "2"], "top-ups"),
        (["3", "1"], "fees"),
        (["3", "2"], "account"),
        (["4"], "fraud"),
        (["5", "3"], "general"),
        (["0"], "general"),  # a person, from the main menu
        (["1", "0"], "general"),  # a person, from a sub-menu
    ],
)
def test_keypad_reaches_each_department(carrier, keys, queue):
    call = call_in(carrier, *[press(k) for k in keys])
    assert enqueued_in(call) == [queue]


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        (["1", "4"], "within five working days"),
        (["2", "3"], "within two hours"),
        (["5", "1"], "from 8 am to 8 pm on weekdays"),
        (["5", "2"], "freeze your card"),
    ],
)
def test_information_options_say_their_message_then_return_to_the_menu(carrier, keys, message):
    call = call_in(carrier, *[press(k) for k in keys], hang_up())
    heard = call.heard_text()
    assert message in heard
    after = heard[heard.index(message):]
    assert "press 1" in after  # the menu is offered again after the message


def test_the_international_helpline_is_dialled(carrier):
    carrier.add_phone("+442079460200", Caller(talk=["International helpline, how can I help?"]))
    call = call_in(carrier, press("3"), press("3"))
    assert "International helpline" in " ".join(e.text for e in call.entries("talk"))


def test_star_repeats_and_hash_goes_back(carrier):
    call = call_in(carrier, press("1"), press("*"), press("#"), press("4"))
    heard = call.heard_text()
    assert heard.count("Cards, card payments and cash machines.") == 2  # the sub-menu, then repeated
    assert enqueued_in(call) == ["fraud"]  # back at the main menu, 4 is the fraud team


def test_silence_is_explained_and_repeated_then_the_caller_reaches_a_person(carrier):
    call = call_in(carrier, silence(), silence(), silence())
    heard = call.heard_text()
    assert heard.count("didn't hear anything") >= 2
    assert enqueued_in(call) == ["general"]


def test_a_wrong_key_is_explained_and_the_menu_repeated(carrier):
    call = call_in(carrier, press("9"), press("4"))
    assert "isn't one of the options" in call.heard_text()
    assert enqueued_in(call) == ["fraud"]


@pytest.mark.parametrize(
    ("words", "queue", "announced"),
    [
        ("I lost my card", "fraud", "Fraud and Security"),
        ("my card payment was declined at the supermarket", "card-payments", "Card Payments and Disputes"),
        ("how do I change my PIN", "cards", "Cards"),
        ("I need to transfer money to another account", "payments", "Payments and Transfers"),
        ("why was I charged a fee for exchanging currency", "fees", "Fees and Exchange"),
        ("the cash machine kept my money", "cash-atm", "Cash and ATMs"),
    ],
)
def test_speech_goes_straight_to_the_right_department_and_says_where(carrier, words, queue, announced):
    call = call_in(carrier, say(words))
    assert enqueued_in(call) == [queue]
    assert f"put you through to {announced}" in call.heard_text()


@pytest.mark.parametrize("words", ["someone has stolen my card", "someone used my card"])
def test_a_stolen_card_reaches_the_fraud_line_not_customer_service(carrier, words):
    assert enqueued_in(call_in(carrier, say(words))) == ["fraud"]


@pytest.mark.parametrize("words", ["can I speak to someone", "agent", "a real person please"])
def test_a_request_for_a_person_reaches_the_operator(carrier, words):
    assert enqueued_in(call_in(carrier, say(words))) == ["general"]


def test_speech_works_from_a_sub_menu_too(carrier):
    call = call_in(carrier, press("5"), say("I think someone has stolen my card details"))
    assert enqueued_in(call) == ["fraud"]


@pytest.mark.parametrize(("answer", "queue"), [(press("1"), "cards"), (press("2"), "fraud"),
                                               (say("it's stolen"), "fraud")])
def test_an_unsure_router_asks_one_short_question_naming_both_departments(carrier, answer, queue):
    call = call_in(carrier, say("there is a problem with my card"), answer)
    heard = call.heard_text()
    assert "Is this about your card, or about a lost card or a payment you don't recognise?" in heard
    assert heard.count("Is this about") == 1  # one confirmation, never a loop
    assert enqueued_in(call) == [queue]


def test_an_out_of_scope_request_is_asked_again_with_examples_then_keypad(carrier):
    call = call_in(carrier, say("what's the weather like tomorrow"), say("will it rain in Leeds"), press("4"))
    heard = call.heard_text()
    assert "didn't understand" in heard and "for example" in heard
    assert "keypad" in heard
    assert enqueued_in(call) == ["fraud"]


def test_a_known_customer_is_greeted_by_name(carrier, sessions):
    from callflow.store.customers import import_customers

    with sessions() as session:
        import_customers(session, [{"phone": "+15551230077", "name": "Grace Hopper"}])
    call = call_in(carrier, hang_up(), caller="+15551230077")
    assert call.heard_text().startswith("Hello Grace Hopper, thank you for calling Acme Bank.")


def test_a_caller_who_called_today_is_offered_the_same_department(carrier, worker):
    first = call_in(carrier, press("4"), caller="+15551230088")
    assert enqueued_in(first) == ["fraud"]
    second = call_in(carrier, press("1"), caller="+15551230088")
    assert "Last time you spoke to our Fraud and Security team" in second.heard_text()
    assert enqueued_in(second) == ["fraud"]
