"""A line of several languages: every text a caller hears by language, and the linter names each one missing."""

from __future__ import annotations

import pytest

from callflow.domain.script.lint import lint_text
from callflow.domain.script.loader import load_script_text
from callflow.domain.script.problems import Severity
from callflow.domain.script.translated import in_language

from .test_lint import BASE

TWO = """\
company: Test Co
languages: [en-US, es-US]
voice: {en-US: Polly.Joanna, es-US: Polly.Lupe}
time_zone: America/New_York
operator: desk
line: {default: true}
departments:
  desk:
    name: {en-US: Front Desk, es-US: Recepción}
    hours: always
    phrases:
      en-US: [I have a question]
      es-US: [tengo una pregunta]
menus:
  main:
    prompt: {en-US: "How can we help?", es-US: "¿Cómo podemos ayudarle?"}
    options:
      "1": {label: {en-US: the desk, es-US: la recepción}, department: desk}
      "2":
        label: {en-US: our hours, es-US: nuestro horario}
        message: {en-US: We are open at all hours., es-US: Abrimos a toda hora.}
"""

PROMPT = '    prompt: {en-US: "How can we help?", es-US: "¿Cómo podemos ayudarle?"}'


def problems(text: str) -> list[tuple[int, str, str, Severity]]:
    return [(p.line, p.field, p.message, p.severity) for p in lint_text(text, "two.yaml")]


def test_a_line_of_one_language_reads_as_it_always_has():
    script = load_script_text(BASE)
    assert script.spoken() == ("en-US",) and script.language_keys() == {}
    assert in_language(script, "es-US") is script


def test_spanish_callers_hear_every_text_in_spanish_with_the_spanish_voice():
    script = load_script_text(TWO)
    assert problems(TWO) == []
    english, spanish = in_language(script, "en-US"), in_language(script, "es-US")
    assert english is script and english.voice == "Polly.Joanna"
    assert spanish.voice == "Polly.Lupe" and spanish.language == "es-US"
    assert spanish.menus["main"].prompt == "¿Cómo podemos ayudarle?"
    assert [o.label for o in spanish.menus["main"].options] == ["la recepción", "nuestro horario"]
    assert spanish.menus["main"].options[1].target == "Abrimos a toda hora."
    assert spanish.departments["desk"].name == "Recepción" == spanish.departments["desk"].topic
    assert spanish.departments["desk"].phrases == ("tengo una pregunta",)
    # callflow's own words come in Spanish, the key to choose Spanish is 8
    assert spanish.message("route", department="Recepción") == "Le comunico con Recepción."
    assert script.language_keys() == {"8": "es-US"}
    assert spanish.message("language_choice", key="8") == "Para español, oprima 8."
    assert in_language(script, "es-US") is spanish  # built once


@pytest.mark.parametrize(
    "old, new, expected",
    [
        # a plain string on a line of two languages is the first language's: the Spanish one is missing
        (PROMPT, '    prompt: "How can we help?"',
         (16, "menus.main.prompt", "missing the es-US translation (the line speaks en-US, es-US)", Severity.WARNING)),
        ("    name: {en-US: Front Desk, es-US: Recepción}", "    name: {en-US: Front Desk}",
         (9, "departments.desk.name", "missing the es-US translation (the line speaks en-US, es-US)",
          Severity.WARNING)),
        ("        message: {en-US: We are open at all hours., es-US: Abrimos a toda hora.}",
         "        message: {es-US: Abrimos a toda hora.}",
         (21, "menus.main.options.2.message", "missing the en-US translation (the line speaks en-US, es-US)",
          Severity.WARNING)),
        ("      es-US: [tengo una pregunta]", "",
         (12, "departments.desk.phrases", "missing the es-US example phrases (the line speaks en-US, es-US)",
          Severity.WARNING)),
        (PROMPT, PROMPT.replace("es-US", "es-MX"),
         (16, "menus.main.prompt.es-MX", "unknown key 'es-MX'; expected one of en-US, es-US", Severity.ERROR)),
        ("voice: {en-US: Polly.Joanna, es-US: Polly.Lupe}", "voice: Polly.Joanna",
         (3, "voice", "no voice for es-US: Twilio's default es-US voice speaks", Severity.WARNING)),
        ('      "1": {label: {en-US: the desk, es-US: la recepción}, department: desk}',
         '      "8": {label: {en-US: the desk, es-US: la recepción}, department: desk}',
         (18, "menus.main.options.8", ("key 8 chooses es-US at the main menu on this line of 2 languages: give this "
          "option another key"), Severity.ERROR)),
    ],
)
def test_the_linter_names_each_missing_translation_at_its_line(old, new, expected):
    text = TWO.replace(old + "\n", new + "\n" if new else "")
    assert text != TWO
    assert expected in problems(text)


