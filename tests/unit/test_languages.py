"""Who speaks what (issue 24): agents' language tags, whether an agent can take a caller, and what the agent is
told of the caller's language in the whisper."""

from __future__ import annotations

import pytest

from callflow.domain.languages import caller_note, read_languages, speaks
from callflow.domain.whisper import whisper
from callflow.store.acd import CallerInfo


def test_an_agent_s_languages_are_read_from_what_a_person_typed():
    assert read_languages(" en-US, es-MX ,") == ("en-US", "es-MX")
    assert read_languages("") == ()
    assert read_languages(["fr-CA"]) == ("fr-CA",)


@pytest.mark.parametrize(("typed", "complaint"), [
    ("Spanish", "'Spanish' is not a language tag like en-US or es-US"),
    ("es_US", "'es_US' is not a language tag"),
    ("es-US,es-US", "'es-US' is listed twice"),
    (",".join(f"es-X{n:02d}" for n in range(20)), "at most 100 characters"),
])
def test_malformed_languages_are_refused_saying_what_is_wrong(typed, complaint):
    with pytest.raises(ValueError, match=complaint):
        read_languages(typed)


def test_an_agent_speaks_a_caller_s_language_whatever_the_region_and_one_without_languages_speaks_all():
    assert speaks(["en-GB", "es-MX"], "es-US")
    assert not speaks(["en-GB"], "es-US")
    assert speaks([], "es-US")  # no languages set: no preference made for them
    assert speaks(["en-GB"], "")  # a caller of no known language: anyone's


def test_the_agent_is_told_the_caller_s_language_only_when_it_is_not_the_line_s_first():
    assert caller_note("en-GB", "en-GB", interpreter=False) == ""
    assert caller_note("", "en-GB", interpreter=False) == ""
    assert caller_note("es-US", "en-GB", interpreter=False) == "Spanish-speaking caller"
    assert caller_note("es-US", "en-GB", interpreter=True) == "Spanish-speaking caller, interpreter needed"
    assert caller_note("en-GB", "en-GB", interpreter=True) == "English-speaking caller, interpreter needed"
    assert caller_note("cy-GB", "en-GB", interpreter=False) == "cy-GB-speaking caller"  # a language we cannot name


def test_the_whisper_names_the_language_right_after_who_is_calling():
    info = CallerInfo("CA1", "+15550100", "+15550000", "fraud", name="Ana", said=("perdí mi tarjeta",),
                      entered_at=0.0, language="es-US")
    assert whisper(info, "Fraud and Security", 240.0, "Spanish-speaking caller, interpreter needed") == (
        "Fraud and Security call from Ana. Spanish-speaking caller, interpreter needed. Waited 4 minutes. "
        "They said: perdí mi tarjeta.")
    assert whisper(info, "Fraud and Security", 0.0) == "Fraud and Security call from Ana. No wait. They said: " \
                                                        "perdí mi tarjeta."
