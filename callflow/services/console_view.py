"""What the agent console shows: presence, departments' queues, the screen pop of the call in hand, what the
agent may do with that call (transfer, end) and the calls they still have to close with a disposition.

It reads the queues, presence, caller details, the calls to close and the call log through the store, and
knows nothing of HTTP, so the console's pages and JSON are one view of the same plain data. Times are virtual
seconds from the shared clock, passed in as `now`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from callflow.domain import languages
from callflow.domain.hold import human_wait
from callflow.store.acd import ACD
from callflow.store.calls_to_close import is_to_close, remember_call, to_close
from callflow.store.dispositions import OUTCOMES
from callflow.store.models import Agent
from callflow.store.presence import Presence
from callflow.store.promises import Promises
from callflow.store.summaries import calls_from

SHOWN_PER_QUEUE = 50  # the rest of a long queue is counted, not listed
NO_LINE = "Other departments"  # served by agents, but on no line in service
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
    """A department's queue now: who waits, the longest wait, and what a caller joining now would be promised."""

    department: str
    name: str
    size: int
    longest_wait: float | None
    callers: tuple[WaitingCaller, ...]
    estimate: float | None = None  # seconds: the hold manager's promise to a caller joining now
    estimate_words: str | None = None  # as the caller would hear it


@dataclass(frozen=True)
class LineQueues:
    """One line's queues under its name: a centre answering several lines (a bank, a clinic) lists each apart."""

    line: str
    queues: tuple[QueueView, ...]


@dataclass(frozen=True)
class PreviousCall:
    """An earlier call from the same number, from the call log."""

    sid: str
    started_at: datetime
    status: str
    department: str | None
    department_name: str | None
    duration_seconds: int | None
    outcome: str | None = None  # from the call's summary, once written: what came of it
    agents: tuple[str, ...] = ()
    notes: str = ""
    promised: tuple[str, ...] = ()  # what we told the caller we would do: the agent checks it was done


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
    language: str = ""  # "Spanish-speaking caller, interpreter needed" (`languages.caller_note`); "": the line's


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
    back_at: float | None = None  # on a break: when they said they would be back


def department_names(scripts: Iterable) -> dict[str, str]:
    """Department id -> display name, over every script in service."""
    return {dept_id: dept.name for script in scripts for dept_id, dept in script.departments.items()}


def department_lines(scripts: Iterable) -> dict[str, str]:
    """Department id -> its line's name, lines in alphabetical order and each line's departments in the order
    its script lists them (the administrators' order, not the alphabet's)."""
    ordered = sorted(scripts, key=lambda script: script.company.lower())
    return {dept_id: script.company for script in ordered for dept_id in script.departments}


def by_line(queues: Iterable[QueueView], lines: dict[str, str]) -> list[LineQueues]:
    """Queues grouped under their line, in the order the queues come; departments of no line in service last."""
    groups: dict[str, list[QueueView]] = {}
    for queue in queues:
        groups.setdefault(lines.get(queue.department, NO_LINE), []).append(queue)
    unplaced = groups.pop(NO_LINE, None)
    return [LineQueues(line, tuple(shown)) for line, shown in groups.items()] + \
        ([LineQueues(NO_LINE, tuple(unplaced))] if unplaced else [])


def agent_view(acd: ACD, agent: Agent) -> AgentView:
    """An agent with their presence; one who never set a presence counts as away."""
    presence = acd.presence.get(agent.login)
    return AgentView(agent.login, agent.name, agent.role, tuple(agent.department_list()),
                     presence.state.value if presence else Presence.AWAY.value,
                     presence.since if presence else None, presence.call if presence else None,
                     presence.back_at if presence else None)


def team(acd: ACD, agents: Iterable[Agent]) -> list[AgentView]:
    """Every agent's presence, for supervisors."""
    return [agent_view(acd, agent) for agent in agents]


def queue_view(acd: ACD, department: str, name: str, now: float, estimate: float | None = None) -> QueueView:
    """A department's queue, first in line first, with each caller's details when we still hold them."""
    waiting = acd.queues.waiting(department)
    shown = waiting[:SHOWN_PER_QUEUE]
    callers = []
    for place, info in zip(shown, acd.callers([place.sid for place in shown]), strict=True):
        callers.append(WaitingCaller(place.position, place.sid, info.caller if info else "",
                                     info.name if info else None, place.kind,
                                     max(0.0, now - place.entered_at)))
    longest = max((now - place.entered_at for place in waiting), default=None)
    return QueueView(department, name, len(waiting), None if longest is None else max(0.0, longest),
                     tuple(callers), estimate, human_wait(estimate) if estimate is not None else None)


