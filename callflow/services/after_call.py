"""After the call: the SMS of the actions the agent promised, the survey's answer, and a filed disposition
(which brings both into the summary)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from uuid import uuid4

from twilio.base.exceptions import TwilioRestException

from callflow.domain import draft_calls
from callflow.domain.actions import Gather, Hangup, Say
from callflow.domain.callback_guard import check, policy_for
from callflow.domain.script.own_words import say, voiced
from callflow.domain.script.translated import in_language
from callflow.services import queued
from callflow.services.summaries import write_summary
from callflow.store import after_call
from callflow.store.callbacks import find_by_call, original_call_sid
from callflow.store.dispositions import dispositions_of
from callflow.store.models import Call

log = logging.getLogger(__name__)

SMS_LEASE_SECONDS = 30  # real seconds a claim to send an after-call SMS lasts before another job takes it over


class SendingElsewhere(RuntimeError):
    """Another job holds a fresh claim to send this SMS: try again later (RQ's retry), when it is sent or stale."""


def disposition_filed(rt, call_sid: str) -> dict | None:
    """An agent filed a call's disposition: the caller's SMS of the actions promised (if the line sends it),
    then the summary with the disposition, in that order so the summary says whether the SMS went."""
    send_promised_actions(rt, call_sid)
    return write_summary(rt, call_sid)


def send_promised_actions(rt, call_sid: str) -> str | None:
    """Text the caller the actions the agent promised, once per call however often this runs; the message sid.

    Only on lines whose script has `after_call.sms_actions`, never for test calls (they leave no call log), and
    only to a number the toll-fraud guard accepts (a withheld or invalid caller ID gets nothing). A callback's
    customer is texted on the number we called them back on. It is written in the language the caller was
    answered in (`Call.language`, the callback's for a call whose log says none).
    """
    if rt.acd.has(call_sid, draft_calls.MARK):
        return None
    now = rt.clock.now()
    with rt.sessions() as session:
        call = session.get(Call, call_sid)
        script = rt.script_for_number(call.called) if call is not None else None
        if script is None or not script.after_call.sms_actions:
            return None
        promised = [p for d in dispositions_of(session, call_sid) for p in d.promised.split("\n") if p]
        callback = find_by_call(session, call_sid)
        language = call.language or (callback.language if callback is not None else None)
        if language:  # in the language the caller was answered in
            script = in_language(script, language)
        body = after_call.actions_text(script.company, promised, script)
        judged = check(callback.phone if callback is not None else call.caller, policy_for(rt.settings), 0)
        if body is None or not judged.allowed:
            return None
        token = uuid4().hex
        row = after_call.claim_message(session, call_sid, after_call.ACTIONS, judged.number, call.called, body,
                                       token, now)
        message_id, phone, line, body, state = row.id, row.phone, row.line, row.body, row.state
        if state == "sent":
            return row.message_sid
        if state != "sending":
            return None  # Twilio refused it for good
        if row.token != token:  # someone else's claim: sent already, in progress, or left by a dead worker
            old_token = row.token
            if not after_call.take_over(session, message_id, old_token, token, now,
                                        rt.clock.virtual_seconds(SMS_LEASE_SECONDS)):
                raise SendingElsewhere(f"the SMS for {call_sid} is being sent by another job")
            # The dead worker may have sent it before it could write the sid: Twilio's record says.
            sent = [m.sid for m in rt.twilio.messages.list(to=phone, from_=line, limit=50) if m.body == body]
            if sent:
                after_call.mark_sent(session, message_id, token, sent[-1], now)
                log.warning("after-call SMS for %s: adopted %s sent by a worker that died", call_sid, sent[-1])
                return sent[-1]
    try:
        message = rt.twilio.messages.create(to=phone, from_=line, body=body)
    except TwilioRestException as error:
        if error.status >= 500:
            raise  # unknown whether it was sent: the retry (after the lease) asks Twilio first
        log.error("Twilio refused the after-call SMS for %s to %s: %s", call_sid, phone, error)
        with rt.sessions() as session:
            after_call.mark_refused(session, message_id, token)
        return None
    with rt.sessions() as session:
        after_call.mark_sent(session, message_id, token, message.sid, rt.clock.now())
    return message.sid


def record_survey(rt, leg_sid: str, score: int, answered_at: float) -> bool:
    """Store a survey answer the webhook could not (the database was down), then bring the summary up to date."""
    with rt.sessions() as session:
        call_sid = original_call_sid(session, leg_sid)
        stored = after_call.record_answer(session, call_sid, score, datetime.fromtimestamp(answered_at, UTC))
    write_summary(rt, call_sid)
    return stored


def survey_script(rt, leg_sid: str, line: str):
    """The line's script in the language of the caller on this leg, or None when no script answers the line.

    The caller who rang in is still on the line, so their call's live state (Redis) says their language; a
    customer we called back spoke the language their callback was booked in (the database). Either failing,
    the line's first language: the survey is a courtesy and never waits on a failure.
    """
    script = rt.script_for_number(line)
    if script is None:
        return None
    try:
        language = (rt.live_calls.load(leg_sid) or {}).get("language")
        if not language:
            with rt.sessions() as session:
                call_sid = original_call_sid(session, leg_sid)
                callback = find_by_call(session, call_sid) if call_sid != leg_sid else None
                language = callback.language if callback is not None else None
    except Exception:  # Redis or the database is down: the line's first language
        log.exception("the language of survey leg %s could not be read", leg_sid)
        language = None
    return in_language(script, language) if language else script




def _company(script) -> str:
    """The company a line answers for ("us" when no script answers it)."""
    return script.company if script is not None else "us"


def survey_question(rt, leg_sid: str, line: str) -> list:
    """The question, answered on the keypad; silence goes to the same answer route, which says goodbye."""
    script = survey_script(rt, leg_sid, line)
    question = script.message("survey_question") if script is not None else after_call.SURVEY_QUESTION
    ask = Gather((voiced(script, question),), speech=False, num_digits=1, timeout=5, purpose="survey")
    return [ask, voiced(script, after_call.survey_thanks(_company(script), None, script)), Hangup()]


def survey_answered(rt, leg_sid: str, digits: str | None, line: str) -> list:
    """Store a score of 1 to 5 (any other key or none stores nothing), then thank and end the call.

    The caller is never kept waiting on a failure: an answer the database could not take is handed to a worker
    that retries (`record_survey`)."""
    script = survey_script(rt, leg_sid, line)
    score = after_call.survey_score(digits)
    if score is not None:
        now = rt.clock.now()
        try:
            with rt.sessions() as session:
                call_sid = original_call_sid(session, leg_sid)
                after_call.record_answer(session, call_sid, score, now)
            if call_sid != leg_sid:  # a callback call: the summary is the asking call's, long since written
                queued.enqueue(rt, "write_summary", call_sid)
        except Exception:  # the database is down: a worker stores it when it is back, and rewrites the summary
            log.exception("survey answer of %s handed to a worker", leg_sid)
            queued.enqueue(rt, "record_survey", leg_sid, score, now.timestamp(), retry=queued.DATABASE_RETRY)
    return [voiced(script, after_call.survey_thanks(_company(script), score, script)), Hangup()]


def survey_failed() -> list:
    """The survey is a courtesy: if it fails, the caller just hears goodbye (in English: what failed may be the
    very thing that knows their language)."""
    return [Say(say(None, "survey_failed")), Hangup()]
