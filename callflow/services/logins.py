"""Logging in: an agent's password checked, unless the attempt is throttled (`callflow/store/login_limits.py`).

A throttled attempt is answered without the password being checked, so a guesser learns nothing meanwhile;
every failure is charged to its scopes and a good login clears its client's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from callflow.store import login_limits
from callflow.store.agents import authenticate, find_agent

throttled_message = login_limits.throttled_message


@dataclass(frozen=True)
class Attempt:
    """What came of a login: the agent (None: wrong login or password, or throttled) and the seconds to wait."""

    agent: object | None
    wait_seconds: int = 0


def log_in(rt, login: str, password: str, address: str, device: str | None) -> Attempt:
    """Check a login and password from an address (and a known browser, `device`), throttled."""
    wait = login_limits.admit(rt.redis, login, address, device, rt.clock.timestamp())
    if wait > 0:  # the password is not even checked: a guesser learns nothing while throttled
        return Attempt(None, math.ceil(rt.clock.real_seconds(wait)))
    with rt.sessions() as db:
        agent = authenticate(db, login, password) if login and password else None
    if agent is None:
        login_limits.failed(login, address, device)
        return Attempt(None)
    login_limits.succeeded(rt.redis, login, address, device)
    return Attempt(agent)


def agent(rt, login: str):
    """The agent with this login, or None (removed since they logged in)."""
    with rt.sessions() as db:
        return find_agent(db, login)
