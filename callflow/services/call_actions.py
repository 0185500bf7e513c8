"""What agents do with their calls from the console: transfer (cold or warm), end an abusive call, and file
the disposition afterwards.

Every call an agent transfers or ends is remembered until they file its disposition
(`callflow/store/calls_to_close.py`). Agents act only on their own calls; supervisors on anyone's. A refusal
is a `Refused` with the words for the agent and the HTTP status the console answers with.
"""

from __future__ import annotations

from callflow.services import console_view, queued, transfers
from callflow.services.console import names
from callflow.store import calls_to_close
from callflow.store.agents import list_agents
from callflow.store.dispositions import DispositionError, dispositions_of, file_disposition
from callflow.store.presence import Presence

__all__ = ["DispositionError", "Refused", "closing_for", "end_call", "file", "talking_on", "transfer"]


class Refused(Exception):
    """An action on a call that is not the agent's (403) or no longer possible (409), said plainly."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code


def _agents_with(rt, predicate) -> str | None:
    """The login of the first agent for whom `predicate(login)` holds (supervisors acting on others' calls)."""
    with rt.sessions() as db:
        logins = [agent.login for agent in list_agents(db)]
    return next((login for login in logins if predicate(login)), None)


def _on_the_call(rt, login: str, sid: str) -> bool:
    presence = rt.acd.presence.get(login)
    return presence is not None and presence.state is Presence.ON_CALL and presence.call == sid


def talking_on(rt, me: str, supervisor: bool, sid: str) -> str:
    """Who is talking with the caller: the agent `me` themself, or for a supervisor whoever it is."""
    if _on_the_call(rt, me, sid):
        return me
    if supervisor:
        owner = _agents_with(rt, lambda login: _on_the_call(rt, login, sid))
        if owner is None:
            raise Refused(409, "Nobody is talking with that caller now.")
        return owner
    if console_view.took_part(rt.redis, me, sid):
        raise Refused(409, "You are no longer on that call.")
    raise Refused(403, "That call is not yours.")


def _remember(rt, owner: str, sid: str, info, shown: dict[str, str], outcome: str) -> None:
    calls_to_close.remember_call(rt.redis, owner, sid, rt.clock.timestamp(), info,
                                 shown.get(info.department, info.department) if info else None, outcome=outcome)


def transfer(rt, sid: str, owner: str, department: str, warm: bool) -> str:
    """Pass the caller to another department; the department's name. TransferError when it cannot happen."""
    info = rt.acd.caller_info(sid)
    transfers.transfer(rt, sid, owner, department, warm=warm)
    shown = names(rt)
    _remember(rt, owner, sid, info, shown, "transferred")
    return shown.get(department, department)


def end_call(rt, sid: str, owner: str) -> None:
    """End the call (an abusive caller)."""
    info = rt.acd.caller_info(sid)
    transfers.end_call(rt, sid, owner)
    _remember(rt, owner, sid, info, names(rt), "abusive")


def closing_for(rt, me: str, supervisor: bool, sid: str) -> str:
    """Whose call is being closed: the agent's own (one they took part in), or anyone's for a supervisor."""
    presence = rt.acd.presence.get(me)
    if console_view.took_part(rt.redis, me, sid) or (presence is not None and presence.call == sid):
        return me
    if supervisor:
        return _agents_with(rt, lambda login: console_view.took_part(rt.redis, login, sid)) or me
    raise Refused(403, "That call is not yours.")


def file(rt, sid: str, owner: str, me: str, outcome: str, notes: str, promised: list[str]) -> None:
    """File the outcome of the call, notes and the actions promised to the caller (into the call summary).

    Refused (409) when `me` has filed one already; DispositionError (with the field) for a form to correct.
    """
    # Taking the call off the list first makes a double submit file once; a refused form puts it back.
    pending = calls_to_close.claim(rt.redis, owner, sid)
    try:
        with rt.sessions() as db:
            if pending is None and any(d.agent == me for d in dispositions_of(db, sid)):
                raise Refused(409, "You have already filed a disposition for this call.")
            file_disposition(db, sid, me, outcome, rt.clock.now(), notes=notes, promised=promised)
    except DispositionError:
        if pending is not None:
            calls_to_close.put_back(rt.redis, owner, sid, pending)
        raise
    calls_to_close.call_closed(rt.redis, owner, sid)
    if owner != me:
        calls_to_close.call_closed(rt.redis, me, sid)
    # The caller's SMS of the actions promised (if the line sends it), then the summary with the disposition.
    queued.enqueue(rt, "disposition_filed", sid, retry=queued.DATABASE_RETRY)
