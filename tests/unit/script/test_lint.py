"""The linter names each mistake by field, line and message: a table of broken scripts."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from callflow.domain.script.lint import lint, lint_text, main
from callflow.domain.script.problems import Severity

SCRIPTS = Path(__file__).resolve().parents[3] / "ivr_scripts"

BASE = """\
company: Test Co
time_zone: Europe/London
operator: desk
line: {default: true}
departments:
  desk:
    name: Front Desk
    hours: always
menus:
  main:
    prompt: How can we help?
    options:
      "1": {label: the desk, department: desk}
"""


def edit(replace: dict[int, str | None] | None = None, append: str = "", text: str = BASE) -> str:
    """BASE with some lines replaced (None deletes), extra lines inserted after them, and more appended."""
    lines = text.splitlines()
    for number, new in sorted((replace or {}).items(), reverse=True):
        lines[number - 1 : number] = [] if new is None else new.splitlines()
    return "\n".join(lines) + "\n" + append


MENUS = """\
  a:
    prompt: A.
    options:
      "1": {label: b, menu: b}
  b:
    prompt: B.
    options:
      "1": {label: a, menu: a}
"""
DEEP = """\
  a:
    prompt: A.
    options:
      "1": {label: b, menu: b}
  b:
    prompt: B.
    options:
      "1": {label: c, menu: c}
  c:
    prompt: C.
    options:
      "1": {label: the desk, department: desk}
