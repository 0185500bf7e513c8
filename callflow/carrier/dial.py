"""The <Dial> verb, and ringing phones: connecting a call to a phone, a queue's front caller or a room.

The dialling call's thread drives the whole bridge; a dialled phone's leg is a threadless child call
(direction `outbound-dial`) whose status the dialler keeps up to date. A scripted phone's pickup is known
in advance; an interactive one rings until its person answers or declines, so the dialler waits for them.
"""

from __future__ import annotations

import contextlib
import math
import xml.etree.ElementTree as ET

from callflow.carrier.bridge import Bridge
from callflow.carrier.calls import CallStatus, Dequeued, HangUp, Interrupt
from callflow.carrier.interactive import ring_person
from callflow.carrier.phones import Pickup, speaking_time
from callflow.carrier.silence import SOUND
from callflow.carrier.webhook import ApplicationError, Document, Goto

ANSWERS = (Pickup.ANSWER, Pickup.MACHINE)


def ring(call, timeout: float) -> CallStatus | None:
    """Ring the phone on an outbound leg; None when it picks up, else the status the call ends with."""
    phone = call.phone
    call.set_status(CallStatus.RINGING)
    if phone is None or phone.pickup is Pickup.FAIL:
        return CallStatus.FAILED
    if phone.interactive:
        return ring_person(call, timeout)
    if phone.pickup is Pickup.BUSY:
        return CallStatus.BUSY
    if phone.pickup is Pickup.NO_ANSWER or phone.ring_seconds > timeout:
        call.hold(timeout)
        return CallStatus.NO_ANSWER
    call.hold(phone.ring_seconds)
    return None


def end_leg(leg, status: CallStatus) -> None:
    """Finish a threadless dialled leg."""
    if not leg.is_final:
        leg.record("hangup", status.value)
        leg.set_status(status)
    leg.done.set()


def dial(session, verb: ET.Element, doc: Document) -> Goto | None:
    """Connect the call to the Dial's nouns, then follow the action with DialCallStatus."""
    call = session.call
    nouns = list(verb)
    if not nouns and (verb.text or "").strip():
        nouns = [ET.Element("Number")]
        nouns[0].text = verb.text.strip()
    if not nouns:
        raise ApplicationError("<Dial> with nothing to dial")
    timeout = float(verb.get("timeout", "30"))
    time_limit = float(verb.get("timeLimit", "14400"))
    kind = nouns[0].tag
    if kind == "Queue":
        status, other, bridge, leaver = _dial_queue(session, nouns[0], doc, timeout, time_limit)
    elif kind == "Conference":
        status, other, bridge, leaver = _conference(session, nouns[0], verb, doc)
    elif kind in ("Number", "Client", "Sip"):
        status, other, bridge, leaver = _dial_phones(session, nouns, verb, timeout, time_limit)
    else:
        raise ApplicationError(f"<{kind}> cannot be dialled")
    call.record("dial-result", status, dialled=other.sid if other else "")
    extra = {"DialCallStatus": status, "DialBridged": "true" if bridge and bridge.connected else "false"}
    if other is not None:
        extra["DialCallSid"] = other.sid
    if bridge is not None and bridge.connected:
        extra["DialCallDuration"] = str(bridge.duration)
    action = verb.get("action")
    method = verb.get("method", "POST").upper()
    if leaver is call:  # our own phone hung up: the action hears about it, nothing runs after
        call.set_status(CallStatus.COMPLETED)
        if action:
            session.request(doc.resolve(action), method, **extra)
        raise HangUp("hung up after talking")
    return Goto(doc.resolve(action), method, extra) if action else None


