"""Whose call a webhook is about: the caller's details, their line's script and their department, and whether
their call has ended already (a late or replayed request must change nothing)."""

from __future__ import annotations

import logging

import redis

from callflow.domain.script.translated import in_language
from callflow.store import call_log
from callflow.store.acd import CallerInfo

log = logging.getLogger(__name__)


def placed(rt, sid: str, info: CallerInfo | None = None):
    """The caller's details, their line's script (in the caller's language) and their department, from the scripts this process has in
    memory: checking for newly published scripts (files' stats and a Redis read) is for new calls, and for a
    department this process does not know yet, not for every request of a caller already in line."""
    info = info or rt.acd.caller_info(sid)
    if info is None:
        raise LookupError(f"call {sid} has no place in any queue")
    script = rt.scripts.for_number(info.line)
    if script is None or info.department not in script.departments:  # published since this process looked
        script = rt.script_for_number(info.line)
    if info.language:  # the caller hears the line in their language, on hold as in the menus
        script = in_language(script, info.language)
    return info, script, script.departments[info.department]


def department_of(rt, sid: str, info: CallerInfo | None = None):
    """The caller's details and their department's settings."""
    info, _, department = placed(rt, sid, info)
    return info, department


def call_finished(rt, sid: str, ask_database: bool = True) -> bool:
    """Whether the call has ended: its final status callback came (Redis), or the call log says so (False
    when unknown, or Redis and the database are both down)."""
    try:
        if rt.live_calls.has_ended(sid):
            return True
    except redis.RedisError:
        log.warning("call %s: could not read whether the call ended from Redis", sid)
    if not ask_database:
        return False
    try:
        with rt.sessions() as session:
            return call_log.has_ended(session, sid)
    except Exception:
        log.exception("call %s: could not read the call log", sid)
        return False
