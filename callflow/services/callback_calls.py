"""The callback call itself: the customer answers and hears who is calling and why; customer-first, they wait
a moment in the room (with the line's hold music) while the agent reserved for them is rung; agent-first, the
agent is there already."""

from __future__ import annotations

from callflow.domain.actions import Hangup, JoinRoom, Say
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
    """The customer picked up: say who is calling and why, then bring them to the reserved agent."""
    info = rt.acd.caller_info(call_sid)
    script = rt.script_for_number(info.line if info else called_from)
    department = script.departments[department_id]
    if answered_by.startswith("machine"):
        return [Say(f"Hello, this is {script.company} returning your call about "
                    f"{department.topic or department.name}. We'll try you again soon."), Hangup()]
    hello = f"Hello, this is {script.company} returning your call about {department.topic or department.name}."
    if agent_first and not _agent_waiting(rt, agent, call_sid):
        # The agent who waited for this customer has hung up: an apology, and the call counts as a failed
        # attempt (the status webhook), so the callback is tried again under the line's retry policy.
        return [Say(f"{hello} I'm sorry, the adviser who was ready for you has just been called away. We'll call "
                    "you again shortly. Goodbye."), Hangup()]
    with rt.sessions() as session:
        move(session, callback_id, CallbackState.CONNECTED, rt.clock.now())
        _adopt_unrecorded_dial(session, callback_id, answered_sid)
    rt.acd.mark(call_sid, "in_room")
    if agent_first:  # the agent is in the room already: the customer is through the moment they join
        rt.acd.mark(call_sid, "connected")
        return [Say(f"{hello} Your adviser is on the line."), JoinRoom(room_for(call_sid), ends_room=True)]
    queued.enqueue(rt, "ring_agent", department_id, call_sid, agent)
    tune = music(rt, script, 0, music_url).url  # while the agent is rung and hears who they are calling, not silence
    return [Say(f"{hello} Connecting you now."), JoinRoom(room_for(call_sid), ends_room=True, music=tune)]


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
