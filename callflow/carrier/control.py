"""A small JSON API for other processes (benchmarks, the demo, browser pages) to place calls and read them back.

Scripted phones answer from a list given up front; interactive phones are driven live through the
`/calls/<sid>/answer`, `/reject` and `/input` endpoints, and a page polls `GET /calls/<sid>?since=N` and
`GET /phones/<number>/calls` to follow along. Errors are JSON: 400 names the field, 404 an unknown call,
409 a call that cannot take the action now (over, not ringing, scripted).

It is deliberately unauthenticated: the carrier listens on 127.0.0.1 for local use only.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from callflow.carrier.interactive import Conflict, InputError, Interactive, parse_input
from callflow.carrier.phones import Caller

bp = Blueprint("carrier_control", __name__, url_prefix="/carrier")


def _carrier():
    return current_app.extensions["carrier"]


@bp.errorhandler(InputError)
def _bad_input(exc: InputError):
    return jsonify({"error": str(exc), "field": exc.field}), 400


@bp.errorhandler(Conflict)
def _conflict(exc: Conflict):
    return jsonify({"error": str(exc)}), 409


def _json() -> dict:
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        raise InputError("body", "the body must be a JSON object")
    return data


def _phone(data: dict) -> Caller:
    return Interactive.from_json(data) if data.get("interactive") else Caller.from_json(data)


def _summary(call) -> dict:
    return {k: v for k, v in call.to_dict().items() if k not in ("transcript", "since", "next")}


@bp.post("/calls")
def place_call():
    """Start an inbound call: {from, to, interactive: true} or {from, to, answers: [{press: "1"} | ..], patience}."""
    data = _json()
    for name in ("from", "to"):
        if not isinstance(data.get(name), str) or not data[name]:
            raise InputError(name, f"{name} is required")
    try:
        call = _carrier().place_call(data["from"], data["to"], _phone(data))
    except InputError:
        raise
    except (KeyError, ValueError) as exc:  # an unknown number, or a scripted phone that makes no sense
        return jsonify({"error": str(exc)}), 400
    return jsonify({"sid": call.sid, "status": call.status.value}), 201


@bp.get("/calls")
def list_calls():
    """Every call the carrier has seen, without transcripts; ?party=NUMBER&live=1 narrows to one phone's."""
    carrier, party, live = _carrier(), request.args.get("party"), request.args.get("live") in ("1", "true")
    if party and live:
        calls = carrier.live_calls(party)
    else:
        calls = [c for c in list(carrier.calls.values())
                 if (not live or not c.is_final) and (not party or party in (c.from_, c.to))]
    return jsonify([_summary(c) for c in calls])


@bp.get("/calls/<sid>")
def get_call(sid: str):
    """A call's status, what it waits on the person for, and its transcript from entry ?since=N on."""
    call = _carrier().calls.get(sid)
    if call is None:
        return jsonify({"error": f"no call {sid}"}), 404
    since = request.args.get("since", "0")
    if not since.isdigit():
        raise InputError("since", f"since must be a transcript index (0 or more), got {since!r}")
    return jsonify(call.to_dict(int(since)))


def _act(sid: str, action):
    carrier = _carrier()
    if sid not in carrier.calls:
        return jsonify({"error": f"no call {sid}"}), 404
    result = action(carrier, carrier.calls[sid])
    return jsonify({"sid": sid, **(result.as_dict() if result is not None else {"accepted": True})})


@bp.post("/calls/<sid>/answer")
def answer_call(sid: str):
    """Pick up a ringing interactive phone."""
    return _act(sid, lambda carrier, call: carrier.answer_call(call))


@bp.post("/calls/<sid>/reject")
def reject_call(sid: str):
    """Decline a ringing interactive phone: the call (or that Dial leg) ends busy."""
    return _act(sid, lambda carrier, call: carrier.reject_call(call))


@bp.post("/calls/<sid>/input")
def give_input(sid: str):
    """The person acts: {press: "12"} | {say: "..", confidence} | {talk: ".."} | {hang_up: true}."""
    data = request.get_json(force=True, silent=True)
    parse_input(data)  # a malformed body is a 400 whatever the call's state
    return _act(sid, lambda carrier, call: carrier.phone_input(call, **data))


@bp.post("/phones")
def add_phone():
    """Put a phone on a number: scripted {number, pickup, ring_seconds, talk, hang_up_after, answers}, or
    interactive {number, interactive: true, ring_seconds, hang_up_after}."""
    data = _json()
    if not isinstance(data.get("number"), str) or not data["number"]:
        raise InputError("number", "number is required")
    _carrier().add_phone(data["number"], _phone(data))
    return jsonify({"number": data["number"], "interactive": bool(data.get("interactive"))}), 201


@bp.get("/phones/<number>/calls")
def phone_calls(number: str):
    """The live calls ringing or connected to this phone, oldest first: how a page notices it is rung."""
    return jsonify([_summary(c) for c in _carrier().live_calls(number)])


@bp.get("/messages")
def list_messages():
    """SMS sent through the REST API."""
    return jsonify([{"sid": m.sid, "to": m.to, "from": m.from_, "body": m.body, "status": m.status}
                    for m in _carrier().messages])


@bp.post("/faults")
def add_fault():
    """Make the REST API fail: {method: "POST", path: "Calls.json", status: 500, times: 1, applied: false,
    delay: 0} (see faults.py)."""
    data = _json()
    try:
        fault = _carrier().faults.add(str(data.get("method", "POST")), str(data.get("path", "Calls.json")),
                                      data.get("status", 500), data.get("times", 1), data.get("applied", False),
                                      data.get("delay", 0.0))
    except (TypeError, ValueError) as exc:
        raise InputError("body", str(exc)) from exc
    return jsonify(fault.to_dict()), 201


@bp.get("/faults")
def list_faults():
    """Faults still to fire, and those fired."""
    faults = _carrier().faults
    return jsonify({"pending": [f.to_dict() for f in faults.pending], "fired": faults.fired})


@bp.delete("/faults")
def clear_faults():
    _carrier().faults.clear()
    return jsonify({"cleared": True})
