"""The database tables: what must outlive a call (the call log, known customers)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from callflow.domain.steering.labels import label as steering_label


class Moment(TypeDecorator):
    """An instant, stored in UTC and always read back aware.

    PostgreSQL keeps the offset (timestamptz); SQLite keeps only the wall-clock fields it is given, so an aware
    time in another zone would be read back as if it were UTC, and naive values cannot be compared with the
    clock's aware ones. Normalising to UTC on the way in and attaching UTC on the way out serves both.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


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
    started_at: Mapped[datetime] = mapped_column(Moment())
    ended_at: Mapped[datetime | None] = mapped_column(Moment())
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    path: Mapped[str | None] = mapped_column(Text)  # JSON list of the IVR steps taken
    language: Mapped[str | None] = mapped_column(String(16))  # the language the caller was answered in ("es-US")


class Customer(Base):
    """A known customer, recognised by phone number so we can greet them by name."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(16))  # the language they speak to us in, when known


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
    # Languages they take calls in ("en-US,es-US"); empty: no preference is made for them (any caller).
    languages: Mapped[str] = mapped_column(String(100), default="", server_default="")

    def department_list(self) -> list[str]:
        """Departments in preference order."""
        return [d for d in self.departments.split(",") if d]

    def language_list(self) -> list[str]:
        """Languages they take calls in; empty: no preference is made for them."""
        return [tag for tag in (self.languages or "").split(",") if tag]


class LearnedExample(Base):
    """Words a caller said, labelled with the department that served them (and a topic, where one is known).

    Written when an agent transfers a call, or imported from labelled history (`callflow learned import`:
    no call, no wrong department); administrators review them (and may remove one) before they shape how
    the router steers the next callers.
    """

    __tablename__ = "learned_examples"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    department: Mapped[str] = mapped_column(String(64), index=True)
    wrong_department: Mapped[str | None] = mapped_column(String(64))
    call_sid: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(Moment())
    removed: Mapped[bool] = mapped_column(default=False)
    topic: Mapped[str | None] = mapped_column(String(64))  # the reason code, for imported history
    # The language the words were said in (the call's, or the import's column); None: found from the words.
    language: Mapped[str | None] = mapped_column(String(16))

    @property
    def label(self) -> str:
        """What the router learns from it: the department, or "department/topic"."""
        return steering_label(self.department, self.topic)

    @property
    def origin(self) -> str:
        """Where the lesson came from, as the admin page and `callflow learned list` show it."""
        if self.wrong_department:
            return f"transfer (was {self.wrong_department})"
        return "transfer" if self.call_sid else "imported"


class Disposition(Base):
    """How an agent closed a call: the outcome, notes, and what was promised to the caller."""

    __tablename__ = "dispositions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), index=True)
    agent: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(32))  # resolved | follow-up | transferred | abusive | ...
    notes: Mapped[str] = mapped_column(Text, default="")
    promised: Mapped[str] = mapped_column(Text, default="")  # actions promised to the caller, one per line
    created_at: Mapped[datetime] = mapped_column(Moment())


class Callback(Base):
    """A caller's request to be called back at their turn: the source of truth for the callback's life.

    Its place in the department's queue lives in Redis (virtual hold, keyed by the original call's sid);
    `state` moves (scheduled ->) requested -> dialling -> connected | no-answer | busy | failed -> done |
    given-up (see `callflow/store/callbacks.py`).
    """

    __tablename__ = "callbacks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)  # the call that asked for it
    phone: Mapped[str] = mapped_column(String(32), index=True)
    line: Mapped[str] = mapped_column(String(32))
    department: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="requested", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    agent: Mapped[str | None] = mapped_column(String(64))
    dial_sid: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(Moment())
    updated_at: Mapped[datetime] = mapped_column(Moment())
    # When the caller first entered the queue (their place, restored from here if Redis loses it).
    queued_at: Mapped[datetime | None] = mapped_column(Moment())
    # A callback for a chosen time waits (state `scheduled`) until then; None = at its turn in line.
    due_at: Mapped[datetime | None] = mapped_column(Moment())
    # The dialling claim: who holds it and until when; a dial without a matching token is never placed.
    lease_token: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(Moment())
    # When an unanswered callback tries again (the sweeper re-schedules it if its job was lost).
    retry_at: Mapped[datetime | None] = mapped_column(Moment())
    # The language the caller was answered in: the callback speaks it too. None: the line's first.
    language: Mapped[str | None] = mapped_column(String(16))


class CallbackDial(Base):
    """One claim to dial a callback, and the call it placed: the audit trail that makes dials exactly-once.

    A claim is written with the state change that takes the callback to `dialling`; the call's sid is written
    once Twilio accepts it. A claim whose worker died keeps a null sid, and the sweeper checks Twilio for a
    call it does not know before dialling again.
    """

    __tablename__ = "callback_dials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    callback_id: Mapped[int] = mapped_column(Integer, index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    phone: Mapped[str] = mapped_column(String(32), index=True)
    claimed_by: Mapped[str] = mapped_column(String(128))
    claimed_at: Mapped[datetime] = mapped_column(Moment())
    dial_sid: Mapped[str | None] = mapped_column(String(64), unique=True)


class AfterCallMessage(Base):
    """An SMS sent to a caller after their call (the actions the agent promised): one per call and kind.

    The unique (call_sid, kind) row is written before the message is handed to Twilio, so a disposition job
    that runs twice sends once; its sid is written once Twilio accepts it. A row left `sending` by a worker
    that died is checked against Twilio's sent messages before anything is sent again.
    """

    __tablename__ = "after_call_messages"
    __table_args__ = (UniqueConstraint("call_sid", "kind", name="uq_after_call_messages_call_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))  # "actions": the actions the agent promised
    phone: Mapped[str] = mapped_column(String(32))
    line: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))  # sending | sent | refused (by Twilio, for good)
    token: Mapped[str] = mapped_column(String(64))  # the sending worker's claim
    claimed_at: Mapped[datetime] = mapped_column(Moment())
    message_sid: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(Moment())


class SurveyAnswer(Base):
    """A caller's answer to the one-question satisfaction survey after their call (1 to 5); one per call."""

    __tablename__ = "survey_answers"

    call_sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    score: Mapped[int] = mapped_column(Integer)
    answered_at: Mapped[datetime] = mapped_column(Moment())


