"""Drafts, publication, history and rollback of scripts, kept in the database so every process agrees.

The files in `ivr_scripts/` are where scripts start and how they travel through git; once a line has been
published here, its newest publication is what new calls get, whatever the file says (`callflow scripts
import` brings a file's edits in as a new version, `export` writes the live texts back). Every save is an
immutable version; publishing puts one in service for new calls after it passed the same checks a file must
pass; a rollback is a new publication of an older version, so the history reads as what happened.

A publication parses its text once: the trial against the lines in service loads it, and that loaded script
is what this process puts in service (`LiveScripts.published_here`); the tables are `store/publications.py`.
"""

from __future__ import annotations

from pathlib import Path

from callflow.domain.errors import FieldError
from callflow.domain.script.lint import lint_text
from callflow.domain.script.loader import forbidden_characters, parse_script, script_version
from callflow.domain.script.model import Script
from callflow.domain.script.problems import ScriptInvalid, ScriptProblem, errors_in
from callflow.services import routers
from callflow.store import publications
from callflow.store.publications import Live

MAX_TEXT = 256 * 1024  # the loader's own limit refuses more; a draft that size is a mistake, not a script
NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_-.")

__all__ = ["Live", "NoSuchVersion", "PublishingError", "check_name", "export_to", "import_file", "publish", "save_draft"]


class PublishingError(FieldError):
    """A request the history cannot take, with the field at fault."""


class NoSuchVersion(PublishingError):
    """No saved version by that id (of that line, when one is named)."""


def check_name(name: str) -> str:
    """A script's name is its file name in ivr_scripts/: `acme_bank.yaml`."""
    if not name.endswith((".yaml", ".yml")) or not set(name) <= NAME_CHARS or name.startswith(".") \
            or len(name) > 128:
        raise PublishingError("name", "a file name of lower-case letters, digits, '_', '-' ending in .yaml")
    return name


def valid_name(name: str) -> bool:
    """Whether a name can be a line's script (a page answers 404 otherwise)."""
    try:
        check_name(name)
    except PublishingError:
        return False
    return True


def save_draft(rt, name: str, text: str, author: str, note: str = ""):
    """Keep a text as a new version of the line's script. Drafts may be invalid; they cannot be published."""
    check_name(name)
    if len(text) > MAX_TEXT:
        raise PublishingError("text", f"the script is over {MAX_TEXT // 1024} KiB")
    unreadable = forbidden_characters(text, name)
    if unreadable:  # never a script, and PostgreSQL cannot even store a NUL
        raise PublishingError("text", f"line {unreadable[0].line}: {unreadable[0].message}")
    now = rt.clock.now()
    with rt.sessions() as session:
        version = publications.add_version(session, name, script_version(text), text, author, now,
                                           note.strip()[:2000])
        publications.audit(session, author, "save-draft", name, now,
                           f"version {version.id}" + (f": {note}" if note else ""))
        session.commit()
        session.expunge(version)
    return version


def publish(rt, version_id: int, by: str, reason: str = "", action: str = "publish",
            name: str | None = None) -> Script:
    """Put a version in service for new calls, if it loads and clashes with no other line; calls in progress
    keep theirs. Raises ScriptInvalid (with lines and fields) or PublishingError (NoSuchVersion: none by that
    id, or, with `name`, one of another line)."""
    in_service = rt.scripts
    with rt.sessions() as session:
        version = publications.get_version(session, version_id)
        if version is None or (name is not None and version.name != name):
            raise NoSuchVersion("version", f"no version {version_id}" + (f" of {name}" if name else ""))
        script = in_service.trial().publish(version.name, version.text, version.name)  # raises ScriptInvalid
        _record(rt, session, version, script, by, reason, action)
    return script


def _record(rt, session, version, script: Script, by: str, reason: str, action: str) -> None:
    """Record the publication of a checked version and put its loaded script in service here."""
    in_service, now = rt.scripts, rt.clock.now()
    live = publications.live_versions(session).get(version.name)
    if live is not None and live.version.id == version.id:
        raise PublishingError("version", f"version {version.id} is already in service")
    if live is None and version.name in in_service.current:  # first publication here: keep the file's text
        _record_file_in_service(session, version.name, in_service, now)  # so the history can roll back to it
    publications.add_publication(session, version.name, version.id, by, reason.strip()[:2000], now)
    publications.audit(session, by, action, version.name, now,
                       f"version {version.id}" + (f": {reason}" if reason else ""))
    session.commit()
    rt.live_scripts.published_here(version.name, script, version.text)
    routers.queue_training(rt, script)  # a worker trains its router; no caller waits for it


