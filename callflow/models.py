"""The database tables: what must outlive a call (the call log, known customers)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Base of every mapped class."""


class Call(Base):
    """One phone call, inbound or outbound, as the contact centre saw it."""

    __tablename__ = "calls"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    caller: Mapped[str] = mapped_column(String(64), index=True)
    called: Mapped[str] = mapped_column(String(64))
    direction: Mapped[str] = mapped_column(String(16), default="inbound")
    status: Mapped[str] = mapped_column(String(32), default="in-progress")
    script_version: Mapped[str | None] = mapped_column(String(64))
    department: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    path: Mapped[str | None] = mapped_column(Text)  # JSON list of the IVR steps taken


class Customer(Base):
    """A known customer, recognised by phone number so we can greet them by name."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class Agent(Base):
    """A person who takes calls (or supervises, or administers): who they are and how to reach them."""

    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default="agent")  # agent | supervisor | admin
    # How to ring them: a phone number (E.164) or a Twilio Client identity ("client:alice").
    reach: Mapped[str] = mapped_column(String(64))
    # Departments they serve, in order of preference, comma-separated ids.
    departments: Mapped[str] = mapped_column(String(500), default="")

    def department_list(self) -> list[str]:
        """Departments in preference order."""
        return [d for d in self.departments.split(",") if d]


class LearnedExample(Base):
    """Words a caller said that steering sent to the wrong department, labelled with the one that served them.

    Written when an agent transfers a call; administrators review them (and may remove one) before they
    shape how the router steers the next callers.
    """

    __tablename__ = "learned_examples"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    department: Mapped[str] = mapped_column(String(64), index=True)
    wrong_department: Mapped[str | None] = mapped_column(String(64))
    call_sid: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    removed: Mapped[bool] = mapped_column(default=False)


class Disposition(Base):
    """How an agent closed a call: the outcome, notes, and what was promised to the caller."""

    __tablename__ = "dispositions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), index=True)
    agent: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(32))  # resolved | follow-up | transferred | abusive | ...
    notes: Mapped[str] = mapped_column(Text, default="")
    promised: Mapped[str] = mapped_column(Text, default="")  # actions promised to the caller, one per line
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Callback(Base):
    """A caller's request to be called back at their turn: the source of truth for the callback's life.

    Its place in the department's queue lives in Redis (virtual hold, keyed by the original call's sid);
    `state` moves requested -> dialling -> connected | no-answer | busy | failed -> done | given-up.
    """

    __tablename__ = "callbacks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)  # the call that asked for it
    phone: Mapped[str] = mapped_column(String(32), index=True)
    line: Mapped[str] = mapped_column(String(32))
    department: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="requested")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    agent: Mapped[str | None] = mapped_column(String(64))
    dial_sid: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Summary(Base):
    """One call's summary: what agents, supervisors, CRMs and the caller rely on afterwards (JSON body)."""

    __tablename__ = "summaries"

    call_sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    caller: Mapped[str] = mapped_column(String(64), index=True)
    department: Mapped[str | None] = mapped_column(String(64), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