"""
SIX = "\n".join(f'      "{k}": {{label: option {k}, department: desk}}' for k in range(1, 7))
E, W = Severity.ERROR, Severity.WARNING

CASES = [
    ("yaml syntax", edit({7: "    name: Front: Desk"}), "", 7, "mapping values are not allowed", E),
    ("root not a mapping", "- a\n- list\n", "", 1, "expected a mapping", E),
    ("unknown top-level key", edit(append="colour: blue\n"), "colour", 14, "unknown key 'colour'", E),
    ("missing company", edit({1: None}), "company", 1, "'company' is required", E),
    (
        "duplicate key",
        edit({7: "    name: Front Desk\n    name: Desk"}),
        "departments.desk.name",
        8,
        "duplicate key 'name'",
        E,
    ),
    (
        "unknown department",
        edit({13: '      "1": {label: the desk, department: dsek}'}),
        "menus.main.options.1.department",
        13,
        "unknown department 'dsek'",
        E,
    ),
    (
        "unknown menu",
        edit({13: '      "1": {label: more, menu: mroe}'}),
        "menus.main.options.1.menu",
        13,
        "unknown menu 'mroe'",
        E,
    ),
    ("unknown main menu", edit(append="main_menu: start\n"), "main_menu", 14, "unknown menu 'start'", E),
    (
        "unreachable menu",
        edit(append='  spare:\n    prompt: Spare.\n    options:\n      "1": {label: x, department: desk}\n'),
        "menus.spare",
        14,
        "unreachable menu",
        W,
    ),
    (
        "dead end",
        edit({13: '      "1": {label: news, message: All is well.}'}),
        "menus.main.options",
        12,
        "dead end: no option leads to a department",
        E,
    ),
    (
        "empty menu",
        edit({12: None, 13: None}),
        "menus.main.options",
        10,
        "dead end: the menu has no options",
        E,
    ),
    (
        "loop with no way out",
        edit({13: '      "1": {label: the desk, department: desk}\n      "2": {label: a, menu: a}'}, MENUS),
        "menus.a.options",
        17,
        "loop with no way out",
        E,
    ),
    ("department without hours", edit({8: None}), "departments.desk", 6, "department has no hours", E),
    (
        "never open",
        edit({8: "    hours: {weekly: {mon: closed}}"}),
        "departments.desk.hours",
        8,
        "never open",
        E,
    ),
    ("invalid time zone", edit({2: "time_zone: Europe/Londn"}), "time_zone", 2, "unknown time zone", E),
    (
        "bad period",
        edit({8: '    hours: {weekly: {mon: ["8am-5pm"]}}'}),
        "departments.desk.hours.weekly.mon",
        8,
        "'8am-5pm' is not a period",
        E,
    ),
    (
        "bad phone number",
        edit({4: 'line: {numbers: ["020 7946 0000"]}'}),
        "line.numbers.0",
        4,
        "not an E.164 phone number",
        E,
    ),
    ("too many options", edit({13: SIX}), "menus.main.options", 12, "6 options", W),
    (
        "too deep",
        edit({13: '      "1": {label: the desk, department: desk}\n      "2": {label: a, menu: a}'}, DEEP),
        "menus.c",
        23,
        "4 levels deep",
        W,
    ),
    ("no route to a person", edit({3: None}), "operator", 1, "no route to a person", E),
    ("empty prompt", edit({11: '    prompt: ""'}), "menus.main.prompt", 11, "empty prompt", W),
    (
        "prompt too long",
        edit({11: "    prompt: " + "word " * 60}),
        "menus.main.prompt",
        11,
        "about 24 s to say",
        W,
    ),
    (
        "reserved key",
        edit({13: '      "0": {label: a person, department: desk}'}),
        "menus.main.options.0",
        13,
        "key '0' is reserved",
        E,
    ),
    (
        "two targets",
        edit({13: '      "1": {label: x, department: desk, menu: main}'}),
        "menus.main.options.1",
        13,
        "exactly one of",
        E,
    ),
    (
        "closed departments in a circle",
        edit(
            {
                8: "    hours: {weekly: {mon: [09:00-17:00]}}\n"
                "    when_closed: {action: department, department: back}\n"
                "  back:\n"
                "    name: Back Office\n"
                "    hours: {weekly: {tue: [09:00-17:00]}}\n"
                "    when_closed: {action: department, department: desk}"
            }
        ),
        "departments.desk.when_closed.department",
        9,
        "in a circle",
        E,
    ),
    ("anchor and alias", edit({7: "    name: &n Front Desk", 11: "    prompt: *n"}), "", 7, "anchors", E),
    (
        "python tag",
        edit({1: 'company: !!python/object/apply:os.system ["true"]'}),
        "",
        1,
        "tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed",
        E,
    ),
    (
        "unknown placeholder",
        edit(append='messages: {greeting: "Hi {caller}"}\n'),
        "messages.greeting",
        14,
        "unknown placeholder {caller}",
        E,
    ),
    (
        "yes is not a boolean",
        edit({4: "line: {default: yes}"}),
        "line.default",
        4,
        "expected true or false",
        E,
    ),
    (
        "unknown when-closed action",
        edit({8: "    hours: always\n    when_closed: shrug"}),
        "departments.desk.when_closed.action",
        9,
        "'shrug' is not one of",
        E,
    ),
    (
        "unknown callback order",
        edit(append="callbacks: {first: whoever}\n"),
        "callbacks.first",
        14,
        "'whoever' is not one of customer, agent",
        E,
    ),
    (
        "more retry waits than attempts",
        edit(append="callbacks:\n  attempts: 2\n  retry_minutes: [5, 15]\n"),
        "callbacks.retry_minutes",
        16,
        "2 waits, but 2 attempts leave room for 1",
        E,
    ),
    (
        "retry wait out of range",
        edit(append="callbacks:\n  retry_minutes: [5, 0]\n"),
        "callbacks.retry_minutes",
        15,
        "whole minutes from 1 to 1440, got '0'",
        E,
    ),
    (
        "hold updates too frequent",
        edit(append="hold:\n  update_every_seconds: 5\n"),
        "hold.update_every_seconds",
        15,
        "must be between 20 and 600, got 5",
        E,
    ),
    (
        "department's callback order",
        edit({8: "    hours: always\n    callback_first: agnet"}),
        "departments.desk.callback_first",
        9,
        "'agnet' is not one of customer, agent",
        E,
    ),
]


@pytest.mark.parametrize(
    ("text", "field", "line", "message", "severity"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_broken_script_is_reported_with_field_line_and_message(text, field, line, message, severity):
    problems = lint_text(text, "broken.yaml")
    matching = [p for p in problems if p.field == field and message in p.message]
    assert matching, f"no '{message}' at {field}; got {[str(p) for p in problems]}"
    assert (matching[0].line, matching[0].severity, matching[0].path) == (line, severity, "broken.yaml")


def test_the_base_script_is_clean():
    assert lint_text(BASE) == []


@pytest.mark.parametrize("name", ["acme_bank.yaml", "riverside_clinic.yaml"])
def test_sample_scripts_have_no_problems_at_all(name):
    assert [str(p) for p in lint(SCRIPTS / name)] == []


def test_main_prints_each_problem_and_fails_on_errors(tmp_path):
    (tmp_path / "good.yaml").write_text(BASE)
    (tmp_path / "bad.yaml").write_text(edit({2: "time_zone: Mars/Olympus"}))
    out = io.StringIO()
    assert main([str(tmp_path)], out) == 1
    assert (
        f"{tmp_path / 'bad.yaml'}:2:12: error time_zone: unknown time zone 'Mars/Olympus'" in out.getvalue()
    )
    assert "2 script(s) checked: errors found" in out.getvalue()


def test_main_passes_warnings_only(tmp_path):
    path = tmp_path / "long.yaml"
    path.write_text(edit({11: "    prompt: " + "word " * 60}))
    out = io.StringIO()
    assert main([str(path)], out) == 0
    assert ":11:5: warning menus.main.prompt: prompt takes about 24 s" in out.getvalue()


def test_main_reports_a_missing_file(tmp_path):
    out = io.StringIO()
    assert main([str(tmp_path / "nope.yaml")], out) == 1
    assert "cannot read" in out.getvalue()
