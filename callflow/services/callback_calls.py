"""The callback call itself: the customer answers and hears who is calling and why; customer-first, they wait
a moment in the room (with the line's hold music) while the agent reserved for them is rung; agent-first, the
agent is there already. All of it in the language the customer booked it in (`Callback.language`)."""

from __future__ import annotations

from callflow.domain.actions import Hangup, JoinRoom, Say
from callflow.domain.script.own_words import voiced
from callflow.domain.script.translated import in_language
from callflow.services import queued
from callflow.services.agents import room_for
from callflow.services.callbacks import callback_call_ended
from callflow.services.waiting import MusicUrl, music
from callflow.store.callbacks import CallbackState, move, record_dial
from callflow.store.models import Callback
from callflow.store.presence import Presence

OUTCOMES = {"no-answer": CallbackState.NO_ANSWER, "busy": CallbackState.BUSY, "failed": CallbackState.FAILED,
            "canceled": CallbackState.FAILED}


def customer_answered(rt, call_sid: str, agent: str, department_id: str, callback_id: int, answered_sid: str,
                      answered_by: str, agent_first: bool, called_from: str, music_url: MusicUrl) -> list:
    """The customer picked up: say who is calling and why, in the language they booked in, then bring them to
    the reserved agent."""
    info = rt.acd.caller_info(call_sid)
    script = _in_their_language(rt, rt.script_for_number(info.line if info else called_from), callback_id, info)
    department = script.departments[department_id]

    def say(*names: str) -> Say:
        hello = script.message("callback_hello", topic=department.topic or department.name)
        return voiced(script, hello, *(script.message(name) for name in names))

    if answered_by.startswith("machine"):
        return [say("callback_machine"), Hangup()]
    if agent_first and not _agent_waiting(rt, agent, call_sid):
        # The agent who waited for this customer has hung up: an apology, and the call counts as a failed
        # attempt (the status webhook), so the callback is tried again under the line's retry policy.
        return [say("callback_agent_gone"), Hangup()]
    with rt.sessions() as session:
        move(session, callback_id, CallbackState.CONNECTED, rt.clock.now())
        _adopt_unrecorded_dial(session, callback_id, answered_sid)
    rt.acd.mark(call_sid, "in_room")
    if agent_first:  # the agent is in the room already: the customer is through the moment they join
        rt.acd.mark(call_sid, "connected")
        return [say("callback_adviser_on_line"), JoinRoom(room_for(call_sid), ends_room=True)]
    queued.enqueue(rt, "ring_agent", department_id, call_sid, agent)
    tune = music(rt, script, 0, music_url).url  # while the agent is rung and hears who they are calling, not silence
    return [say("callback_connecting"), JoinRoom(room_for(call_sid), ends_room=True, music=tune)]


def _in_their_language(rt, script, callback_id: int, info=None):
    """The script in the language the callback was booked in (the caller's place in line knows it too)."""
    language = info.language if info is not None else ""
    if not language:
        with rt.sessions() as session:
            callback = session.get(Callback, callback_id)
            language = (callback.language if callback is not None else None) or ""
    return in_language(script, language) if language else script


def call_failed(rt, callback_id: int, called_from: str) -> list:
    """The apology when returning the call broke, in the customer's language when it can still be read."""
    script = _in_their_language(rt, rt.script_for_number(called_from), callback_id)
    return [voiced(script, script.message("callback_call_failed")), Hangup()]


def _agent_waiting(rt, agent: str, call_sid: str) -> bool:
    """Agent-first: whether the agent reserved for this callback is still on the line, waiting in the room."""
    presence = rt.acd.presence.get(agent)
    return presence is not None and presence.state is Presence.ON_CALL and presence.call == call_sid


def _adopt_unrecorded_dial(session, callback_id: int, answered_sid: str) -> None:
    """Twilio placed the call but its answer to us was an error or came too late (a 5xx, a timeout): the call
    that rings and is answered is this claim's, so record it now, or the agent's hang-up could not end it."""
    callback = session.get(Callback, callback_id)
    if callback is not None and callback.dial_sid is None and callback.lease_token and answered_sid:
        record_dial(session, callback_id, callback.lease_token, answered_sid)


def call_ended(rt, callback_id: int, call_sid: str, agent: str, call_status: str, answered_by: str) -> bool:
    """The callback call ended: done after a conversation; unanswered (or a machine) -> try again later, then
    give up (`callbacks.callback_call_ended`)."""
    outcome = OUTCOMES.get(call_status)
    if answered_by.startswith("machine"):
        outcome = CallbackState.NO_ANSWER
    return callback_call_ended(rt, callback_id, call_sid, agent, outcome.value if outcome else None)
