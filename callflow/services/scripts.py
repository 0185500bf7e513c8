"""The scripts a process serves: the folder's files with each line's newest publication over its file, kept
current before every new call, and any version a call in progress started with.

A script has three homes, each with one job: its file in `ivr_scripts/` (where it starts and how it travels
through git), the database's publications (what an administrator put in service: `store/publications.py`)
and Redis (each version's text, so any process can run any live call's version: `store/scripts.py`). This
module builds the process's library from them; it parses a text once per process (`ScriptLibrary.publish`
knows the versions it has loaded). A serving web process (`services/warm_up.py`) never parses while a caller
waits: its keeper re-reads the scripts beside the traffic and swaps the new library in whole.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import redis

from callflow.domain.script.library import ScriptLibrary, load_library
from callflow.domain.script.loader import load_script_text
from callflow.domain.script.model import HoldPolicy, Script
from callflow.domain.script.problems import ScriptInvalid
from callflow.services import cold_work
from callflow.store import publications
from callflow.store import scripts as shared

log = logging.getLogger(__name__)


class LiveScripts:
    """One process's scripts in service (`Runtime.scripts`, `Runtime.script_for_number`, ...)."""

    def __init__(self, rt) -> None:
        self.rt = rt
        self._library: ScriptLibrary | None = None
        self._stamp: tuple = (None, None)
        self._shared_versions: set[str] = set()
        self._reloading = threading.Lock()  # the keeper's reload and this process's own publications, one at a time
        self.serving = False  # a web process after its warm-up: scripts are re-read by its keeper, not by calls

    @property
    def library(self) -> ScriptLibrary:
        """The library, loaded on first use (the files, then the publications over them)."""
        if self._library is None:
            cold_work.note("parsed the scripts in service")
            self._stamp = self._current_stamp()
            library = load_library(self.rt.settings.ivr_scripts, frozenset(self.rt.settings.callback_countries))
            self._overlay_published(library)
            self._library = library
        return self._library

    def _current_stamp(self) -> tuple:
        """What would change the scripts in service: the folder's files, and publications from the browser."""
        try:
            published = shared.publications(self.rt.redis)
        except redis.RedisError:  # Redis is down: go on with the scripts in memory
            published = self._stamp[1]
        return folder_stamp(self.rt.settings.ivr_scripts), published

    def _overlay_published(self, library: ScriptLibrary) -> None:
        """Put each line's newest publication (admin section, `callflow scripts`) over its file."""
        try:
            with self.rt.sessions() as session:
                live = publications.live_versions(session)
        except Exception:  # the database is down: the files (or what is in memory) stay in service
            log.exception("could not read published scripts; serving the files")
            return
        for name, item in sorted(live.items()):
            try:
                library.publish(name, item.version.text, f"{name} (version {item.version.id})")
            except ScriptInvalid as invalid:  # e.g. a file added since claims its number
                log.error("published %s version %s refused: %s", name, item.version.id, invalid)

    def changed(self) -> None:
        """A publication happened: every process reloads its scripts before its next new call."""
        shared.announce_publication(self.rt.redis)

    def published_here(self, name: str, script: Script, text: str) -> None:
        """This process published a script it has loaded: put it in service here at once, without parsing
        it again, share its text, and tell the other processes (they reload before their next new call)."""
        with self._reloading:
            self._published_here(name, script, text)

    def _published_here(self, name: str, script: Script, text: str) -> None:
        library = self.library
        before = self._current_stamp()
        library.put(name, script, text)
        shared.share(self.rt.redis, script.version, text, keep_existing=True)  # any process can run its calls
        self._shared_versions.add(script.version)
        count = shared.announce_publication(self.rt.redis)
        if before == self._stamp and int(before[1] or 0) + 1 == count:  # only ours happened since: no reload
            self._stamp = (before[0], str(count).encode())

    def interpreter_after(self, department: str) -> float:
        """How long a department's callers wait for an agent of their language before any agent may take them:
        its line's `hold.interpreter_after_seconds` (the default for a department of no line in service)."""
        for script in self.library.current.values():
            if department in script.departments:
                return script.hold.interpreter_after_seconds
        return HoldPolicy.interpreter_after_seconds

    def for_number(self, called: str) -> Script | None:
        """The script in service for a called number, shared with every process by version so the call
        keeps it to the end. Scripts are re-read when the folder's files change (a stat per file per new
        call) or something was published (one Redis read)."""
        if not self.serving:
            self.refresh()
        library = self.library
        script = library.for_number(called)
        if script is not None and script.version not in self._shared_versions:
            shared.share(self.rt.redis, script.version, library.texts[script.version], keep_existing=True)
            self._shared_versions.add(script.version)
        return script

    def refresh(self) -> bool:
        """Re-read the scripts if the folder's files changed or something was published; whether they were.
        A new library is built beside the one in service and swapped in whole, so calls never see half of it."""
        with self._reloading:
            library = self.library
            stamp = self._current_stamp()
            if stamp == self._stamp:
                return False
            cold_work.note("re-read the scripts in service")
            fresh = ScriptLibrary(library.folder, current=dict(library.current), versions=dict(library.versions),
                                  texts=dict(library.texts), dial_countries=library.dial_countries)
            for name, found in fresh.reload().items():
                log.error("script %s refused, its last valid version stays in service: %s", name, found[0])
            self._overlay_published(fresh)
            self._library, self._stamp = fresh, stamp
            return True

    def version(self, version: str) -> Script | None:
        """The script version a call started with, from this process or from the one that started it."""
        library = self.library
        script = library.version(version)
        if script is None:
            text = shared.shared_text(self.rt.redis, version)
            if text is None:
                text = self._saved_text(version)
            if text is None:
                return None
            cold_work.note(f"parsed script version {version}")
            script = load_script_text(text, f"version {version}")
            library.versions[version] = script
            library.texts[version] = text
        return script

    def _saved_text(self, version: str) -> str | None:
        """A version's text from the database (saved in the admin section), when Redis no longer has it."""
        with self.rt.sessions() as session:
            saved = publications.find_version(session, version)
        return saved.text if saved is not None else None

    def share_text(self, version: str, text: str) -> None:
        """Make a script version (a draft under test) runnable by every process for a call's life."""
        shared.share(self.rt.redis, version, text)


def folder_stamp(folder) -> tuple:
    """What changed in a scripts folder: names, sizes and modification times of its files."""
    return tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in Path(folder).glob("*.y*ml")))
