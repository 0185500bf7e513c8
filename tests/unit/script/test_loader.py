"""The loader: positions in errors, hostile YAML refused, and the library's versions."""

from __future__ import annotations

import pytest

from callflow.domain.script.library import load_library
from callflow.domain.script.loader import MAX_BYTES, load_script, load_script_text, parse_script
from callflow.domain.script.problems import ScriptInvalid

from .test_lint import BASE, edit

BILLION_LAUGHS = (
    "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\ncompany: *c\n"
)

HOSTILE = [
    ("billion laughs", BILLION_LAUGHS, 1, "anchors (&name) are not allowed"),
    ("alias alone", "company: *nothing\n", 1, "aliases (*name) are not allowed"),
    ("huge file", "company: " + "x" * MAX_BYTES + "\n", 1, "larger than 256 KiB"),
    ("deep nesting", "company: " + "[" * 200 + "]" * 200 + "\n", 1, "nested deeper than 12 levels"),
    ("python object", "company: !!python/object:os.system {}\n", 1, "is not allowed in scripts"),
    ("custom tag", "company: !shell ls\n", 1, "tag '!shell' is not allowed"),
    ("list root", "- company\n", 1, "expected a mapping"),
    ("text root", "just some words\n", 1, "expected a mapping"),
    ("empty", "", 1, "script is empty"),
    (
        "two documents",
        BASE + "---\n" + BASE,
        14,
        "expected a single document in the stream, but found another document",
    ),
]


@pytest.mark.parametrize(("text", "line", "message"), [c[1:] for c in HOSTILE], ids=[c[0] for c in HOSTILE])
def test_hostile_yaml_is_refused_with_a_clear_problem(text, line, message):
    with pytest.raises(ScriptInvalid) as refused:
        load_script_text(text, "hostile.yaml")
    first = refused.value.problems[0]
    assert message in first.message
    assert (first.path, first.line) == ("hostile.yaml", line)


def test_errors_name_the_line_and_column_of_the_value():
    _, problems = parse_script(edit({2: "time_zone:   Nowhere/City"}), "x.yaml")
    assert [(p.line, p.column, p.field) for p in problems] == [(2, 14, "time_zone")]


def test_yaml_1_1_surprises_are_read_as_written():
    script = load_script_text(edit({1: "company: no", 4: "line: {numbers: [+442079460100]}"}))
    assert (script.company, script.numbers) == ("no", ("+442079460100",))


def test_file_and_text_give_the_same_script(tmp_path):
    path = tmp_path / "line.yaml"
    path.write_text(BASE)
    from_file, from_text = load_script(path), load_script_text(BASE, str(path))
    assert from_file == from_text
    assert (
        from_file.version == load_script_text(BASE).version != load_script_text(BASE + "# edited\n").version
    )


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes("company: Café\n".encode("latin-1"))
    with pytest.raises(ScriptInvalid, match="not UTF-8"):
        load_script(path)


def test_defaults_fill_what_the_script_leaves_out():
    script = load_script_text(BASE)
    assert (script.main_menu, script.safe_route, script.language, script.retries.no_input) == (
        "main",
        "desk",
        "en-US",
        2,
    )
    assert script.departments["desk"].queue == "desk"


def test_library_picks_the_line_then_the_default(tmp_path):
    (tmp_path / "default.yaml").write_text(BASE)
    (tmp_path / "sales.yaml").write_text(
        edit({1: "company: Sales Co", 4: 'line: {numbers: ["+442079460111"]}'})
    )
    library = load_library(tmp_path)
    assert library.for_number("+442079460111").company == "Sales Co"
    assert library.for_number("+15555550100").company == "Test Co"


def test_library_keeps_the_last_valid_version_and_every_version_a_call_may_need(tmp_path):
    path = tmp_path / "line.yaml"
    path.write_text(BASE)
    library = load_library(tmp_path)
    first = library.for_number("+1")
    path.write_text(edit({1: "company: Test Co Ltd"}))
    assert library.reload() == {}
    second = library.for_number("+1")
    path.write_text(edit({2: "time_zone: Atlantis/Capital"}))
    refused = library.reload()
    assert refused["line.yaml"][0].field == "time_zone"
    assert library.for_number("+1") is second
    assert library.version(first.version).company == "Test Co"
    assert first.version != second.version


def test_library_refuses_a_number_answered_twice(tmp_path):
    number = 'line: {numbers: ["+442079460111"]}'
    (tmp_path / "a.yaml").write_text(edit({4: number}))
    (tmp_path / "b.yaml").write_text(edit({1: "company: B", 4: number}))
    library = load_library(tmp_path)
    assert "already answered by a.yaml" in library.problems["b.yaml"][0].message
