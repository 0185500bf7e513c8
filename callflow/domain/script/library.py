"""The published scripts: one per phone line, chosen by the number called, each version named by its hash.

A call keeps the version it started with, so the library keeps every version it has served;
a file that becomes invalid is reported and its last valid version stays in service.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from callflow.domain.script.loader import load_script_text, read_script_text, script_version
from callflow.domain.script.model import Script
from callflow.domain.script.problems import ScriptInvalid, ScriptProblem


@dataclass
class ScriptLibrary:
    """Scripts by file, with the versions calls in progress may still need."""

    folder: Path
    current: dict[str, Script] = field(default_factory=dict)  # file name -> the version in service
    versions: dict[str, Script] = field(default_factory=dict)  # version hash -> script
    problems: dict[str, list[ScriptProblem]] = field(default_factory=dict)  # file name -> last refusal
    texts: dict[str, str] = field(default_factory=dict)  # version hash -> the text it was loaded from
    dial_countries: frozenset[str] | None = None  # where scripts may send calls (None: any country)

    def reload(self) -> dict[str, list[ScriptProblem]]:
        """Read the folder again; return the problems of files refused this time (their old version stays)."""
        self.problems = {}
        seen = set()
        for path in sorted(self.folder.glob("*.y*ml")):
            seen.add(path.name)
            try:
                self.publish(path.name, read_script_text(path), str(path))
            except ScriptInvalid as invalid:
                self.problems[path.name] = invalid.problems
        for gone in set(self.current) - seen:
            del self.current[gone]
        return self.problems

    def publish(self, name: str, text: str, source: str | None = None) -> Script:
        """Put a script's text in service under a file name, or raise ScriptInvalid and keep the old one.

        A text this library has loaded before (same hash) is not parsed again: an unchanged file or a
        publication every process already holds costs a dictionary look-up at a reload."""
        script = self.versions.get(script_version(text))
        if script is None:
            script = load_script_text(text, source or name, self.dial_countries)
        return self.put(name, script, text)

    def put(self, name: str, script: Script, text: str) -> Script:
        """Put an already loaded script in service under a file name (the one parse of a publication), or
        raise ScriptInvalid when it claims another line's number or default and keep the old one."""
        for other_name, other in self.current.items():
            if other_name == name:
                continue
            clash = sorted(set(other.numbers) & set(script.numbers))
            if clash:
                raise ScriptInvalid(
                    [_clash(script, "line.numbers", f"{clash[0]} is already answered by {other_name}")]
                )
            if script.is_default and other.is_default:
                raise ScriptInvalid(
                    [_clash(script, "line.default", f"{other_name} is already the default line")]
                )
        self.current[name] = script
        self.versions[script.version] = script
        self.texts[script.version] = text
        return script

    def for_number(self, called: str) -> Script | None:
        """The script answering a called number, else the default line's, else None."""
        scripts = sorted(self.current.items())
        for _, script in scripts:
            if called in script.numbers:
                return script
        return next((s for _, s in scripts if s.is_default), None)

    def trial(self) -> ScriptLibrary:
        """A copy of the scripts in service to try a publication on, under the same rules."""
        return ScriptLibrary(self.folder, current=dict(self.current), dial_countries=self.dial_countries)

    def departments(self) -> set[str]:
        """Every department id of the scripts in service (a transfer, an import or an agent must name one)."""
        return {department for script in self.current.values() for department in script.departments}

    def version(self, version: str) -> Script | None:
        """A script version a call started with, even if a newer one is in service now."""
        return self.versions.get(version)


def load_library(folder: str | Path, dial_countries: frozenset[str] | None = None) -> ScriptLibrary:
    """Load every script in a folder; their numbers may only be in `dial_countries` (None: any)."""
    library = ScriptLibrary(Path(folder), dial_countries=dial_countries)
    library.reload()
    return library


def _clash(script: Script, field: str, message: str) -> ScriptProblem:
    pos = script.position(field)
    return ScriptProblem(script.source, pos.line, pos.column, field, message)
