"""Every number a script can send a call to passes the toll-fraud guard callbacks pass: a premium-rate,
special or far-away `dial:` or overflow number is a lint error at its line, and such a script cannot be
published."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from callflow import cli
from callflow.domain.script.library import ScriptLibrary
from callflow.domain.script.lint import lint, lint_text
from callflow.domain.script.problems import ScriptInvalid, Severity, errors_in
from callflow.settings import Settings
from tests.unit.script.test_lint import BASE, edit

SCRIPTS = Path(__file__).resolve().parents[3] / "ivr_scripts"
SERVED = frozenset({"US", "CA", "GB"})  # CALLFLOW_CALLBACK_COUNTRIES' default

DIAL = '      "2": {{label: our partner, dial: "{number}"}}\n'  # line 14, after the menu's first option
OVERFLOW = '    overflow_number: "{number}"'  # after line 8, the department's hours
REFUSED = [
    ("+19005550100", "a premium-rate number"),  # the number: US premium rate
    ("+449012345678", "a premium-rate number"),  # UK 09
    ("+448431234567", "a premium-rate number"),  # UK 084: revenue-sharing
    ("+447012345678", "a personal number"),  # UK 070: a favourite of toll fraud
    ("+445612345678", "a VoIP number"),
    ("+18005550100", "a toll-free number"),
    ("+15555550100", "not a number in service"),  # the fictional 555 exchange never connects
]


def destination_errors(text: str, *countries: frozenset[str] | None):
    """The errors of a script's text, in any country (no countries given) or only in those given."""
    return [p for p in lint_text(text, "line.yaml", *countries) if p.severity == Severity.ERROR]


@pytest.mark.parametrize(("number", "words"), REFUSED)
def test_a_menu_option_cannot_dial_a_number_callbacks_would_refuse(number, words):
    text = edit(append=DIAL.format(number=number))
    [problem] = destination_errors(text)
    assert (problem.path, problem.line, problem.field) == ("line.yaml", 14, "menus.main.options.2.dial")
    assert number in problem.message and words in problem.message


@pytest.mark.parametrize(("number", "words"), REFUSED)
def test_a_department_cannot_overflow_to_a_number_callbacks_would_refuse(number, words):
    text = edit({8: BASE.splitlines()[7] + "\n" + OVERFLOW.format(number=number)})
    [problem] = destination_errors(text)
    assert (problem.line, problem.field) == (9, "departments.desk.overflow_number")
    assert words in problem.message


def test_a_number_in_a_country_the_centre_does_not_call_is_refused_where_the_countries_are_known():
    french = edit(append=DIAL.format(number="+33612345678"))
    [problem] = destination_errors(french, SERVED)
    assert problem.field == "menus.main.options.2.dial"
    assert "+33612345678 is in a country this centre does not call (it calls CA, GB, US" in problem.message
    assert destination_errors(french, frozenset({"FR", "GB"})) == []
    assert destination_errors(french) == []  # the deployment's countries unknown: any country


def test_ordinary_numbers_are_fine():
    assert destination_errors(edit(append=DIAL.format(number="+442079460200")), SERVED) == []
    assert destination_errors(edit(append=DIAL.format(number="+13125550177")), SERVED) == []


def test_the_sample_scripts_send_calls_only_where_callbacks_may_go():
    for path in sorted(SCRIPTS.glob("*.yaml")):
        assert errors_in(lint(path, SERVED)) == [], path.name


def test_callflow_lint_names_the_file_line_and_field_and_fails(tmp_path):
    script = tmp_path / "premium.yaml"
    script.write_text(edit(append=DIAL.format(number="+19005550100")))
    result = CliRunner().invoke(cli.main, ["lint", str(script)])
    assert result.exit_code == 1
    where = f"{script}:14:33: error menus.main.options.2.dial"
    assert f"{where}: +19005550100 is a premium-rate number" in result.output
    abroad = tmp_path / "abroad.yaml"
    abroad.write_text(edit(append=DIAL.format(number="+33612345678")))
    for countries, status in (("GB", 1), ("GB,FR", 0)):  # the deployment's callback countries
        env = {"CALLFLOW_CALLBACK_COUNTRIES": countries}
        linted = CliRunner().invoke(cli.main, ["lint", str(abroad)], env=env)
        assert linted.exit_code == status, countries


def test_publishing_a_script_that_dials_a_premium_number_is_refused_and_the_old_one_stays(tmp_path):
    library = ScriptLibrary(tmp_path)
    library.publish("line.yaml", BASE)
    premium = edit(append=DIAL.format(number="+19005550100"))
    with pytest.raises(ScriptInvalid) as refused:
        library.publish("line.yaml", premium)
    assert refused.value.problems[0].field == "menus.main.options.2.dial"
    assert library.current["line.yaml"].menus["main"].options[-1].target == "desk"  # still the old one


def test_a_premium_fallback_number_is_refused_at_start_naming_the_setting():
    with pytest.raises(ValueError, match="CALLFLOW_FALLBACK_NUMBER: \\+19005550100 is a premium-rate number"):
        Settings.from_env({"CALLFLOW_FALLBACK_NUMBER": "+19005550100"})
    assert Settings.from_env({"CALLFLOW_FALLBACK_NUMBER": "+442079460999"}).fallback_number == "+442079460999"
    local = Settings.from_env({"CALLFLOW_FALLBACK_NUMBER": "+15005550100", "TWILIO_API_URL": "http://127.0.0.1:1"})
    assert local.fallback_number == "+15005550100"  # the local carrier's numbers are fictional
