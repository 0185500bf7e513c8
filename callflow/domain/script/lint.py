"""The script linter behind `callflow lint [PATH...]`: every problem as file:line:col, errors and warnings."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from callflow.domain import hold_music
from callflow.domain.script.checks import check
from callflow.domain.script.loader import parse_script, read_script_text
from callflow.domain.script.model import Script
from callflow.domain.script.problems import ScriptInvalid, ScriptProblem, errors_in

DEFAULT_FOLDER = "ivr_scripts"


def lint(script_or_path: Script | str | Path,
         dial_countries: frozenset[str] | None = None) -> list[ScriptProblem]:
    """Every problem in a script file (or an already loaded script), in file order; `dial_countries`: the
    countries its numbers may be in (None: any)."""
    if isinstance(script_or_path, Script):
        problems = check(script_or_path, dial_countries)
    else:
        try:
            text = read_script_text(script_or_path)
        except ScriptInvalid as invalid:
            return invalid.problems
        script, problems = parse_script(text, str(script_or_path), dial_countries)
        problems += _hold_music_missing(script, Path(script_or_path))
    return sorted(problems, key=lambda p: (p.line, p.column, p.field))


def _hold_music_missing(script: Script | None, path: Path) -> list[ScriptProblem]:
    """A served hold music file must be beside the script (its folder's audio/) or be the one callflow ships:
    a line whose music is missing would play its callers the shipped tune, not the one it chose."""
    music = script.hold.music if script is not None else ""
    if not music.endswith(".wav") or "://" in music or hold_music.find(music, path.parent) is not None:
        return []
    at = script.position("hold.music")
    return [ScriptProblem(str(path), at.line, at.column, "hold.music",
                          f"no file '{music}' in {path.parent / 'audio'} (nor shipped with callflow)")]


def lint_text(text: str, source: str = "<string>",
              dial_countries: frozenset[str] | None = None) -> list[ScriptProblem]:
    """Every problem in a script's text (an edit in the browser, before it is saved)."""
    return sorted(parse_script(text, source, dial_countries)[1], key=lambda p: (p.line, p.column, p.field))


def script_files(paths: list[str]) -> list[Path]:
    """Expand folders to the YAML files in them; default to the repository's scripts folder."""
    files: list[Path] = []
    for raw in paths or [DEFAULT_FOLDER]:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml")))
        else:
            files.append(path)
    return files


def main(paths: list[str], out: TextIO | None = None, dial_countries: frozenset[str] | None = None) -> int:
    """Lint scripts, print one line per problem, and return 1 if any has errors (0 otherwise)."""
    out = out or sys.stdout
    failed = False
    files = script_files(paths)
    for file in files:
        problems = lint(file, dial_countries)
        for problem in problems:
            print(problem, file=out)
        failed = failed or bool(errors_in(problems))
    if not files:
        print("no scripts found", file=out)
        return 1
    errors = "errors found" if failed else "no errors"
    print(f"{len(files)} script(s) checked: {errors}", file=out)
    return 1 if failed else 0
