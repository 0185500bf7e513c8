"""Agents passing a caller on: cold (back into the new department's queue) or warm (the next agent joins the
room and hears from the first), and ending a call. Every transfer teaches call steering about the misroute.
"""

from __future__ import annotations

from callflow.services import queued
from callflow.store.learning import record_misroute
from callflow.store.promises import Promises


class TransferError(ValueError):
    """A transfer that cannot happen, said plainly for the agent."""


def transfer(rt, caller_sid: str, agent: str, to_department: str, warm: bool = False) -> None:
    """Pass the caller to another department; the caller keeps their original place in line."""
    info = rt.acd.caller_info(caller_sid)
    if info is None:
        raise TransferError("that caller is no longer on the line")
    script = rt.script_for_number(info.line)
    if script is None or to_department not in script.departments:
        raise TransferError(f"no department {to_department!r} on this line")
    if to_department == info.department:
        raise TransferError("the caller is already with that department")
    now = rt.clock.now()
    with rt.sessions() as session:
        record_misroute(session, info.said, to_department, info.department, caller_sid, now,
                        language=info.language)
    queued.enqueue(rt, "retrain_router", info.line)
    rt.acd.transferring(caller_sid, to_department, agent, warm)
    Promises(rt.redis).log(caller_sid, "transfer", now.timestamp(), agent=agent, warm=warm,
                           **{"from": info.department, "to": to_department})
    Promises(rt.redis).log(caller_sid, "routed", now.timestamp(), department=to_department)
    if warm:
        # The caller stays in the room with the first agent; the next agent joins it.
        rt.acd.queues.join(to_department, caller_sid, entered_at=info.entered_at, priority=1)
        queued.enqueue(rt, "distribute", [to_department])
    else:
        rt.acd.queues.join(to_department, caller_sid, entered_at=info.entered_at)
        queued.enqueue(rt, "redirect_caller", caller_sid,
                       f"{rt.settings.public_url}/voice/transferred?department={to_department}")


def end_call(rt, caller_sid: str, agent: str) -> None:
    """The agent ends the call (e.g. an abusive caller): the caller's line is hung up, which ends the room;
    the agent's own leg then ends and they go to wrap-up as after any call."""
    rt.acd.mark(caller_sid, f"ended-by-{agent}")
    queued.enqueue(rt, "hang_up_caller", caller_sid)
