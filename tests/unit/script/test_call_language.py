"""A call on Acme's bilingual line: English callers hear the English line and the Spanish keypad choice; a
Spanish caller who presses 8, or just speaks Spanish, hears the rest in Spanish in the Spanish voice."""

from __future__ import annotations

import pytest

from callflow.domain.actions import Gather, OfferCallback, RouteToDepartment, Say
from callflow.domain.events import Digits, Speech
from callflow.domain.steering.decision import SteeringDecision, SteeringKind
from callflow.domain.steering.training import router_for_script

from .conftest import CLOSED, OPEN
from .test_engine import call


@pytest.fixture(scope="module")
def steer(bank):
    return router_for_script(bank, kind="tfidf").steer


def says(step) -> list[tuple[str, str | None, str | None]]:
    found = []
    for action in step.actions:
        for prompt in action.prompts if isinstance(action, Gather) else (action,):
            if isinstance(prompt, Say):
                found.append((prompt.text, prompt.voice, prompt.language))
    return found


def gather(step) -> Gather:
    return next(a for a in step.actions if isinstance(a, Gather))


def test_the_english_greeting_ends_its_menu_with_the_spanish_choice_in_a_spanish_voice(bank, steer):
    step = call(bank, steer=steer)
    (english, voice, language), spanish = says(step)
    assert english.startswith("Thank you for calling Acme Bank.") and english.endswith("information, press 5.")
    assert (voice, language) == ("Polly.Amy", "en-GB") and gather(step).language == "en-GB"
    assert spanish == ("Para español, oprima 8.", "Polly.Lupe", "es-US")
    assert step.state.language == "en-GB"


def test_a_caller_who_says_perdi_mi_tarjeta_is_answered_in_spanish_and_routed_to_fraud(bank, steer):
    step = call(bank, Speech("perdí mi tarjeta"), now=OPEN, steer=steer)
    assert step.state.language == "es-US" and "language:es-US:words" in step.state.path
    assert says(step) == [("Le comunico con Fraude y Seguridad.", "Polly.Lupe", "es-US")]
    assert next(a for a in step.actions if isinstance(a, RouteToDepartment)).department == "fraud"


def test_pressing_8_reads_the_menu_in_spanish_and_offers_english_back(bank, steer):
    step = call(bank, Digits("8"), steer=steer)
    assert step.state.language == "es-US" and step.state.language_chosen
    (menu, voice, language), back = says(step)
    assert menu.startswith("En pocas palabras, dígame el motivo de su llamada.")
    assert "Para tarjetas, pagos con tarjeta y cajeros automáticos, oprima 1." in menu
    assert (voice, language) == ("Polly.Lupe", "es-US") and gather(step).language == "es-US"
    assert back == ("For English, press 8.", "Polly.Amy", "en-GB")
    assert "Tarjetas" in gather(step).hints  # the recogniser expects Spanish words
    submenu = call(bank, Digits("8"), Digits("1"), steer=steer)
    assert says(submenu)[0][0].startswith("Tarjetas, pagos con tarjeta y cajeros automáticos. Para una tarjeta nueva")
    assert len(says(submenu)) == 1  # the language keys are the main menu's


def test_a_caller_who_chose_spanish_stays_in_spanish_whatever_words_follow(bank, steer):
    step = call(bank, Digits("8"), Speech("I lost my card"), steer=steer)
    assert step.state.language == "es-US"
    assert says(step) == [("Le comunico con Fraude y Seguridad.", "Polly.Lupe", "es-US")]


def test_english_words_keep_the_english_line(bank, steer):
    step = call(bank, Speech("I lost my card"), steer=steer)
    assert step.state.language == "en-GB" and not any(p.startswith("language:") for p in step.state.path)
    assert says(step) == [("I'll put you through to Fraud and Security.", "Polly.Amy", "en-GB")]


def confirm_cards_or_fraud(text: str) -> SteeringDecision:
    return SteeringDecision(SteeringKind.CONFIRM, "cards", 0.5, "fraud")


