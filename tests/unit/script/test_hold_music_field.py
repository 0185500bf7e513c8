"""A line chooses its hold music in its script (`hold.music`): mistakes are named by file, line and field."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from callflow.domain.script.lint import lint, lint_text
from callflow.domain.script.loader import load_script_text
from tests.unit.script.test_lint import BASE

SCRIPTS = Path(__file__).resolve().parents[3] / "ivr_scripts"


def with_hold(lines: str) -> str:
    return BASE + "hold:\n" + lines  # BASE has 13 lines: `hold:` is line 14, its fields 15 and 16


def test_the_shipped_tune_is_the_default_and_a_url_carries_its_length():
    assert load_script_text(BASE).hold.music == "gentle-tune.wav"
    script = load_script_text(with_hold("  music: https://cdn.example.com/lobby.mp3\n  music_seconds: 45\n"))
    assert (script.hold.music, script.hold.music_seconds) == ("https://cdn.example.com/lobby.mp3", 45)


@pytest.mark.parametrize("lines, field, message", [
    ("  music: https://cdn.example.com/lobby.mp3\n", "hold.music_seconds", "needs music_seconds"),
    ("  music: ../../etc/passwd\n", "hold.music", "neither an http(s) URL nor the name of a .wav file"),
    ("  music: lobby.mp3\n", "hold.music", "neither an http(s) URL"),
    ("  music: https://cdn.example.com/a.wav\n  music_seconds: 2\n", "hold.music_seconds", "between 5 and 600"),
])
def test_a_bad_hold_music_is_named_by_line_and_field(lines, field, message):
    (problem,) = [p for p in lint_text(with_hold(lines), "line.yaml") if p.field == field]
    assert problem.path == "line.yaml" and problem.line in (15, 16) and message in problem.message


def test_a_served_file_missing_beside_the_script_is_an_error(tmp_path):
    shutil.copy(SCRIPTS / "acme_bank.yaml", tmp_path / "acme_bank.yaml")
    script = tmp_path / "acme_bank.yaml"
    text = re.sub(r"\n  music: .*\n", "\n", script.read_text(), count=1)  # the shipped tune, if named
    script.write_text(text.replace("hold:\n", "hold:\n  music: lobby.wav\n", 1))
    line = text.splitlines().index("hold:") + 2
    (problem,) = [p for p in lint(script) if p.field == "hold.music"]
    assert (problem.path, problem.line) == (str(script), line) and "no file 'lobby.wav'" in problem.message
    (tmp_path / "audio").mkdir()
    shutil.copy(Path(__file__).resolve().parents[3] / "callflow" / "audio" / "gentle-tune.wav",
                tmp_path / "audio" / "lobby.wav")
    assert not [p for p in lint(script) if p.field == "hold.music"]
