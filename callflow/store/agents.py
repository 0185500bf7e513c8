"""Agents: adding, finding and removing the people who take calls; their presence lives in `presence.py`."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from callflow.domain.errors import FieldError
from callflow.domain.languages import read_languages
from callflow.store.models import Agent

ROLES = ("agent", "supervisor", "admin")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_CLIENT = re.compile(r"^client:[A-Za-z0-9_.-]{1,100}$")


class AgentError(FieldError):
    """An agent record that cannot be written, with the field at fault."""

    names_field = True


def add_agent(session: Session, login: str, name: str, password: str, reach: str,
              departments: list[str], role: str = "agent", languages: str | list[str] = "") -> Agent:
    """Create an agent; refuses duplicates, weak passwords, unreachable numbers and malformed language tags."""
    if not re.fullmatch(r"[a-z0-9_.-]{2,64}", login):
        raise AgentError("login", "2-64 lower-case letters, digits, '.', '_' or '-'")
    if find_agent(session, login) is not None:
        raise AgentError("login", f"{login!r} already exists")
    if len(password) < 10:
        raise AgentError("password", "at least 10 characters")
    if not (_E164.match(reach) or _CLIENT.match(reach)):
        raise AgentError("reach", "an E.164 number (+441632960000) or a client identity (client:alice)")
    if role not in ROLES:
        raise AgentError("role", f"one of {', '.join(ROLES)}")
    spoken = _languages(languages)
    agent = Agent(login=login, name=name, password_hash=generate_password_hash(password), role=role,
                  reach=reach, departments=",".join(d.strip() for d in departments if d.strip()),
                  languages=",".join(spoken))
    session.add(agent)
    session.commit()
    return agent


def set_languages(session: Session, login: str, languages: str | list[str]) -> Agent:
    """Change the languages an agent takes calls in (none: any caller); LookupError if there is no such agent."""
    spoken = _languages(languages)
    agent = find_agent(session, login)
    if agent is None:
        raise LookupError(f"no agent {login!r}")
    agent.languages = ",".join(spoken)
    session.commit()
    return agent


def _languages(languages: str | list[str]) -> tuple[str, ...]:
    try:
        return read_languages(languages)
    except ValueError as error:
        raise AgentError("languages", f"{error} (comma-separated, e.g. en-US,es-MX; empty: any caller)") \
            from error


def find_agent(session: Session, login: str) -> Agent | None:
    """The agent with this login."""
    return session.scalars(select(Agent).where(Agent.login == login)).first()


def list_agents(session: Session) -> list[Agent]:
    """Every agent, by login."""
    return list(session.scalars(select(Agent).order_by(Agent.login)))


def remove_agent(session: Session, login: str) -> bool:
    """Delete an agent; False when there was none."""
    agent = find_agent(session, login)
    if agent is None:
        return False
    session.delete(agent)
    session.commit()
    return True


# Checked against when the login is unknown, so a wrong login costs as long as a wrong password and timing
# does not reveal which logins exist.
_DUMMY_HASH = generate_password_hash("not-a-password-of-anyone")


def authenticate(session: Session, login: str, password: str) -> Agent | None:
    """The agent whose login and password match, else None."""
    agent = find_agent(session, login)
    if agent is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return agent if check_password_hash(agent.password_hash, password) else None