class Summary(Base):
    """One call's summary: what agents, supervisors, CRMs and the caller rely on afterwards (JSON body)."""

    __tablename__ = "summaries"

    call_sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    caller: Mapped[str] = mapped_column(String(64), index=True)
    department: Mapped[str | None] = mapped_column(String(64), index=True)
    started_at: Mapped[datetime] = mapped_column(Moment(), index=True)
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(Moment())


class ScriptVersion(Base):
    """One saved text of a line's script: a draft until published, and never changed afterwards.

    Versions are immutable so that history, diffs and rollbacks mean what they say; `version` is the content
    hash that calls keep, so a call started on a version finds the same text in any process.
    """

    __tablename__ = "script_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), index=True)  # the file name in ivr_scripts/
    version: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(Moment())


class ScriptPublication(Base):
    """A version put in service for new calls: who, when and why. The newest publication of a name is live;
    a rollback is one more publication, of an older version."""

    __tablename__ = "script_publications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("script_versions.id"))
    published_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime] = mapped_column(Moment())


class AuditEntry(Base):
    """Who changed what and when, in the admin section (and the CLI): append-only."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(Moment(), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text, default="")


class ContactEvent(Base):
    """One thing that happened to a contact, in order: the contact centre's record of what happened (the role
    of Asterisk's queue_log), from which reports, the wallboard's figures for the day and the metrics are counted.

    Append-only: rows are added, never changed. `key` names the event's origin (the call's hold log entry, a
    disposition, a callback's state change), so a writer that runs twice adds nothing the second time.
    `epoch` (whole seconds since 1970, UTC) is the time again as a number, so reports bucket by interval with
    integer arithmetic that PostgreSQL and SQLite do alike.
    """

    __tablename__ = "contact_events"
    # Reports (and the wallboard's today) read a period by kind from this index alone (migration 0011).
    __table_args__ = (Index("ix_contact_events_report", "kind", "epoch", "department", "seconds", "figure"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    call_sid: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(Moment())
    epoch: Mapped[int] = mapped_column(BigInteger)  # past 2038
    kind: Mapped[str] = mapped_column(String(32))
    line: Mapped[str] = mapped_column(String(64), default="")
    department: Mapped[str | None] = mapped_column(String(64))
    agent: Mapped[str | None] = mapped_column(String(64))
    # A duration the event closes (a wait, a talk, a wrap-up, a call), in seconds.
    seconds: Mapped[float | None] = mapped_column(Float)
    # A figure the event states: the promise in seconds, the survey's score, the hold question's estimate.
    figure: Mapped[float | None] = mapped_column(Float)
    detail: Mapped[str] = mapped_column(Text, default="")  # JSON object: what else the kind carries