def _record_file_in_service(session, name: str, in_service, now) -> None:
    text = in_service.texts[in_service.current[name].version]
    base = publications.add_version(session, name, script_version(text), text, "ivr_scripts", now,
                                    note=f"the file ivr_scripts/{name}, in service before the first publication here")
    publications.add_publication(session, name, base.id, "ivr_scripts", f"in service from the file ivr_scripts/{name}",
                                 now)


def import_file(rt, path: Path, by: str, reason: str = "") -> Script:
    """A file's text as a new version, published (refused with its problems if it does not load)."""
    text = path.read_text(encoding="utf-8")
    with rt.sessions() as session:
        live = publications.live_versions(session).get(path.name)
        if live is not None and live.version.text == text:
            raise PublishingError("file", f"{path.name} is already in service as version {live.version.id}")
    # Checked before anything is saved, with problems named by the file's own path: a broken file leaves no trace.
    script = rt.scripts.trial().publish(path.name, text, str(path))
    saved = save_draft(rt, path.name, text, by, note=f"imported from {path}")
    with rt.sessions() as session:
        version = publications.get_version(session, saved.id)
        _record(rt, session, version, script, by, reason or f"imported from {path}", "import")
    return script


def export_to(rt, folder: Path) -> list[Path]:
    """Write every live text published here into a folder as its file (git-friendly), and list them."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with rt.sessions() as session:
        live = publications.live_versions(session)
    for name, item in sorted(live.items()):
        path = folder / name
        temporary = path.with_suffix(path.suffix + ".tmp")
        temporary.write_text(item.version.text, encoding="utf-8")
        temporary.replace(path)  # a watching process never reads half a file
        written.append(path)
    return written


# -- what the admin section and `callflow scripts` show ----------------------------------------------------------

def lines(rt) -> list[dict]:
    """Every line in service or published here: its script, where it comes from, and its drafts."""
    rt.script_for_number("")  # pick up publications and file changes first
    in_service = rt.scripts
    with rt.sessions() as session:
        live = publications.live_versions(session)
        drafts = {name: publications.latest_draft(session, name) for name in set(live) | set(in_service.current)}
    return [{"name": name, "script": in_service.current.get(name), "published": live.get(name),
             "draft": drafts.get(name), "problems": in_service.problems.get(name, [])}
            for name in sorted(set(in_service.current) | set(live))]


def live_text(rt, name: str) -> str | None:
    """The text new calls get now for this line."""
    script = rt.scripts.current.get(name)
    return rt.scripts.texts.get(script.version) if script is not None else None


def latest_draft(rt, name: str):
    """The newest version saved after the live one and never published (the work in progress), if any."""
    with rt.sessions() as session:
        return publications.latest_draft(session, name)


def version_text(rt, version_id: int) -> str | None:
    """A saved version's text."""
    with rt.sessions() as session:
        version = publications.get_version(session, version_id)
    return version.text if version is not None else None


def known(rt, name: str) -> bool:
    """Whether a line's script exists: in service, or saved here (a draft not yet published)."""
    if name in rt.scripts.current:
        return True
    with rt.sessions() as session:
        return publications.saved_here(session, name)


def history(rt, name: str) -> tuple[list, list, Live | None]:
    """A line's publications and saved versions, newest first, and its live version (if published here)."""
    with rt.sessions() as session:
        return (publications.publications_of(session, name), publications.versions_of(session, name),
                publications.live_versions(session).get(name))


def audit_trail(rt, limit: int = 200) -> list:
    """The newest entries of the audit trail."""
    with rt.sessions() as session:
        return publications.audit_trail(session, limit)


def check_text(rt, name: str, text: str) -> tuple[Script | None, list[ScriptProblem]]:
    """A text as the editor shows it, from one parse: its script (for the diagram, if its shape allows) and
    every problem publishing it would meet (the linter's, and clashes with other lines)."""
    in_service = rt.scripts
    script, problems = parse_script(text, name, in_service.dial_countries)
    problems = sorted(problems, key=lambda p: (p.line, p.column, p.field))
    if script is not None and not errors_in(problems):
        try:
            in_service.trial().put(name, script, text)
        except ScriptInvalid as invalid:
            problems = sorted(problems + invalid.problems, key=lambda p: (p.line, p.column, p.field))
    return script, problems


def lint_errors(rt, name: str, text: str) -> int:
    """How many errors the linter finds in a text (a saved draft: what stands between it and publishing)."""
    return len(errors_in(lint_text(text, name, rt.scripts.dial_countries)))
