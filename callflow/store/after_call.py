"""After the call: the SMS of the actions an agent promised, and the one-question satisfaction survey.

Both are optional per line (the script's `after_call: {sms_actions, survey}`). The SMS speaks for the company in
writing, so it is sent exactly once per call: a row keyed by (call, kind) is claimed before Twilio is asked and
its sid written after; a claim left by a worker that died is matched against the messages Twilio already holds
before anything is sent again. It goes only to a number the toll-fraud guard would call back (never a withheld or
invalid number, never a premium-rate one). The survey's answer is a row per call; no answer stores nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from callflow.domain.script.messages import DEFAULT_MESSAGES
from callflow.store.models import AfterCallMessage, SurveyAnswer

ACTIONS = "actions"  # the kind of the SMS listing the actions promised
SMS_LIMIT = 1600  # characters Twilio accepts in one message body
SURVEY_QUESTION = DEFAULT_MESSAGES["survey_question"]  # in English; a line says its own (`survey_question`)
SURVEY_SCORES = range(1, 6)


# -- what the caller reads and hears (pure) ----------------------------------------------------------------------
def actions_text(company: str, promised: list[str], script=None) -> str | None:
    """The SMS listing the actions promised, in the script's language (the call's: English without one), or
    None when nothing was promised.

    "Acme Bank: as promised on your call today: We've blocked your card; a new one arrives in 3-5 days."
    """
    actions = [a.strip().rstrip(".;, ") for a in promised if a.strip().rstrip(".;, ")]
    if not actions:
        return None
    text = _words(script)["sms_actions"].format(company=company, actions="; ".join(actions))
    return text if len(text) <= SMS_LIMIT else text[:SMS_LIMIT - 1] + "…"


def survey_score(digits: str | None) -> int | None:
    """The score a caller keyed (1 to 5), or None for silence or any other key."""
    digits = (digits or "").strip()
    return int(digits) if digits.isdigit() and int(digits) in SURVEY_SCORES else None


def survey_thanks(company: str, score: int | None, script=None) -> str:
    """The last words of the call, in the script's language: thanks for an answer, or a polite goodbye without
    one."""
    words = _words(script)
    goodbye = words["survey_goodbye"].format(company=company)
    return goodbye if score is None else f"{words['survey_thanks'].format(company=company)} {goodbye}"


def _words(script) -> Mapping[str, str]:
    """The line's messages in the call's language (its own overrides included), or callflow's English."""
    return script.messages if script is not None else DEFAULT_MESSAGES


# -- the SMS, exactly once (storage) -----------------------------------------------------------------------------
def claim_message(session: Session, call_sid: str, kind: str, phone: str, line: str, body: str, token: str,
                  now: datetime) -> AfterCallMessage:
    """Claim the right to send a call's message of a kind; the row returned says whose claim holds.

    Of any number of jobs claiming the same (call, kind), one INSERT wins; the others get the winner's row.
    """
    row = AfterCallMessage(call_sid=call_sid, kind=kind, phone=phone, line=line, body=body, state="sending",
                           token=token, claimed_at=now)
    session.add(row)
    try:
        session.commit()
        return row
    except IntegrityError:
        session.rollback()
        return find_message(session, call_sid, kind)


def find_message(session: Session, call_sid: str, kind: str) -> AfterCallMessage | None:
    """A call's message of a kind, if one was claimed."""
    return session.scalars(select(AfterCallMessage).where(AfterCallMessage.call_sid == call_sid,
                                                          AfterCallMessage.kind == kind)).first()


def take_over(session: Session, message_id: int, old_token: str, token: str, now: datetime,
              lease_seconds: float) -> bool:
    """Take over a claim that has been `sending` for longer than its lease (its worker died or hangs)."""
    result = session.execute(update(AfterCallMessage).where(
        AfterCallMessage.id == message_id, AfterCallMessage.state == "sending",
        AfterCallMessage.token == old_token, AfterCallMessage.claimed_at <= now - timedelta(seconds=lease_seconds))
        .values(token=token, claimed_at=now))
    session.commit()
    return result.rowcount == 1


def mark_sent(session: Session, message_id: int, token: str, message_sid: str, now: datetime) -> bool:
    """Twilio accepted the message: record its sid (only under the claim that sent it)."""
    result = session.execute(update(AfterCallMessage).where(
        AfterCallMessage.id == message_id, AfterCallMessage.token == token, AfterCallMessage.state == "sending")
        .values(state="sent", message_sid=message_sid, sent_at=now))
    session.commit()
    return result.rowcount == 1


def mark_refused(session: Session, message_id: int, token: str) -> bool:
    """Twilio refused the message for good (not a mobile, blocked): never sent, never tried again."""
    result = session.execute(update(AfterCallMessage).where(
        AfterCallMessage.id == message_id, AfterCallMessage.token == token, AfterCallMessage.state == "sending")
        .values(state="refused"))
    session.commit()
    return result.rowcount == 1


def sms_sent(session: Session, call_sid: str) -> bool:
    """Whether the caller was sent the SMS of the actions promised (for the summary)."""
    row = find_message(session, call_sid, ACTIONS)
    return row is not None and row.state == "sent"


# -- the survey (storage) ----------------------------------------------------------------------------------------
def record_answer(session: Session, call_sid: str, score: int, now: datetime) -> bool:
    """Store a caller's survey answer; a repeated webhook keeps the first. False when one was stored already."""
    if score not in SURVEY_SCORES:
        raise ValueError(f"a survey score is 1 to 5, got {score}")
    session.add(SurveyAnswer(call_sid=call_sid, score=score, answered_at=now))
    try:
        session.commit()
        return True
    except IntegrityError:
        session.rollback()
        return False


def survey_of(session: Session, call_sid: str) -> dict | None:
    """A call's survey answer as the event log keeps it: {"score", "at" (seconds)}, or None."""
    row = session.get(SurveyAnswer, call_sid)
    return None if row is None else {"score": row.score, "at": row.answered_at.timestamp()}


def answer_of(session: Session, call_sid: str) -> int | None:
    """The survey score a call's caller gave, or None (not asked, or no answer)."""
    return session.scalar(select(SurveyAnswer.score).where(SurveyAnswer.call_sid == call_sid))
