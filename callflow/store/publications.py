"""The history of lines' scripts in the database: every saved version, every publication, the audit trail.

Versions are immutable and a publication is appended, never changed, so the newest publication of a line is
what is in service and a rollback is one more publication of an older version. The rules of what may be saved
or published live in `callflow/services/publishing.py`; this module only keeps the tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callflow.store.models import AuditEntry, ScriptPublication, ScriptVersion


@dataclass(frozen=True)
class Live:
    """A line's version in service and the publication that put it there."""

    version: ScriptVersion
    publication: ScriptPublication


def audit(session: Session, actor: str, action: str, target: str, now: datetime, detail: str = "") -> None:
    """Append to the audit trail (the caller commits)."""
    session.add(AuditEntry(at=now, actor=actor, action=action, target=target, detail=detail))


def add_version(session: Session, name: str, content_hash: str, text: str, author: str, now: datetime,
                note: str = "") -> ScriptVersion:
    """Keep a text as a new version of a line's script (flushed for its id; the caller commits)."""
    version = ScriptVersion(name=name, version=content_hash, text=text, author=author, note=note, created_at=now)
    session.add(version)
    session.flush()
    return version


def add_publication(session: Session, name: str, version_id: int, by: str, reason: str, now: datetime) -> None:
    """Put a saved version in service for the line (flushed; the caller commits)."""
    session.add(ScriptPublication(name=name, version_id=version_id, published_by=by, reason=reason,
                                  published_at=now))
    session.flush()


def get_version(session: Session, version_id: int) -> ScriptVersion | None:
    """A saved version by its id."""
    return session.get(ScriptVersion, version_id)


def live_versions(session: Session) -> dict[str, Live]:
    """The newest publication of every line published here, with its version."""
    newest = (select(ScriptPublication.name, func.max(ScriptPublication.id).label("id"))
              .group_by(ScriptPublication.name).subquery())
    rows = session.execute(select(ScriptPublication, ScriptVersion)
                           .join(newest, ScriptPublication.id == newest.c.id)
                           .join(ScriptVersion, ScriptVersion.id == ScriptPublication.version_id))
    return {publication.name: Live(version, publication) for publication, version in rows}


def saved_here(session: Session, name: str) -> bool:
    """Whether any version of a line's script was saved here."""
    return session.scalar(select(ScriptVersion.id).where(ScriptVersion.name == name).limit(1)) is not None


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
