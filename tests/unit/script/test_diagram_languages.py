"""The call-flow diagram of a line of several languages, drawn for the callers of each: their prompts, labels
and departments, and the key that takes them to the line's other language."""

from __future__ import annotations

from callflow.domain.script.diagram import diagram
from callflow.domain.script.loader import load_script
from callflow.domain.script.translated import in_language

from .conftest import SCRIPTS


def test_spanish_callers_flow_is_drawn_in_spanish():
    script = load_script(SCRIPTS / "acme_bank.yaml")
    english, spanish = diagram(script), diagram(in_language(script, "es-US"))
    assert english.root.detail.startswith("In a few words") and spanish.root.detail.startswith("En pocas palabras")
    fraud = next(node for node in spanish.root.children if node.id == "fraud")
    assert (fraud.key, fraud.title, fraud.label) == (
        "4", "Fraude y Seguridad", "una tarjeta perdida o robada, o un pago que no reconoce")
    assert "8 at the main menu: the line in es-US" in english.conventions
    assert "8 at the main menu: the line in en-GB" in spanish.conventions
    assert "0 at any menu: Atención al Cliente (a person)" in spanish.conventions
