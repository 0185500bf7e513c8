"""Who works here: adding and removing agents, which touches both where they are described and where they work.

An agent is a database row (name, login, skills) and, once they have logged in, a presence in Redis that the
call distributor reads. Removing only the row would leave an available presence behind, and the distributor
would go on ringing a phone nobody answers for us; so removal first takes the agent out of every queue's idle
list, and is refused while a call is offered to them or in progress.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from callflow.services import console_view, queued
from callflow.store.acd import ACD
from callflow.store.agents import ROLES, AgentError, add_agent, find_agent, list_agents, set_languages
from callflow.store.models import Agent
from callflow.store.presence import Presence

__all__ = ["BUSY_STATES", "ROLES", "AgentError", "add", "everyone", "hire", "languages_changed", "remove", "retire",
           "view"]

BUSY = (Presence.OFFERED, Presence.ON_CALL)
BUSY_STATES = frozenset(p.value for p in BUSY)  # an agent's view's `state` while a call is offered or on


def hire(session: Session, login: str, name: str, password: str, reach: str, departments: Iterable[str],
         role: str, known: Iterable[str], languages: str = "") -> Agent:
    """Add an agent whose departments all exist on some line (a typo would leave them never offered a call)."""
    chosen = [d.strip() for d in departments if d.strip()]
    known = set(known)
    if not name.strip():
        raise AgentError("name", "the name callers' screen pops and supervisors will see")
    if not chosen:
        raise AgentError("departments", "at least one department, preferred first")
    unknown = [d for d in chosen if d not in known]
    if unknown:
        raise AgentError("departments", f"no department {', '.join(map(repr, unknown))} on any line "
                                        f"(known: {', '.join(sorted(known))})")
    if len(set(chosen)) != len(chosen):
        raise AgentError("departments", "each department once")
    return add_agent(session, login, name.strip(), password, reach.strip(), chosen, role, languages)


def languages_changed(rt, login: str, languages: str) -> Agent:
    """New languages for an agent (AgentError names the field, LookupError: no such agent): in their record,
    and in their presence at once, so a caller waiting for a speaker of one they gained is offered to them now."""
    with rt.sessions() as db:
        agent = set_languages(db, login, languages)
        spoken, departments = agent.language_list(), agent.department_list()
    rt.acd.presence.set_languages(login, spoken)
    queued.enqueue(rt, "distribute", departments)
    return agent


def retire(session: Session, acd: ACD, login: str, now: float) -> None:
    """Remove an agent: out of every idle list first, then the row. LookupError if unknown, ValueError if busy."""
    agent = find_agent(session, login)
    if agent is None:
        raise LookupError(f"no agent {login!r}")
    presence = acd.presence.get(login)
    if presence is not None and presence.state in BUSY:
        raise ValueError(f"{agent.name} has a call; remove them when it has ended")
    if presence is not None:
        acd.set_presence(login, Presence.AWAY, [], now)
    session.delete(agent)
    session.commit()


# -- for the staff page: the same, on the process's runtime ----------------------------------------------------

def everyone(rt) -> tuple[list[Agent], dict[str, console_view.AgentView], dict[str, str]]:
    """Every agent, their presence by login, and the departments' names."""
    with rt.sessions() as db:
        agents = list_agents(db)
    team = {view.login: view for view in console_view.team(rt.acd, agents)}
    return agents, team, console_view.department_names(rt.scripts.current.values())


def view(rt, login: str) -> console_view.AgentView | None:
    """An agent and their presence, or None."""
    with rt.sessions() as db:
        agent = find_agent(db, login)
    return None if agent is None else console_view.agent_view(rt.acd, agent)


def add(rt, login: str, name: str, password: str, reach: str, departments: Iterable[str], role: str,
        languages: str = "") -> Agent:
    """Hire an agent into departments of the lines in service (AgentError names the field at fault)."""
    known = console_view.department_names(rt.scripts.current.values())
    with rt.sessions() as db:
        return hire(db, login, name, password, reach, departments, role, known, languages)


def remove(rt, login: str) -> None:
    """Retire an agent now (LookupError if unknown, ValueError during a call)."""
    with rt.sessions() as db:
        retire(db, rt.acd, login, rt.clock.timestamp())
