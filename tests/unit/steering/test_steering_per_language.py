"""A bilingual line steers Spanish words by its Spanish phrases, and English callers exactly as before."""

from __future__ import annotations

from dataclasses import replace

import pytest

from callflow.domain.script.loader import load_script
from callflow.domain.steering.per_language import LanguageRouters
from callflow.domain.steering.router import Router
from callflow.domain.steering.training import router_for_script
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def acme():
    return load_script(ROOT / "ivr_scripts" / "acme_bank.yaml")


@pytest.fixture(scope="module")
def routers(acme):
    return router_for_script(acme, [("se me cayó el celular al río con la app", "fraud")], kind="tfidf")


@pytest.mark.parametrize("said, department", [
    ("perdí mi tarjeta", "fraud"),
    ("me cobraron dos veces lo mismo", "card_payments"),
    ("el cajero se tragó mi tarjeta", "cash_atm"),
    ("mi recarga no funcionó", "top_ups"),
    ("necesito cambiar mi dirección", "account"),
    ("se me cayó el celular al río con la app", "fraud"),  # learned, found Spanish
])
def test_spanish_words_are_steered_by_the_spanish_phrases(routers, said, department):
    assert isinstance(routers, LanguageRouters) and routers.languages == ("en-GB", "es-US")
    decision = routers.steer(said)
    assert (decision.kind.value, decision.department) == ("route", department)


def test_english_callers_are_steered_as_on_a_line_of_one_language(acme, routers):
    english_only = router_for_script(replace(acme, languages=(), translations={}), kind="tfidf")
    said = ["I lost my card", "something went wrong with my money", "my top up failed", "where is my transfer",
            "I want to talk about a fee on my statement", "the cash machine ate my card"]
    assert [routers.steer(s) for s in said] == [english_only.steer(s) for s in said]


def test_the_routers_travel_as_one_published_router(routers):
    loaded = Router.from_bytes(routers.to_bytes())
    assert loaded.version == routers.version and loaded.steer("perdí mi tarjeta").department == "fraud"


def test_a_learned_example_tagged_with_its_language_teaches_that_languages_router(acme):
    # "Zelle" alone says no language: untagged, the line's first (English) router learns it; said on a Spanish
    # call (or imported with language es-MX), the Spanish router does, whatever the words look like
    untagged = router_for_script(acme, [("Zelle", "card_payments")], kind="tfidf")
    tagged = router_for_script(acme, [("Zelle", "card_payments", "es-MX")], kind="tfidf")
    assert "zelle" in _vocabulary(untagged.routers["en-GB"]) and "zelle" not in _vocabulary(untagged.routers["es-US"])
    assert "zelle" in _vocabulary(tagged.routers["es-US"]) and "zelle" not in _vocabulary(tagged.routers["en-GB"])
    unknown = router_for_script(acme, [("Zelle", "card_payments", "fr-FR")], kind="tfidf")  # not the line's
    assert "zelle" in _vocabulary(unknown.routers["en-GB"])  # found from the words, as untagged


def _vocabulary(router) -> set[str]:
    """The words a router's features know (its vectorisers' vocabularies)."""
    return {word for _, vocabulary, _, _ in router._blocks for word in vocabulary}