def _dial_phones(session, nouns, verb, timeout: float, time_limit: float):
    """Ring every number or client at once; the first to pick up is bridged."""
    carrier, call = session.carrier, session.call
    legs = []
    for noun in nouns:
        target = (noun.text or "").strip()
        if noun.tag == "Client" and not target.startswith("client:"):
            target = "client:" + target
        leg = carrier.new_call(from_=verb.get("callerId") or call.from_, to=target, direction="outbound-dial",
                               phone=carrier.phone_for(target), parent_call_sid=call.sid, threadless=True)
        leg.set_status(CallStatus.RINGING)
        legs.append(leg)
    call.record("dialing", ", ".join(leg.to for leg in legs))
    people = [leg for leg in legs if leg.phone is not None and leg.phone.interactive]
    answering = [leg for leg in legs if leg.phone is not None and leg.phone.pickup in ANSWERS
                 and leg not in people and leg.phone.ring_seconds <= timeout]
    winner = min(answering, key=lambda leg: leg.phone.ring_seconds) if answering else None
    try:
        with call.span(SOUND):  # the caller hears ringback while the numbers ring
            if people:
                winner, status = _ring_people(call, legs, people, winner, timeout)
            elif winner is None:
                status = _no_pickup(call, legs, timeout)
            else:
                call.hold(winner.phone.ring_seconds)
        if winner is None:
            for leg in legs:
                end_leg(leg, CallStatus(status))
            return status, legs[0], None, None
    except Interrupt:
        for leg in legs:
            end_leg(leg, CallStatus.CANCELED)
        raise
    for leg in legs:
        if leg is not winner:
            end_leg(leg, CallStatus.CANCELED)
    if winner.phone.pickup is Pickup.MACHINE:
        winner.answered_by = "machine_start"
    winner.set_status(CallStatus.IN_PROGRESS)
    bridge = Bridge(carrier, [call, winner], "number")
    bridge.connect()
    try:
        leaver = bridge.converse(call, winner, time_limit)
    except Interrupt:
        bridge.end(by=call)
        raise
    finally:
        end_leg(winner, CallStatus.COMPLETED)
    return "completed", winner, bridge, leaver


def _no_pickup(call, legs, timeout: float) -> str:
    """DialCallStatus when nobody answers: ring out the timeout unless every line is busy or dead."""
    pickups = [leg.phone.pickup if leg.phone is not None else Pickup.FAIL for leg in legs]
    if any(p in (Pickup.NO_ANSWER, *ANSWERS) for p in pickups):
        call.hold(timeout)
        return "no-answer"
    return "busy" if Pickup.BUSY in pickups else "failed"


def _ring_people(call, legs, people, scripted_winner, timeout: float):
    """Ring with people among the legs: (the leg that picked up, None) or (None, the DialCallStatus).

    A person who answers first wins; a scripted phone picks up at its `ring_seconds`. A person who declines
    is busy, one whose phone stops ringing (its `ring_seconds`) is no-answer; those legs end at once, and
    the Dial gives up early only when every line has ended.
    """
    clock, start = call.carrier.clock, call.carrier.clock.timestamp()
    for leg in people:
        leg.script.start_ringing()
    scripted_ringing = [leg for leg in legs if leg not in people and leg.phone is not None
                        and leg.phone.pickup in (Pickup.NO_ANSWER, *ANSWERS)]
    ringing = list(people)
    while True:
        elapsed = clock.timestamp() - start
        for leg in list(ringing):
            limit = leg.phone.ring_seconds
            state = leg.script.stop_ringing("missed") if limit is not None and elapsed >= limit else leg.script.ring
            if state == "answered":
                return leg, None
            if state != "ringing":
                ringing.remove(leg)
                end_leg(leg, CallStatus.BUSY if state == "declined" else CallStatus.NO_ANSWER)
        if scripted_winner is not None and elapsed >= scripted_winner.phone.ring_seconds:
            return scripted_winner, None
        if elapsed >= timeout or not (ringing or scripted_ringing):
            break
        events = [timeout, *(leg.phone.ring_seconds for leg in ringing if leg.phone.ring_seconds is not None)]
        if scripted_winner is not None:
            events.append(scripted_winner.phone.ring_seconds)
        call.hold(min(events) - elapsed, until=lambda: any(leg.script.ring != "ringing" for leg in ringing))
    for leg in people:
        leg.script.stop_ringing("missed")
    if elapsed >= timeout or any(leg.script.ring == "missed" for leg in people):
        return None, "no-answer"
    pickups = [leg.phone.pickup if leg.phone is not None else Pickup.FAIL for leg in legs if leg not in people]
    declined = any(leg.script.ring == "declined" for leg in people)
    return None, "busy" if declined or Pickup.BUSY in pickups else "failed"


