"""What the agent console shows: presence, departments' queues and the screen pop of the call in hand.

An adapter like `acd.py`: it reads Redis (queues, presence, caller details) and the call log, and knows
nothing of HTTP, so the console's pages and JSON are one view of the same plain data. Times are virtual
seconds from the shared clock, passed in as `now`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from callflow.acd import ACD, CALL_INFO_KEY, CallerInfo
from callflow.models import Agent, Call
from callflow.presence import Presence

SHOWN_PER_QUEUE = 50  # the rest of a long queue is counted, not listed
PREVIOUS_CALLS = 5
BUSY = (Presence.OFFERED, Presence.ON_CALL)  # presences whose `call` is the caller the agent is serving


@dataclass(frozen=True)
class WaitingCaller:
    """One place in a queue, as an agent of that department sees it."""

    position: int
    sid: str
    caller: str
    name: str | None
    kind: str
    waited: float


@dataclass(frozen=True)
class QueueView:
    """A department's queue now: who waits, the longest wait, and the estimate (the hold manager's, later)."""

    department: str
    name: str
    size: int
    longest_wait: float | None
    callers: tuple[WaitingCaller, ...]
    estimate: float | None = None


@dataclass(frozen=True)
class PreviousCall:
    """An earlier call from the same number, from the call log."""

    sid: str
    started_at: datetime
    status: str
    department: str | None
    department_name: str | None
    duration_seconds: int | None


@dataclass(frozen=True)
class ScreenPop:
    """Who is on the line for an agent who has been offered a call or is talking."""

    sid: str
    state: str
    caller: str
    name: str | None
    department: str
    department_name: str
    path: tuple[str, ...]
    said: tuple[str, ...]
    waited: float | None
    previous: tuple[PreviousCall, ...]


@dataclass(frozen=True)
class AgentView:
    """An agent and their presence, for their own console and the supervisor's team list."""

    login: str
    name: str
    role: str
    departments: tuple[str, ...]
    state: str
    since: float | None
    call: str | None


def department_names(scripts: Iterable) -> dict[str, str]:
    """Department id -> display name, over every script in service."""
    return {dept_id: dept.name for script in scripts for dept_id, dept in script.departments.items()}


def agent_view(acd: ACD, agent: Agent) -> AgentView:
    """An agent with their presence; one who never set a presence counts as away."""
    presence = acd.presence.get(agent.login)
    return AgentView(agent.login, agent.name, agent.role, tuple(agent.department_list()),
                     presence.state.value if presence else Presence.AWAY.value,
                     presence.since if presence else None, presence.call if presence else None)


def team(acd: ACD, agents: Iterable[Agent]) -> list[AgentView]:
    """Every agent's presence, for supervisors."""
    return [agent_view(acd, agent) for agent in agents]


def queue_view(acd: ACD, department: str, name: str, now: float) -> QueueView:
    """A department's queue, first in line first, with each caller's details when we still hold them."""
    waiting = acd.queues.waiting(department)
    shown = waiting[:SHOWN_PER_QUEUE]
    with acd.connection.pipeline(transaction=False) as pipe:
        for place in shown:
            pipe.hgetall(CALL_INFO_KEY + place.sid)
        details = pipe.execute()
    callers = []
    for place, raw in zip(shown, details, strict=True):
        info = CallerInfo.from_redis(place.sid, raw) if raw else None
        callers.append(WaitingCaller(place.position, place.sid, info.caller if info else "",
                                     info.name if info else None, place.kind,
                                     max(0.0, now - place.entered_at)))
    longest = max((now - place.entered_at for place in waiting), default=None)
    return QueueView(department, name, len(waiting), None if longest is None else max(0.0, longest),
                     tuple(callers))


def screen_pop(acd: ACD, session: Session, view: AgentView, names: dict[str, str]) -> ScreenPop | None:
    """The screen pop of the caller offered to or talking with this agent, else None."""
    if view.state not in {p.value for p in BUSY} or not view.call:
        return None
    info = acd.caller_info(view.call)
    if info is None:  # the caller hung up and their details are gone
        return None
    # The wait ended when the call was offered (or answered), which is when the presence changed.
    waited = max(0.0, view.since - info.entered_at) if view.since and info.entered_at else None
    return ScreenPop(info.sid, view.state, info.caller, info.name, info.department,
                     names.get(info.department, info.department), info.path, info.said, waited,
                     tuple(previous_calls(session, info.caller, names, exclude=info.sid)))


def previous_calls(session: Session, caller: str, names: dict[str, str], exclude: str | None = None,
                   limit: int = PREVIOUS_CALLS) -> list[PreviousCall]:
    """The number's latest calls before this one, newest first."""
    if not caller:
        return []
    query = select(Call).where(Call.caller == caller).order_by(Call.started_at.desc()).limit(limit)
    if exclude:
        query = query.where(Call.sid != exclude)
    return [PreviousCall(c.sid, c.started_at, c.status, c.department, names.get(c.department or "", c.department),
                         c.duration_seconds)
            for c in session.scalars(query)]
