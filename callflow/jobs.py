"""RQ entry points: module-level functions that take ids and primitives, never ORM objects.

Each is a few lines calling one use case of `callflow/services/` on this worker process's runtime, built
from the environment once (`preload`, at the worker's start). Their names are what RQ keeps in Redis
(`callflow.jobs.<name>`), so they stay put when the services behind them move. Code that already holds a
runtime (web requests, the CLI) calls the services directly.
"""

from __future__ import annotations

from callflow.runtime import Runtime
from callflow.services import (
    after_call,
    agents,
    callback_sweeper,
    callback_turns,
    callbacks,
    holding,
    ivr,
    ringing,
    routers,
    summaries,
    wallboard,
    worker,
)
from callflow.settings import Settings

_runtime: Runtime | None = None


def runtime() -> Runtime:
    """This worker process's resources, built from the environment on first use."""
    global _runtime
    if _runtime is None:
        _runtime = Runtime(Settings.from_env())
    return _runtime


def preload() -> Runtime:
    """Build this process's runtime and what jobs use before the first job (`services/worker.py`)."""
    rt = runtime()
    worker.prepare(rt)
    return rt


def close_call(call_sid: str, status: str, ended_at: float, duration: int | None, caller: str | None = None,
               called: str | None = None) -> bool:
    """Twilio reported the end of a call: a caller who gave up waiting teaches their department's wait
    estimates their patience (once), then the call's record is closed and its summary written."""
    rt = runtime()
    holding.learn_patience(rt, call_sid, ended_at)
    return summaries.close_call(rt, call_sid, status, ended_at, duration, caller, called)


def close_record_only(call_sid: str, status: str, ended_at: float, duration: int | None, caller: str,
                      called: str) -> bool:
    """Close a call's record in the database alone (its summary follows from the sweeper)."""
    return summaries.close_record_only(runtime(), call_sid, status, ended_at, duration, caller, called)


def count_abandon(department: str, waited: float, now: float) -> None:
    """A caller gave up waiting after `waited` seconds: the department's wait estimates learn it (jobs that
    processes older than `close_call`'s own learning enqueued)."""
    holding.count_abandon(runtime(), department, waited, now)


def write_summary(call_sid: str) -> dict | None:
    """(Re)write a call's summary."""
    return summaries.write_summary(runtime(), call_sid)


def disposition_filed(call_sid: str) -> dict | None:
    """An agent filed a call's disposition: the SMS of the actions promised, then the summary."""
    return after_call.disposition_filed(runtime(), call_sid)


def send_promised_actions(call_sid: str) -> str | None:
    """Text the caller the actions the agent promised, once per call."""
    return after_call.send_promised_actions(runtime(), call_sid)


def record_survey(leg_sid: str, score: int, answered_at: float) -> bool:
    """Store a survey answer the webhook could not, then bring the summary up to date."""
    return after_call.record_survey(runtime(), leg_sid, score, answered_at)


def distribute(departments: list[str]) -> int:
    """Match waiting callers with free agents in these departments and ring each matched agent."""
    return ringing.distribute(runtime(), departments)


def ring_agent(department: str, caller_sid: str, agent_login: str) -> str | None:
    """Carry out an offer: ring the agent, or dial a callback's customer first."""
    return ringing.ring_agent(runtime(), department, caller_sid, agent_login)


def place_callback(department: str, call_sid: str, agent_login: str) -> str | None:
    """Ring the customer who asked for a callback, exactly once."""
    return ringing.place_callback(runtime(), department, call_sid, agent_login)


def connect_caller(caller_sid: str, room: str) -> bool:
    """Bring the waiting caller into the agent's conference."""
    return agents.connect_caller(runtime(), caller_sid, room)


def end_wrap_up(agent_login: str, since: float) -> bool:
    """After wrap-up the agent is available again."""
    return agents.end_wrap_up(runtime(), agent_login, since)


def set_presence(agent_login: str, state: str, back_in_minutes: int | None = None) -> list[str]:
    """Change an agent's presence and, when they become available, look for a caller for them."""
    return agents.set_presence(runtime(), agent_login, state, back_in_minutes)


def redirect_caller(caller_sid: str, url: str) -> bool:
    """Send the caller's call to new TwiML (a transfer)."""
    return agents.redirect_caller(runtime(), caller_sid, url)


def hang_up_caller(caller_sid: str) -> bool:
    """End the caller's line."""
    return agents.hang_up_caller(runtime(), caller_sid)


def after_agent_left(caller_sid: str) -> bool:
    """The agent hung up: the survey if the line asks it, else the caller's call ends too."""
    return agents.after_agent_left(runtime(), caller_sid)


def retrain_router(line: str) -> str | None:
    """Retrain the line's router and publish it to every process."""
    return routers.retrain_router(runtime(), line)


def callback_call_ended(callback_id: int, call_sid: str, agent_login: str, outcome: str | None) -> bool:
    """A callback's call ended: done, or tried again later, or given up."""
    return callbacks.callback_call_ended(runtime(), callback_id, call_sid, agent_login, outcome)


def give_up_callback(callback_id: int) -> bool:
    """After the last unanswered attempt: close the request and tell the customer by SMS."""
    return callbacks.give_up_callback(runtime(), callback_id)


def retry_callback(call_sid: str) -> bool:
    """An unanswered callback tries again: back in line at its original place."""
    return callback_turns.retry_callback(runtime(), call_sid)


def callback_due(callback_id: int) -> bool:
    """A callback's chosen time has come: it takes its place in line."""
    return callback_turns.callback_due(runtime(), callback_id)


def sweep_callbacks(chain: str | None = None) -> dict:
    """Reclaim what a dead worker or a lost Redis left behind; the chain schedules its next sweep."""
    return callback_sweeper.sweep_callbacks(runtime(), chain)


def refresh_wallboard_today() -> bool:
    """Today's figures for every wallboard, read once for the whole centre and shared through Redis."""
    return wallboard.refresh_today(runtime())


def copy_customer_names() -> int:
    """Known customers' names copied into Redis, so new calls greet them by name without the database."""
    return ivr.copy_customer_names(runtime())
