"""Callbacks, the SMS after the call and the survey in the caller's language (issue 24): a Spanish caller hears
their number, the time and the refusals in Spanish; an English caller's words are today's; a line in a language
callflow does not ship is told each of these messages it must give."""

from __future__ import annotations

from datetime import datetime

from callflow.domain.callback_guard import Refusal
from callflow.domain.callback_times import TimeRefusal, choose, refusal_words, spoken_time
from callflow.domain.callback_words import read_back, why
from callflow.domain.script.loader import load_script_text
from callflow.domain.script.messages import CALLBACKS
from callflow.domain.script.problems import Severity
from callflow.domain.script.translated import in_language
from callflow.store.after_call import actions_text, survey_thanks
from tests.unit.script.test_hours import OFFICE
from tests.unit.script.test_languages import TWO, problems
from tests.unit.test_callback_times import TUESDAY_10AM

ENGLISH = load_script_text(TWO)
SPANISH = in_language(ENGLISH, "es-US")


def test_a_spanish_caller_hears_their_number_read_back_in_spanish():
    assert read_back("+14155552671", SPANISH) == "el número de Estados Unidos 4 1 5, 5 5 5, 2 6 7 1"
    assert read_back("+442079460123", SPANISH) == "el número del Reino Unido 0 2 0, 7 9 4 6, 0 1 2 3"
    assert read_back("+33612345678", SPANISH) == "más 3 3, 6, 1 2, 3 4, 5 6, 7 8"
    entered = SPANISH.message("callback_number_entered", number=read_back("+14155552671", SPANISH))
    assert entered == ("Usted marcó el número de Estados Unidos 4 1 5, 5 5 5, 2 6 7 1. Para confirmar, oprima 1. "
                       "Para marcarlo de nuevo, oprima 2.")


def test_an_english_caller_hears_todays_words_from_the_script_as_without_one():
    assert read_back("+14155552671", ENGLISH) == read_back("+14155552671") == "the US number 4 1 5, 5 5 5, 2 6 7 1"
    assert why(Refusal.LIMIT, ENGLISH) == why(Refusal.LIMIT)
    assert ENGLISH.message("callback_booked", number="1 5 5 5") == (
        "Thank you. We'll call you back on 1 5 5 5 when it's your turn, and you keep your place in line.")


def test_a_refused_number_and_a_closed_time_are_explained_in_spanish():
    assert why(Refusal.SPECIAL, SPANISH) == "Lo siento, no podemos devolver llamadas a números de tarifa especial."
    assert all(why(r, SPANISH) != why(r) for r in Refusal)
    night = choose(OFFICE, "Europe/London", "0300", TUESDAY_10AM)
    assert refusal_words(night.refusal, OFFICE, TUESDAY_10AM, SPANISH) == (
        "Lo siento, no podemos llamarle a esa hora porque estaremos cerrados. Volvemos a abrir hoy a las 10:10 de "
        "la mañana.")
    assert refusal_words(TimeRefusal.NOT_A_TIME, OFFICE, TUESDAY_10AM, SPANISH) == "Disculpe, no entendí la hora."


def test_a_callback_booked_for_a_time_is_promised_in_spanish():
    at = choose(None, "Europe/London", "1530", TUESDAY_10AM).at
    when = spoken_time(at, TUESDAY_10AM, "es-US")
    assert when == "hoy a las 3:30 de la tarde"
    assert SPANISH.message("callback_booked_at", number="1 5 5 5", when=when) == (
        "Gracias. Le devolveremos la llamada al 1 5 5 5 hoy a las 3:30 de la tarde.")
    assert spoken_time(datetime(2026, 3, 11, 9, 0, tzinfo=at.tzinfo), TUESDAY_10AM) == "at 9 am tomorrow"


def test_the_call_back_greets_a_spanish_customer_in_spanish():
    desk = SPANISH.departments["desk"]
    assert SPANISH.message("callback_hello", topic=desk.topic or desk.name) == (
        "Hola, le llamamos de Test Co para devolverle su llamada sobre Recepción.")


def test_the_sms_of_the_actions_promised_and_the_survey_in_spanish():
    assert actions_text("Test Co", ["Bloqueamos su tarjeta.", "le llega una nueva en 3 a 5 días"], SPANISH) == (
        "Test Co: como le prometimos en su llamada de hoy: Bloqueamos su tarjeta; le llega una nueva en 3 a 5 días.")
    assert actions_text("Test Co", ["We've blocked your card"], ENGLISH) == actions_text(
        "Test Co", ["We've blocked your card"]) == "Test Co: as promised on your call today: We've blocked your card."
    assert survey_thanks("Test Co", 4, SPANISH) == (
        "Gracias, su respuesta nos ayuda a mejorar. Gracias por llamar a Test Co. Adiós.")
    assert survey_thanks("Test Co", None, SPANISH) == "Gracias por llamar a Test Co. Adiós."
    assert SPANISH.message("survey_question").startswith("En una escala del 1 al 5")


def test_a_line_in_french_is_told_every_callback_and_after_call_message_it_must_give():
    found = problems(TWO.replace("[en-US, es-US]", "[en-US, fr-FR]").replace("es-US", "fr-FR"))
    missing = "missing the fr-FR translation (callflow has no fr-FR words of its own: the line must give every message)"
    for name in [*CALLBACKS, "sms_actions", "survey_question", "survey_thanks", "survey_goodbye"]:
        assert (1, f"messages.{name}", missing, Severity.WARNING) in found


def test_a_french_line_that_gives_them_is_heard_in_french():
    text = TWO.replace("[en-US, es-US]", "[en-US, fr-FR]").replace("es-US", "fr-FR") + (
        "translations:\n  fr-FR:\n    messages:\n"
        "      callback_hello: \"Bonjour, ici {company}, nous vous rappelons au sujet de {topic}.\"\n")
    assert not [p for p in problems(text) if p[1] == "messages.callback_hello"]
    french = in_language(load_script_text(text), "fr-FR")
    assert french.message("callback_hello", topic="la carte") == (
        "Bonjour, ici Test Co, nous vous rappelons au sujet de la carte.")