def screen_pop(acd: ACD, session: Session, view: AgentView, names: dict[str, str],
               script_for: Callable | None = None) -> ScreenPop | None:
    """The screen pop of the caller offered to or talking with this agent, else None (`script_for`: a called
    number's script, whose first language a caller's is told apart from)."""
    if view.state not in {p.value for p in BUSY} or not view.call:
        return None
    info = acd.caller_info(view.call)
    if info is None:  # the caller hung up and their details are gone
        return None
    # The wait ended when the call was offered (or answered), which is when the presence changed.
    waited = max(0.0, view.since - info.entered_at) if view.since and info.entered_at else None
    return ScreenPop(info.sid, view.state, info.caller, info.name, info.department,
                     names.get(info.department, info.department), info.path, info.said, waited,
                     tuple(previous_calls(session, info.caller, names, exclude=info.sid)),
                     _language_note(acd, info, script_for))


def _language_note(acd: ACD, info, script_for: Callable | None) -> str:
    """What the whisper said of the caller's language, to read while talking."""
    script = script_for(info.line) if script_for and info.language else None
    return languages.caller_note(info.language, script.language if script else "", acd.interpreter_needed(info.sid))


def previous_calls(session: Session, caller: str, names: dict[str, str], exclude: str | None = None,
                   limit: int = PREVIOUS_CALLS) -> list[PreviousCall]:
    """The number's latest calls before this one, newest first."""
    if not caller:
        return []
    previous = []
    for c, summary in calls_from(session, caller, exclude, limit):
        previous.append(PreviousCall(c.sid, c.started_at, c.status, c.department,
                                     names.get(c.department or "", c.department), c.duration_seconds,
                                     summary.get("outcome"), tuple(summary.get("agents", ())),
                                     summary.get("notes", ""), tuple(summary.get("actions_promised", ()))))
    return previous


# -- during and after the call -------------------------------------------------------------------------------

OUTCOME_LABELS = {"resolved": "Resolved", "follow-up": "Follow-up needed", "transferred": "Transferred",
                  "callback-promised": "Callback promised", "abusive": "Abusive caller",
                  "no-action": "No action needed"}


@dataclass(frozen=True)
class CallControls:
    """What an agent may do with the call in hand: transfer it (to any other department of the line) or end it."""

    sid: str
    agent: str
    department: str
    department_name: str
    targets: tuple[tuple[str, str], ...]  # (department id, name), the current department left out
    transferred_by: str | None  # who last transferred this caller (the agent themself after a warm transfer)


@dataclass(frozen=True)
class CallToClose:
    """A call the agent took part in and has not filed a disposition for yet."""

    sid: str
    agent: str
    caller: str
    name: str | None
    department_name: str
    since: float
    outcome: str | None  # suggested, from what the agent did (transferred, ended as abusive)
    outcomes: tuple[tuple[str, str], ...]
    more: int  # further calls still to close after this one


def took_part(connection, login: str, sid: str) -> bool:
    """Whether the agent was on this call: in their calls to close, or answered it (the caller's call log)."""
    if is_to_close(connection, login, sid):
        return True
    return any(event.get("event") == "agent-answered" and event.get("agent") == login
               for event in Promises(connection).history(sid))


def watch_call(acd: ACD, view: AgentView, names: dict[str, str], now: float) -> None:
    """Remember the call an agent is talking on or wrapping up, so its disposition is asked for afterwards."""
    if view.call and view.state in (Presence.ON_CALL.value, Presence.WRAP_UP.value):
        info = acd.caller_info(view.call)
        remember_call(acd.connection, view.login, view.call, now, info,
                      names.get(info.department, info.department) if info else None)


def call_controls(acd: ACD, view: AgentView, script_for: Callable) -> CallControls | None:
    """The transfer and end-call controls, while the agent is talking with a caller still on the line."""
    if view.state != Presence.ON_CALL.value or not view.call:
        return None
    info = acd.caller_info(view.call)
    if info is None:
        return None
    script = script_for(info.line)
    departments = script.departments if script is not None else {}
    current = departments.get(info.department)
    targets = tuple(sorted(((d, dept.name) for d, dept in departments.items() if d != info.department),
                           key=lambda pair: pair[1].lower()))
    return CallControls(info.sid, view.login, info.department, current.name if current else info.department,
                        targets, acd.flag(info.sid, "transferred_by"))


def call_to_close(acd: ACD, view: AgentView) -> CallToClose | None:
    """The agent's oldest call still without a disposition, leaving out the call they are on now."""
    live = view.call if view.state in {p.value for p in BUSY} else None
    waiting = sorted(((entry, sid, suggested) for sid, entry, suggested in to_close(acd.connection, view.login)
                      if sid != live), key=lambda found: (found[0]["since"], found[1]))
    if not waiting:
        return None
    entry, sid, suggested = waiting[0]
    return CallToClose(sid, view.login, entry.get("caller") or "", entry.get("name"),
                       entry.get("department_name") or "", entry["since"], suggested,
                       tuple((o, OUTCOME_LABELS.get(o, o)) for o in OUTCOMES), len(waiting) - 1)
