"""Spanish callers steered from the script alone (issue 24): their fillers, their accents, their strangers."""

from __future__ import annotations

import pytest

from callflow.domain.script.loader import load_script
from callflow.domain.steering.background import out_of_scope_phrases
from callflow.domain.steering.decision import SteeringKind
from callflow.domain.steering.speech import normalise, pieces
from callflow.domain.steering.training import router_for_script
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def spanish():
    """The Spanish router of Acme's two-language line, as the product builds it (no history)."""
    return router_for_script(load_script(ROOT / "ivr_scripts" / "acme_bank.yaml"), kind="tfidf").routers["es-US"]


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        ("eh oiga mire mi tarjeta no funciona", "mi tarjeta no funciona"),
        ("buenas tardes este quería cancelar una transferencia", "quería cancelar una transferencia"),
        ("bueno pues o sea el cajero se tragó la tarjeta", "el cajero se tragó la tarjeta"),
        ("hola buenos días a ver perdí mi tarjeta", "perdí mi tarjeta"),
        ("vale nada que no me llega la tarjeta", "que no me llega la tarjeta"),
        ("eh", "eh"),  # nothing else was said: the words are kept, the router decides
    ],
)
def test_spanish_fillers_and_openers_are_not_steered_on(said, meant):
    assert normalise(said) == meant


def test_english_words_that_look_like_spanish_fillers_mid_sentence_stay():
    assert normalise("I want to pay the bill") == "I want to pay the bill"


def test_a_spanish_story_is_read_clause_by_clause_and_the_reason_at_the_end_is_among_them():
    said = "es que fui al cine con mi hermana y pagué con la tarjeta y luego vi un cargo que no reconozco"
    found = pieces(said)
    assert found[0] == normalise(said)
    assert "vi un cargo que no reconozco" in found
    assert len(found) <= 6


@pytest.mark.parametrize(("plain", "accented"), [("perdi mi tarjeta", "perdí mi tarjeta"),
                                                 ("como cambio mi pin", "cómo cambio mi PIN"),
                                                 ("la recarga fallo", "la recarga falló")])
def test_a_word_without_its_accents_is_read_as_with_them(spanish, plain, accented):
    """Speech recognisers often drop accents: the features are read without them, in training and steering."""
    without, with_accents = spanish.rank(plain), spanish.rank(accented)
    assert [d for d, _ in without] == [d for d, _ in with_accents]
    assert [p for _, p in without] == pytest.approx([p for _, p in with_accents])


def test_spanish_strangers_are_learned_for_the_spanish_router_only():
    english = out_of_scope_phrases()
    assert out_of_scope_phrases("en-GB") == english  # English lines are trained as before
    spanish = out_of_scope_phrases("es-US")
    assert spanish[: len(english)] == english  # callers mix English words in: the English phrases stay
    assert len(spanish) > len(english) + 150
    assert "pon una alarma para las seis" in spanish


@pytest.mark.parametrize("said", ["cuál es la receta del guacamole", "quién ganó la liga el año pasado",
                                  "pon una canción de juanes"])
def test_a_spanish_stranger_is_asked_again_not_routed(spanish, said):
    assert spanish.steer(said).kind == SteeringKind.UNKNOWN


@pytest.mark.parametrize(("said", "department"), [
    ("eh mire el cajero no me dio el dinero pero me lo cobraron", "cash_atm"),
    ("oiga hay un retiro que yo no hice", "fraud"),
    ("buenas tardes quiero poner la recarga automatica", "top_ups"),
])
def test_spoken_spanish_reaches_the_right_department(spanish, said, department):
    decision = spanish.steer(said)
    assert decision.kind != SteeringKind.UNKNOWN
    assert department in (decision.department, decision.alternative)
