"""Acme's line in two languages, through the local carrier: a Spanish caller is answered and steered in Spanish
in the Spanish voice; an English caller hears the English line, with the Spanish keypad choice in a Spanish
voice at the end of the menu."""

from __future__ import annotations

import pytest

from callflow.carrier import hang_up, press, say
from tests.e2e.conftest import call_in, enqueued_in

pytestmark = pytest.mark.e2e


def heard(call) -> list[tuple[str, str, str]]:
    return [(e.text, e.data.get("voice"), e.data.get("language")) for e in call.entries("heard")]


def test_a_caller_who_says_perdi_mi_tarjeta_is_answered_in_spanish_and_reaches_fraud(carrier):
    call = call_in(carrier, say("perdí mi tarjeta"))
    assert enqueued_in(call) == ["fraud"]
    assert ("Le comunico con Fraude y Seguridad.", "Polly.Lupe", "es-US") in heard(call)


def test_a_caller_who_presses_8_hears_the_menu_in_spanish_and_is_steered_by_spanish_words(carrier):
    call = call_in(carrier, press("8"), say("me cobraron dos veces la misma compra en el supermercado"))
    menu = next(h for h in heard(call) if h[0].startswith("En pocas palabras"))
    assert "Para tarjetas, pagos con tarjeta y cajeros automáticos, oprima 1." in menu[0]
    assert menu[1:] == ("Polly.Lupe", "es-US")
    assert call.entries("said")[0].data["language"] == "es-US"  # the recogniser listened for Spanish
    assert ("Le comunico con Pagos con Tarjeta y Disputas.", "Polly.Lupe", "es-US") in heard(call)
    assert enqueued_in(call) == ["card-payments"]


def test_an_english_caller_hears_the_english_line_and_the_spanish_choice_in_a_spanish_voice(carrier):
    call = call_in(carrier, hang_up())
    (greeting, voice, language), choice = heard(call)
    assert greeting.startswith("Thank you for calling Acme Bank. I'm the automated assistant")
    assert greeting.endswith("For opening hours and other information, press 5.")
    assert (voice, language) == ("Polly.Amy", "en-GB")
    assert choice == ("Para español, oprima 8.", "Polly.Lupe", "es-US")
    english = call_in(carrier, say("I lost my card"))
    assert ("I'll put you through to Fraud and Security.", "Polly.Amy", "en-GB") in heard(english)
    assert enqueued_in(english) == ["fraud"]
