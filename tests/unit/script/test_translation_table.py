"""The editor's texts side by side: every text of a line in each of its languages, each missing one marked at the
field and line the linter names it, whichever shape the translations are written in."""

from __future__ import annotations

import pytest

from callflow.domain.script.lint import lint_text
from callflow.domain.script.loader import load_script, parse_script
from callflow.domain.script.translation_table import translation_table

from .conftest import SCRIPTS
from .test_languages import PROMPT, TWO
from .test_lint import BASE

BLOCK = """\
company: Test Co
languages: [en-US, es-US]
time_zone: America/New_York
operator: desk
line: {default: true}
departments:
  desk:
    name: Front Desk
    topic: a question
    hours: always
    when_closed:
      action: message
      message: We are closed.
    phrases: [I have a question]
menus:
  main:
    prompt: How can we help?
    options:
      "1": {label: the desk, department: desk}
      "2": {label: our hours, message: We are open at all hours.}
messages:
  route: "Connecting you to {department}."
translations:
  es-US:
    departments:
      desk:
        name: Recepción
        phrases: [tengo una pregunta]
    menus:
      main:
        prompt: ¿Cómo podemos ayudarle?
        options:
          "1": {label: la recepción}
"""


def table(text: str):
    script, problems = parse_script(text, "line.yaml")
    assert script is not None, problems
    return translation_table(script)


def linter_missing(text: str) -> list[tuple[int, str, str]]:
    """(line, field, language) of each warning the linter gives for a missing translation."""
    return sorted((p.line, p.field, p.message.split()[2]) for p in lint_text(text, "line.yaml")
                  if p.message.startswith("missing the "))


def test_a_line_with_every_translation_shows_both_languages_and_nothing_missing():
    found = table(TWO)
    assert found.languages == ("en-US", "es-US") and found.missing() == []
    rows = {row.field: row for row in found.rows}
    assert list(rows) == ["departments.desk.name", "departments.desk.phrases", "menus.main.prompt",
                          "menus.main.options.1.label", "menus.main.options.2.label", "menus.main.options.2.message"]
    prompt = rows["menus.main.prompt"]
    assert prompt.line == 16 and [c.text for c in prompt.cells] == ["How can we help?", "¿Cómo podemos ayudarle?"]
    assert rows["departments.desk.phrases"].cells[1].text == ("tengo una pregunta",)
    assert rows["departments.desk.phrases"].cells[1].line == 13  # where the Spanish phrases are written


def test_the_missing_translations_of_a_translations_block_are_named_by_field_and_line():
    found = table(BLOCK)
    assert found.missing() == [
        (9, "departments.desk.topic", "es-US"),
        (13, "departments.desk.when_closed.message", "es-US"),
        (20, "menus.main.options.2.label", "es-US"),
        (20, "menus.main.options.2.message", "es-US"),
        (22, "messages.route", "es-US"),  # the line words it in English: callflow's Spanish would not say that
    ]
    assert found.missing() == linter_missing(BLOCK)
    name = next(row for row in found.rows if row.field == "departments.desk.name")
    assert [(c.text, c.line) for c in name.cells] == [("Front Desk", 8), ("Recepción", 27)]


@pytest.mark.parametrize(
    "old, new",
    [
        (PROMPT, '    prompt: "How can we help?"'),
        ("    name: {en-US: Front Desk, es-US: Recepción}", "    name: {en-US: Front Desk}"),
        ("        message: {en-US: We are open at all hours., es-US: Abrimos a toda hora.}",
         "        message: {es-US: Abrimos a toda hora.}"),
        ("      es-US: [tengo una pregunta]", ""),
        ("        label: {en-US: our hours, es-US: nuestro horario}",
         "        label:\n          en-US: our hours"),
    ],
)
def test_each_missing_translation_is_the_one_the_linter_names(old, new):
    text = TWO.replace(old + "\n", new + "\n" if new else "")
    assert text != TWO
    found = table(text).missing()
    assert len(found) == 1 and found == linter_missing(text)


def test_a_missing_first_language_text_is_marked_in_its_own_column():
    text = TWO.replace("message: {en-US: We are open at all hours., es-US:", "message: {es-US:")
    row = next(row for row in table(text).rows if row.field == "menus.main.options.2.message")
    assert row.missing == ("en-US",) and row.cells[1].text == "Abrimos a toda hora."


def test_a_language_callflow_has_no_words_in_lists_every_message_it_must_give():
    text = TWO.replace("[en-US, es-US]", "[en-US, fr-FR]").replace("es-US", "fr-FR")
    found = table(text)
    messages = [row for row in found.rows if row.field.startswith("messages.")]
    assert messages and all(row.missing == ("fr-FR",) and row.cells[0].built_in for row in messages)
    assert found.missing() == linter_missing(text)


def test_callflow_own_words_are_not_listed_where_it_has_them():
    assert not [row for row in table(TWO).rows if row.field.startswith("messages.")]


def test_a_line_of_one_language_has_one_column():
    found = table(BASE)
    assert found.languages == ("en-US",) and found.missing() == []
    assert all(len(row.cells) == 1 for row in found.rows)


def test_the_sample_bank_line_has_every_text_in_spanish():
    script = load_script(SCRIPTS / "acme_bank.yaml")
    found = translation_table(script)
    assert found.languages == ("en-GB", "es-US") and found.missing() == []
    fraud = next(row for row in found.rows if row.field == "departments.fraud.name")
    assert [c.text for c in fraud.cells] == ["Fraud and Security", "Fraude y Seguridad"]
