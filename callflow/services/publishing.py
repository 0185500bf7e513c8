"""Drafts, publication, history and rollback of scripts, kept in the database so every process agrees.

The files in `ivr_scripts/` are where scripts start and how they travel through git; once a line has been
published here, its newest publication is what new calls get, whatever the file says (`callflow scripts
import` brings a file's edits in as a new version, `export` writes the live texts back). Every save is an
immutable version; publishing puts one in service for new calls after it passed the same checks a file must
pass; a rollback is a new publication of an older version, so the history reads as what happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callflow.domain.errors import FieldError
from callflow.domain.script.library import ScriptLibrary
from callflow.domain.script.loader import forbidden_characters, script_version
from callflow.domain.script.model import Script
from callflow.domain.script.problems import ScriptInvalid, ScriptProblem
from callflow.store.models import AuditEntry, ScriptPublication, ScriptVersion

MAX_TEXT = 256 * 1024  # the loader's own limit refuses more; a draft that size is a mistake, not a script
NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_-.")


class PublishingError(FieldError):
    """A request the history cannot take, with the field at fault."""


@dataclass(frozen=True)
class Live:
    """A line's version in service and the publication that put it there."""

    version: ScriptVersion
    publication: ScriptPublication


def check_name(name: str) -> str:
    """A script's name is its file name in ivr_scripts/: `acme_bank.yaml`."""
    if not name.endswith((".yaml", ".yml")) or not set(name) <= NAME_CHARS or name.startswith(".") \
            or len(name) > 128:
        raise PublishingError("name", "a file name of lower-case letters, digits, '_', '-' ending in .yaml")
    return name


def audit(session: Session, actor: str, action: str, target: str, now: datetime, detail: str = "") -> None:
    """Append to the audit trail (the caller commits)."""
    session.add(AuditEntry(at=now, actor=actor, action=action, target=target, detail=detail))


def save_draft(session: Session, name: str, text: str, author: str, now: datetime,
               note: str = "") -> ScriptVersion:
    """Keep a text as a new version of the line's script. Drafts may be invalid; they cannot be published."""
    check_name(name)
    if len(text) > MAX_TEXT:
        raise PublishingError("text", f"the script is over {MAX_TEXT // 1024} KiB")
    unreadable = forbidden_characters(text, name)
    if unreadable:  # never a script, and PostgreSQL cannot even store a NUL
        raise PublishingError("text", f"line {unreadable[0].line}: {unreadable[0].message}")
    version = ScriptVersion(name=name, version=script_version(text), text=text, author=author,
                            note=note.strip()[:2000], created_at=now)
    session.add(version)
    session.flush()
    audit(session, author, "save-draft", name, now, f"version {version.id}" + (f": {note}" if note else ""))
    session.commit()
    return version


def publish(session: Session, version_id: int, by: str, now: datetime, in_service: ScriptLibrary,
            reason: str = "", action: str = "publish") -> Script:
    """Put a version in service for new calls, if it loads and clashes with no other line; calls in progress
    keep theirs. Raises ScriptInvalid (with lines and fields) or PublishingError."""
    version = session.get(ScriptVersion, version_id)
    if version is None:
        raise PublishingError("version", f"no version {version_id}")
    trial = in_service.trial()
    script = trial.publish(version.name, version.text, version.name)  # raises ScriptInvalid
    live = live_versions(session).get(version.name)
    if live is not None and live.version.id == version.id:
        raise PublishingError("version", f"version {version.id} is already in service")
    if live is None and version.name in in_service.current:  # first publication here: keep the file's text
        _record_file_in_service(session, version.name, in_service, now)  # so the history can roll back to it
    session.add(ScriptPublication(name=version.name, version_id=version.id, published_by=by,
                                  reason=reason.strip()[:2000], published_at=now))
    audit(session, by, action, version.name, now, f"version {version.id}" + (f": {reason}" if reason else ""))
    session.commit()
    return script


def _record_file_in_service(session: Session, name: str, in_service: ScriptLibrary, now: datetime) -> None:
    text = in_service.texts[in_service.current[name].version]
    base = ScriptVersion(name=name, version=script_version(text), text=text, author="ivr_scripts",
                         note=f"the file ivr_scripts/{name}, in service before the first publication here",
                         created_at=now)
    session.add(base)
    session.flush()
    session.add(ScriptPublication(name=name, version_id=base.id, published_by="ivr_scripts",
                                  reason=f"in service from the file ivr_scripts/{name}", published_at=now))
    session.flush()


