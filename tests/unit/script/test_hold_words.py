"""The hold manager speaks the caller's language: every question, update and apology in the line's words for it,
in its voice, with waits said as Spanish speakers say them, and Spanish answers understood; English unchanged."""

from __future__ import annotations

import pytest

from callflow.domain import hold
from callflow.domain.actions import Gather, Say
from callflow.domain.hold import HoldChoice, understand
from callflow.domain.promise_words import human_promise, next_figure
from callflow.domain.script.lint import lint_text
from callflow.domain.script.loader import load_script_text
from callflow.domain.script.translated import in_language

from .test_languages import TWO


@pytest.fixture(scope="module")
def line():
    return load_script_text(TWO, "two.yaml")


@pytest.mark.parametrize(("seconds", "point", "english", "spanish"), [
    (20, 8, "less than 30 seconds", "menos de 30 segundos"),
    (69, 30, "about a minute", "aproximadamente un minuto"),
    (80, 25, "less than a minute and a half", "menos de un minuto y medio"),
    (230, 150, "about 4 minutes", "aproximadamente 4 minutos"),
    (3500, None, "less than an hour", "menos de una hora"),
    (3601 + 20 * 60, None, "more than an hour (about 90 minutes)", "más de una hora (unos 90 minutos)"),
])
def test_a_wait_is_said_in_the_callers_language(line, seconds, point, english, spanish):
    promise = human_promise(seconds, point)
    assert hold.human_wait(promise, line) == promise.words == english
    assert hold.human_wait(promise, in_language(line, "es-US")) == spanish


def test_the_question_before_hold_is_asked_in_spanish_in_the_spanish_voice_and_listened_for_in_spanish(line):
    spanish = in_language(line, "es-US")
    asked = hold.ask_to_hold(spanish, spanish.departments["desk"].name, human_promise(230, 150))
    assert isinstance(asked, Gather) and asked.language == "es-US" and "llámenme" in asked.hints
    (said,) = asked.prompts
    assert said == Say("Todos nuestros asesores de Recepción están atendiendo a otros clientes. Su espera debería "
                       "ser de aproximadamente 4 minutos. ¿Desea esperar en la línea, o prefiere que le devolvamos la "
                       "llamada cuando sea su turno? Oprima 1 o diga 'esperar'. Oprima 2 o diga 'llámenme'.",
                       voice="Polly.Lupe", language="es-US")


def test_english_callers_hear_todays_words_in_the_line_voice(line):
    asked = hold.ask_to_hold(line, "Front Desk", human_promise(230, 150), again=True)
    assert asked.prompts == (Say("Sorry, I didn't catch that. Your wait should be about 4 minutes. Would you like to "
                                 "hold, or shall we call you back when it's your turn? Press 1 or say 'hold'. Press "
                                 "2 or say 'call me back'.", voice="Polly.Joanna", language="en-US"),)
    assert hold.hold_update(line, 3, human_promise(100)) == (
        "Thank you for holding. There are 2 callers ahead of you. Your wait should be less than 2 minutes. To be "
        "called back instead, press 2 or say 'call me back'.")
    assert hold.thanks_for_holding(line).text == "Thank you for holding. I'm connecting you now."


def test_every_word_on_hold_is_spanish_for_a_spanish_caller(line):
    spanish = in_language(line, "es-US")
    name = spanish.departments["desk"].name
    said = [
        hold.short_wait(spanish, name, human_promise(20)).text,
        hold.hold_update(spanish, 2, next_figure(300)),
        hold.hold_update(spanish, 4, None),
        hold.promise_broken(spanish, name, human_promise(400, 300)).prompts[0].text,
        hold.long_hold_offer(spanish, name).prompts[0].text,
        hold.ring_unanswered(spanish, name, human_promise(100), ask=True).prompts[0].text,
        hold.thanks_for_holding(spanish).text,
        hold.accepted(spanish).text,
        hold.queue_full(spanish, name, partner=False).text,
        hold.connecting(spanish, hold.music("x.wav", 10, 10), first=True)[0].text,
    ]
    assert said[1] == ("Gracias por esperar. Hay 1 persona antes que usted. Su espera debería ser de menos de 6 "
                       "minutos. Para que le devolvamos la llamada, oprima 2 o diga 'llámenme'.")
    assert said[2] == "Gracias por esperar. Hay 3 personas antes que usted. Para que le devolvamos la llamada, " \
                      "oprima 2 o diga 'llámenme'."
    english = ("hold", "wait", "call", "advisers", "minute", "second", "Thank", "Sorry", "sorry", "Please")
    assert not [text for text in said if any(word in text for word in english)]


@pytest.mark.parametrize(("words", "choice"), [
    ("sí, espero", HoldChoice.HOLD),
    ("Sí", HoldChoice.HOLD),
    ("prefiero que me llamen después", HoldChoice.CALLBACK),
    ("llámenme por favor", HoldChoice.CALLBACK),
    ("devuélvanme la llamada", HoldChoice.CALLBACK),
    ("quiero dejar un mensaje", HoldChoice.VOICEMAIL),
    ("call me back", HoldChoice.CALLBACK),  # English words are understood on a Spanish call too
    ("no sé", HoldChoice.UNCLEAR),
])
def test_spanish_answers_to_hold_or_call_back_are_understood(words, choice):
    assert understand(None, words, "es-US") is choice


def test_english_answers_are_understood_as_before():
    assert understand(None, "I'll hold", "en-GB") is HoldChoice.HOLD
    assert understand(None, "okay.", "en-US") is HoldChoice.HOLD
    assert understand(None, "please ring me later", "en-US") is HoldChoice.CALLBACK
    assert understand(None, "espero", "en-US") is HoldChoice.UNCLEAR  # Spanish words only on a Spanish call
    assert understand("3", None) is HoldChoice.VOICEMAIL


def test_a_line_in_a_language_callflow_does_not_ship_is_told_each_hold_phrase_it_lacks():
    french = TWO.replace("languages: [en-US, es-US]", "languages: [en-US, fr-FR]").replace("es-US", "fr-FR")
    problems = [p for p in lint_text(french, "two.yaml") if p.field.startswith("messages.")]
    fields = {p.field for p in problems}
    assert {"messages.hold_ask", "messages.hold_broken_ask", "messages.wait_minutes"} <= fields
    assert all(p.path == "two.yaml" and p.line for p in problems)
