"""The agent console's board: presence, departments' queues and the screen pop, and the call in hand.

An agent sees their own departments and call; supervisors and admins see every department and agent. The
page and its JSON are one view of the same plain data (`console_view.py`); this module gathers it for one
agent, with what the hold manager would promise a caller joining each queue now.
"""

from __future__ import annotations

import logging

from callflow.services import console_view, holding
from callflow.services.agents import set_presence
from callflow.store.agents import find_agent, list_agents
from callflow.store.presence import Presence

log = logging.getLogger(__name__)

TOGGLES = (Presence.AVAILABLE.value, Presence.AWAY.value)  # what an agent may set by hand
AWAY = Presence.AWAY.value
# Breaks an agent can take with a return time (minutes): callers' wait estimates count on them from then.
BREAKS = ("15", "30", "60")


def names(rt) -> dict[str, str]:
    """Department id -> display name, over every line in service."""
    return console_view.department_names(rt.scripts.current.values())


def agent(rt, login: str):
    """The agent with this login, or None."""
    with rt.sessions() as db:
        return find_agent(db, login)


def agents(rt) -> list:
    """Every agent, by login."""
    with rt.sessions() as db:
        return list_agents(db)


def has_call(rt, agent) -> bool:
    """Whether a call is offered to the agent or in progress (their presence then changes only with it)."""
    return console_view.agent_view(rt.acd, agent).state in {p.value for p in console_view.BUSY}


def change_presence(rt, login: str, state: str, back_in_minutes: int | None = None) -> None:
    """Available or away (on a break with a return time), by the agent or a supervisor."""
    set_presence(rt, login, state, back_in_minutes)


def _departments(agent, lines: dict[str, str], agents: list | None) -> list[str]:
    """The departments an agent may watch: their own in their order of preference, or for a supervisor every
    line's in the line's order, then those agents serve on no line in service."""
    if agents is None:
        return agent.department_list()
    served = {d for other in agents for d in other.department_list()}
    return list(lines) + sorted(served - set(lines))


def _call_in_hand(rt, view, names: dict[str, str], now: float) -> dict:
    """The call an agent is on (what they may do with it) and the call they still have to close."""
    console_view.watch_call(rt.acd, view, names, now)
    return {"controls": console_view.call_controls(rt.acd, view, rt.script_for_number),
            "to_close": console_view.call_to_close(rt.acd, view)}


def estimate(rt, department_id: str) -> float | None:
    """What the hold manager would promise a caller joining this department's queue now (seconds)."""
    department = next((script.departments[department_id] for script in rt.scripts.current.values()
                       if department_id in script.departments), None)
    if department is None:
        return None
    try:
        return holding.estimate(rt, department, "").promise_seconds
    except Exception:  # an estimate is a nicety on this page: never the reason it fails
        log.exception("no estimate for %s", department_id)
        return None


def board(rt, agent, supervisor: bool) -> dict:
    """Everything the console page shows for this agent, as data (`supervisor`: every department and agent)."""
    now, shown = rt.clock.timestamp(), names(rt)
    me = console_view.agent_view(rt.acd, agent)
    with rt.sessions() as db:
        everyone = list_agents(db) if supervisor else None
        pop = console_view.screen_pop(rt.acd, db, me, shown, rt.script_for_number)
    lines = console_view.department_lines(rt.scripts.current.values())
    queues = [console_view.queue_view(rt.acd, d, shown.get(d, d), now, estimate(rt, d))
              for d in _departments(agent, lines, everyone)]
    team = None if everyone is None else console_view.team(rt.acd, everyone)
    return {"now": now, "agent": me, "queues": queues, "queue_lines": console_view.by_line(queues, lines),
            "screen_pop": pop, "team": team, "breaks": BREAKS, **_call_in_hand(rt, me, shown, now)}


def agent_board(rt, agent) -> dict:
    """One agent's presence and screen pop, and their call in hand."""
    now, shown = rt.clock.timestamp(), names(rt)
    me = console_view.agent_view(rt.acd, agent)
    with rt.sessions() as db:
        pop = console_view.screen_pop(rt.acd, db, me, shown, rt.script_for_number)
    return {"now": now, "agent": me, "screen_pop": pop, "breaks": BREAKS, **_call_in_hand(rt, me, shown, now)}


def queue(rt, department: str) -> tuple[float, console_view.QueueView]:
    """One department's queue now, and the time it was read."""
    now = rt.clock.timestamp()
    return now, console_view.queue_view(rt.acd, department, names(rt).get(department, department), now)