@pytest.mark.parametrize("answer, department", [
    (Speech("uno"), "cards"), (Speech("sí"), "cards"), (Speech("la segunda"), "fraud"), (Speech("oprima dos"), "fraud"),
    (Digits("2"), "fraud"),
])
def test_a_spanish_caller_answers_the_spanish_question_in_spanish(bank, answer, department):
    asked = call(bank, Speech("tengo un problema con mi tarjeta"), steer=confirm_cards_or_fraud)
    assert says(asked) == [(("¿Se trata de su tarjeta o de una tarjeta perdida o un pago que no reconoce? Oprima 1 "
                            "para Tarjetas o 2 para Fraude y Seguridad."), "Polly.Lupe", "es-US")]
    step = call(bank, Speech("tengo un problema con mi tarjeta"), answer, steer=confirm_cards_or_fraud)
    assert next(a for a in step.actions if isinstance(a, RouteToDepartment)).department == department


@pytest.mark.parametrize("words", ["con una persona, por favor", "quiero hablar con un asesor", "agente"])
def test_a_spanish_caller_who_asks_for_a_person_reaches_one(bank, steer, words):
    step = call(bank, Digits("8"), Speech(words), steer=steer)
    assert next(a for a in step.actions if isinstance(a, RouteToDepartment)).department == "general"
    assert says(step) == [("Le comunico con Atención al Cliente.", "Polly.Lupe", "es-US")]


def test_someone_who_used_my_card_is_fraud_not_a_request_for_a_person(bank, steer):
    step = call(bank, Speech("alguien usó mi tarjeta sin permiso"), steer=steer)
    assert next(a for a in step.actions if isinstance(a, RouteToDepartment)).department == "fraud"


def test_after_hours_a_spanish_caller_hears_when_we_open_and_what_is_open_now_in_spanish(bank, steer):
    step = call(bank, Speech("necesito activar mi tarjeta nueva"), now=CLOSED, steer=steer)
    closed = [text for text, voice, language in says(step) if (voice, language) == ("Polly.Lupe", "es-US")]
    offer = next(a for a in step.actions if isinstance(a, OfferCallback))
    offered = [p.text for p in offer.prompts]
    assert closed == ["Tarjetas está cerrado en este momento.", "Volvemos a abrir mañana a las 8 de la mañana."]
    assert offered[0] == "Fraude y Seguridad está abierto ahora: para una tarjeta perdida o un pago que no reconoce, " \
                         "oprima 4."
    assert "Podemos devolverle la llamada cuando abramos." in offered
    assert {(p.voice, p.language) for p in offer.prompts} == {("Polly.Lupe", "es-US")}


def test_a_known_spanish_customer_is_greeted_by_name_in_spanish_and_can_still_choose_english(bank, steer):
    from callflow.domain.events import CallStarted

    lucia = CallStarted("+15551230004", "+15550001111", customer_name="Lucía", customer_language="es-MX")
    step = call(bank, started=lucia, steer=steer)
    (greeting, voice, language), english = says(step)
    assert greeting.startswith("Hola, Lucía. Gracias por llamar a Acme Bank.")  # es-MX: the line's es-US
    assert (voice, language) == ("Polly.Lupe", "es-US") and gather(step).language == "es-US"
    assert english == ("For English, press 8.", "Polly.Amy", "en-GB")
    assert step.state.language == "es-US" and not step.state.language_chosen
    back = call(bank, Digits("8"), started=lucia, steer=steer)
    assert back.state.language == "en-GB"


def test_a_customer_whose_language_the_line_does_not_speak_is_greeted_in_the_lines_own(bank, steer):
    from callflow.domain.events import CallStarted

    step = call(bank, started=CallStarted("+15551230005", "+15550001111", "Jean", customer_language="fr-FR"),
                steer=steer)
    assert says(step)[0][0].startswith("Hello Jean, thank you for calling Acme Bank.")
    assert step.state.language == "en-GB"