def live_versions(session: Session) -> dict[str, Live]:
    """The newest publication of every line published here, with its version."""
    newest = (select(ScriptPublication.name, func.max(ScriptPublication.id).label("id"))
              .group_by(ScriptPublication.name).subquery())
    rows = session.execute(select(ScriptPublication, ScriptVersion)
                           .join(newest, ScriptPublication.id == newest.c.id)
                           .join(ScriptVersion, ScriptVersion.id == ScriptPublication.version_id))
    return {publication.name: Live(version, publication) for publication, version in rows}


def known(session: Session, name: str, in_service: ScriptLibrary) -> bool:
    """Whether a line's script exists: in service, or saved here (a draft not yet published)."""
    return name in in_service.current or session.scalar(
        select(ScriptVersion.id).where(ScriptVersion.name == name).limit(1)) is not None


def versions_of(session: Session, name: str) -> list[ScriptVersion]:
    """Every saved version of a line's script, newest first."""
    return list(session.scalars(select(ScriptVersion).where(ScriptVersion.name == name)
                                .order_by(ScriptVersion.id.desc())))


def publications_of(session: Session, name: str) -> list[tuple[ScriptPublication, ScriptVersion]]:
    """A line's publications, newest first: who put which version in service, when and why."""
    rows = session.execute(select(ScriptPublication, ScriptVersion)
                           .join(ScriptVersion, ScriptVersion.id == ScriptPublication.version_id)
                           .where(ScriptPublication.name == name).order_by(ScriptPublication.id.desc()))
    return [(publication, version) for publication, version in rows]


def latest_draft(session: Session, name: str) -> ScriptVersion | None:
    """The newest version saved after the live one and never published (the work in progress), if any."""
    live = live_versions(session).get(name)
    published = select(ScriptPublication.version_id).where(ScriptPublication.name == name)
    query = select(ScriptVersion).where(ScriptVersion.name == name, ScriptVersion.id.not_in(published))
    if live is not None:
        query = query.where(ScriptVersion.id > live.version.id)
    return session.scalars(query.order_by(ScriptVersion.id.desc()).limit(1)).first()


def find_version(session: Session, content_hash: str) -> ScriptVersion | None:
    """A saved version by the hash calls keep (a call on a version no process has in memory any more)."""
    return session.scalars(select(ScriptVersion).where(ScriptVersion.version == content_hash)
                           .order_by(ScriptVersion.id.desc()).limit(1)).first()


def audit_trail(session: Session, limit: int = 200) -> list[AuditEntry]:
    """The newest entries of the audit trail."""
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))


def import_file(session: Session, path: Path, by: str, now: datetime, in_service: ScriptLibrary,
                reason: str = "") -> Script:
    """A file's text as a new version, published (refused with its problems if it does not load)."""
    text = path.read_text(encoding="utf-8")
    live = live_versions(session).get(path.name)
    if live is not None and live.version.text == text:
        raise PublishingError("file", f"{path.name} is already in service as version {live.version.id}")
    # Checked before anything is saved, with problems named by the file's own path: a broken file leaves no trace.
    in_service.trial().publish(path.name, text, str(path))
    version = save_draft(session, path.name, text, by, now, note=f"imported from {path}")
    return publish(session, version.id, by, now, in_service, reason or f"imported from {path}", action="import")


def export_to(session: Session, folder: Path) -> list[Path]:
    """Write every live text published here into a folder as its file (git-friendly), and list them."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, live in sorted(live_versions(session).items()):
        path = folder / name
        temporary = path.with_suffix(path.suffix + ".tmp")
        temporary.write_text(live.version.text, encoding="utf-8")
        temporary.replace(path)  # a watching process never reads half a file
        written.append(path)
    return written


def problems_of(text: str, name: str, in_service: ScriptLibrary) -> list[ScriptProblem]:
    """Every problem publishing this text would meet: the linter's, and clashes with other lines."""
    from callflow.domain.script.lint import lint_text
    from callflow.domain.script.problems import errors_in

    problems = lint_text(text, name, in_service.dial_countries)
    if not errors_in(problems):
        try:
            in_service.trial().publish(name, text, name)
        except ScriptInvalid as invalid:
            problems = sorted(problems + invalid.problems, key=lambda p: (p.line, p.column, p.field))
    return problems
