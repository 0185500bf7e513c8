"""Administrators manage agents from the command line: add, list with presence, set presence, remove."""

from __future__ import annotations

import pytest

from callflow.store.presence import PresenceBoard


def test_agent_lifecycle_from_the_command_line(run, redis):
    added = run("agent", "add", "ann", "--name", "Ann Smith", "--reach", "+441632960001",
                "--departments", "cards,fees", input="correct horse battery\ncorrect horse battery\n")
    assert added.exit_code == 0, added.output
    assert "offline" in run("agent", "list").output
    assert run("agent", "set-presence", "ann", "available").exit_code == 0
    assert PresenceBoard(redis).available("fees") == ["ann"]
    listing = run("agent", "list").output
    assert "ann" in listing and "available" in listing and "cards,fees" in listing
    assert run("agent", "remove", "ann").exit_code == 0
    assert "ann" not in run("agent", "list").output


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--reach", "12345"], "reach"),
        (["--reach", "+441632960001", "--role", "king"], "role"),
    ],
)
def test_bad_agent_details_are_refused_naming_the_field(run, args, complaint):
    result = run("agent", "add", "bob", "--name", "Bob", "--departments", "cards", *args,
                 input="correct horse battery\ncorrect horse battery\n")
    assert result.exit_code != 0
    assert complaint in result.output


def test_setting_presence_of_an_unknown_agent_is_an_error(run):
    result = run("agent", "set-presence", "nobody", "available")
    assert result.exit_code != 0 and "no agent 'nobody'" in result.output


def test_a_short_password_is_refused(run):
    result = run("agent", "add", "cyd", "--name", "Cyd", "--reach", "client:cyd", "--departments", "cards",
                 input="short\nshort\n")
    assert result.exit_code != 0 and "at least 10 characters" in result.output


def test_an_agent_s_languages_are_set_from_the_command_line_and_reach_their_presence(run, redis):
    added = run("agent", "add", "bea", "--name", "Bea", "--reach", "+441632960002", "--departments", "cards",
                "--languages", "en-GB, es-MX", input="correct horse battery\ncorrect horse battery\n")
    assert added.exit_code == 0, added.output
    assert "en-GB,es-MX" in run("agent", "list").output
    assert run("agent", "set-presence", "bea", "available").exit_code == 0
    assert PresenceBoard(redis).get("bea").languages == ("en-GB", "es-MX")
    changed = run("agent", "set-languages", "bea", "es-US")
    assert changed.exit_code == 0 and "bea takes calls in es-US" in changed.output
    assert PresenceBoard(redis).get("bea").languages == ("es-US",)  # at once, without logging in again
    assert "any language" in run("agent", "set-languages", "bea").output
    assert PresenceBoard(redis).get("bea").languages == ()


@pytest.mark.parametrize("languages", ["spanish", "es-US,es-US", "es_US"])
def test_malformed_language_tags_are_refused_naming_the_field(run, languages):
    result = run("agent", "add", "cy", "--name", "Cy", "--reach", "+441632960003", "--departments", "cards",
                 "--languages", languages, input="correct horse battery\ncorrect horse battery\n")
    assert result.exit_code != 0
    assert "--languages" in result.output and "languages:" in result.output
    refused = run("agent", "set-languages", "nobody", "es-US")
    assert refused.exit_code != 0 and "no agent 'nobody'" in refused.output
