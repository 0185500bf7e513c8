"""A bilingual line hears which language a caller speaks from their first words (issue 24)."""

from __future__ import annotations

import pytest

from callflow.domain.steering.language import find_language

LINE = ("en-US", "es-US")


@pytest.mark.parametrize(
    ("said", "language"),
    [
        ("perdí mi tarjeta", "es-US"),
        ("perdi mi tarjeta", "es-US"),  # the recogniser dropped the accent
        ("oiga mire es que me cobraron dos veces", "es-US"),
        ("tarjeta bloqueada", "es-US"),
        ("hola", "es-US"),
        ("mi card no funciona", "es-US"),  # Spanish grammar, an English noun: answer in Spanish
        ("I lost my card", "en-US"),
        ("um yeah so my top up failed", "en-US"),
        ("card declined", "en-US"),
        ("I'm calling from San Antonio about my card", "en-US"),  # a Spanish place name does not switch
    ],
)
def test_the_first_words_say_which_language_to_answer_in(said, language):
    found = find_language(said, LINE)
    assert found.language == language
    assert found.decided
    assert found.confidence > 0.5


@pytest.mark.parametrize("said", ["no", "okay", "ok", "pin", "", "1 2 3 4", "Maria"])
@pytest.mark.parametrize("current", ["en-US", "es-US"])
def test_short_words_both_languages_say_keep_the_callers_current_language(said, current):
    found = find_language(said, LINE, current=current)
    assert found.language == current
    assert not found.decided


def test_without_a_current_language_a_tie_keeps_the_lines_first_language():
    assert find_language("okay", ("es-US", "en-US")).language == "es-US"
    assert find_language("okay", LINE).language == "en-US"


def test_the_answer_is_spelled_as_the_line_spells_its_languages():
    assert find_language("perdí mi tarjeta", ("en-GB", "es-ES")).language == "es-ES"


def test_a_line_with_one_known_language_keeps_it():
    found = find_language("perdí mi tarjeta", ("en-US",))
    assert (found.language, found.decided) == ("en-US", False)
    assert find_language("bonjour", ("fr-FR", "en-US"), current="fr-FR").language == "fr-FR"


def test_the_words_that_counted_are_shown():
    found = find_language("mi card", LINE)
    assert ("mi", "es-US", 2.0) in found.evidence
    assert ("card", "en-US", 1.0) in found.evidence


def test_a_line_has_a_language():
    with pytest.raises(ValueError):
        find_language("hola", ())
