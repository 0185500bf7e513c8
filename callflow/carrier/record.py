"""<Record>: a caller leaves a message after the tone.

What the phone says becomes the "recording" (its words are kept in the transcript as `recorded`, so tests can
check that a message was taken); the action URL gets RecordingUrl, RecordingSid and RecordingDuration as
Twilio sends them. Silence records nothing and Twilio moves on to the next verb without calling the action.
"""

from __future__ import annotations

import math
import uuid
import xml.etree.ElementTree as ET

from callflow.carrier.calls import HangUp
from callflow.carrier.phones import speaking_time
from callflow.carrier.silence import TURN
from callflow.carrier.webhook import Document, Goto


def record(session, verb: ET.Element, doc: Document) -> Goto | None:
    """Take a message; return where Twilio goes next."""
    if verb.get("playBeep", "true").lower() == "true":
        session.call.record("played", "beep")
    timeout = float(verb.get("timeout", "5"))
    session.listen("record")
    try:
        with session.call.span(TURN):
            answer = session.reply(timeout)
    finally:
        session.listen(None)
    if answer.action != "say":
        session.call.record("silence")
        with session.call.span(TURN):
            session.call.hold(max(0.0, timeout - answer.waited))
        if answer.action == "hang_up":
            raise HangUp("caller hung up")
        return None
    max_length = float(verb.get("maxLength", "3600"))
    duration = min(speaking_time(answer.value), max_length)
    session.call.record("recorded", answer.value, duration=duration)
    with session.call.span(TURN):
        session.call.hold(duration)
    sid = "RE" + uuid.uuid4().hex
    url = f"{session.carrier.url}/2010-04-01/Accounts/{session.call.account_sid}/Recordings/{sid}"
    action = verb.get("action")
    return Goto(doc.resolve(action) if action else doc.url, verb.get("method", "POST").upper(),
                {"RecordingUrl": url, "RecordingSid": sid, "RecordingDuration": str(math.ceil(duration))})