def test_a_customised_message_needs_every_language_and_keeps_its_placeholders():
    text = TWO + 'messages:\n  route: "Connecting you to {department}."\n'
    assert (23, "messages.route", "missing the es-US translation (the line speaks en-US, es-US)",
            Severity.WARNING) in problems(text)
    text = TWO + 'messages:\n  route: {en-US: "Connecting you to {department}.", es-US: "Le paso con {sala}."}\n'
    assert (23, "messages.route", "unknown placeholder {sala}; allowed: company, department",
            Severity.ERROR) in problems(text)


def test_a_language_callflow_has_no_words_in_must_give_every_message():
    text = TWO.replace("[en-US, es-US]", "[en-US, fr-FR]").replace("es-US", "fr-FR")
    found = problems(text)
    assert (1, "messages.greeting", ("missing the fr-FR translation (callflow has no fr-FR words of its own: "
            "the line must give every message)"), Severity.WARNING) in found


def test_languages_are_tags_listed_once_and_agree_with_language():
    assert (2, "languages", "'Spanish' is not a language tag like en-US or es-US", Severity.ERROR) in problems(
        TWO.replace("[en-US, es-US]", "[en-US, Spanish]"))
    assert (2, "language", "'en-GB' is not the first of languages (en-US): leave language out",
            Severity.ERROR) in problems(TWO.replace("languages:", "language: en-GB\nlanguages:"))


BLOCK = """\
company: Test Co
languages: [en-US, es-US]
voice: Polly.Joanna
time_zone: America/New_York
operator: desk
line: {default: true}
departments:
  desk:
    name: Front Desk
    hours: always
    phrases: [I have a question]
menus:
  main:
    prompt: "How can we help?"
    options:
      "1": {label: the desk, department: desk}
translations:
  es-US:
    voice: Polly.Lupe
    departments:
      desk:
        name: Recepción
        phrases: [tengo una pregunta]
    menus:
      main:
        prompt: "¿Cómo podemos ayudarle?"
        options:
          "1": {label: la recepción}
    messages:
      route: "Le paso con {department}."
"""


def test_a_translations_block_keeps_the_lines_own_texts_as_they_were():
    assert problems(BLOCK) == []
    spanish = in_language(load_script_text(BLOCK), "es-US")
    assert (spanish.voice, spanish.menus["main"].prompt) == ("Polly.Lupe", "¿Cómo podemos ayudarle?")
    assert spanish.departments["desk"].name == "Recepción" == spanish.departments["desk"].topic
    assert spanish.departments["desk"].phrases == ("tengo una pregunta",)
    assert spanish.menus["main"].options[0].label == "la recepción"
    assert spanish.message("route", department="Recepción") == "Le paso con Recepción."
    assert spanish.message("goodbye") == "Gracias por llamar a Test Co. Adiós."  # callflow's own Spanish


def test_a_text_the_block_leaves_out_is_named_at_its_own_line_and_a_stray_path_is_an_error():
    text = BLOCK.replace('          "1": {label: la recepción}\n', "").replace("        options:\n", "")
    assert (16, "menus.main.options.1.label", "missing the es-US translation (the line speaks en-US, es-US)",
            Severity.WARNING) in problems(text)
    text = BLOCK.replace("        prompt: \"¿Cómo", "        promt: \"¿Cómo")
    assert (26, "translations.es-US.menus.main.promt", "the script has no text at menus.main.promt to translate",
            Severity.ERROR) in problems(text)
    spanish = in_language(load_script_text(BLOCK.replace('          "1": {label: la recepción}\n', "")
                                           .replace("        options:\n", "")), "es-US")
    assert spanish.menus["main"].options[0].label == "the desk"  # heard in English until it is translated