def _dial_queue(session, noun, doc, timeout: float, time_limit: float):
    """Bridge with the caller at the front of the queue, waiting up to `timeout` for one to arrive."""
    carrier, call = session.carrier, session.call
    name = (noun.text or "").strip()
    with carrier.cond:
        queue = carrier.queues.named(name)
    if queue is None:
        return "failed", None, None, None
    url = noun.get("url")
    dequeued = Dequeued(None, call, doc.resolve(url) if url else None, noun.get("method", "POST").upper())
    bridge = dequeued.bridge = Bridge(carrier, [call], "queue", name)

    def take_front() -> bool:  # runs under the carrier's condition
        while (front := queue.pop_front()) is not None:
            member = front.call
            if member.interrupt(dequeued):
                bridge.legs.append(member)
                return True
        return False

    if not call.hold(timeout, until=take_front):
        return "no-answer", None, None, None
    member = bridge.legs[1]
    try:
        call.hold(math.inf, until=lambda: bridge.connected or bridge.ended or member.is_final)
        if not bridge.connected:
            bridge.end(by=member)
            return "failed", member, None, None
        leaver = bridge.converse(call, member, time_limit)
    except Interrupt:
        bridge.end(by=call)
        raise
    return "completed", member, bridge, leaver


def _conference(session, noun, verb, doc):
    """Join a room by name; it connects once two are in and ends as Twilio's do (see _leave_room)."""
    carrier, call = session.carrier, session.call
    name = (noun.text or "").strip()
    with carrier.cond:
        room = carrier.conferences.get(name)
        if room is None or room.ended:
            room = carrier.conferences[name] = Bridge(carrier, [], "conference", name)
        room.legs.append(call)
        call.record("conference", name)
        if room.connected:
            call.bridge = room
            call.record("bridged", name, via="conference", name=name)
        elif len(room.legs) >= 2:
            room.connect()
    ends_room = noun.get("endConferenceOnExit", "false").lower() == "true"
    try:
        _wait_for_room(session, noun, doc, room)
        joined = carrier.clock.timestamp()
        for phrase in call.phone.talk if call.phone is not None else ():
            if call.hold(speaking_time(phrase), until=lambda: room.ended):
                break
            for leg in list(room.legs):
                leg.record("talk", phrase, speaker=call.from_ if call.direction == "inbound" else call.to)
        stay = call.phone.hang_up_after if call.phone is not None else None
        remaining = math.inf if stay is None else joined + stay - carrier.clock.timestamp()
        leaver = None if call.hold(remaining, until=lambda: room.ended) else call
    except Interrupt:
        _leave_room(carrier, room, call, ends_room)
        raise
    _leave_room(carrier, room, call, ends_room)
    return "completed", None, room, leaver


def _wait_for_room(session, noun, doc, room: Bridge) -> None:
    """Wait until someone joins; a participant who does not start the room (startConferenceOnEnter false) hears
    its waitUrl meanwhile, an audio file looped as Twilio loops it (a TwiML waitUrl is not emulated)."""
    call, url = session.call, (noun.get("waitUrl") or "").strip()
    starts = noun.get("startConferenceOnEnter", "true").lower() == "true"
    if room.connected or room.ended or starts or not url:
        call.hold(math.inf, until=lambda: room.connected or room.ended)
        return
    url = doc.resolve(url)
    seconds = session.carrier.media.seconds(url)
    call.record("played", url, loop=0, seconds=round(seconds or 0, 3), **({} if seconds else {"error": "no audio"}))
    with call.span(SOUND) if seconds else contextlib.nullcontext():
        call.hold(math.inf, until=lambda: room.connected or room.ended)


def _leave_room(carrier, room: Bridge, call, ends_room: bool) -> None:
    with carrier.cond:
        if call in room.legs:
            room.legs.remove(call)
            call.bridge = None
        # As at Twilio: a room ends when a participant with endConferenceOnExit leaves or when it empties;
        # someone left alone stays (hearing silence) until the app moves or hangs them up.
        if ends_room or not room.legs:
            room.end(by=call)
