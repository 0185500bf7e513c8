"""A small JSON API for other processes (benchmarks, the demo) to place scripted calls and read them back.

It is deliberately unauthenticated: the carrier listens on 127.0.0.1 for local use only.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from callflow.carrier.phones import Caller

bp = Blueprint("carrier_control", __name__, url_prefix="/carrier")


def _carrier():
    return current_app.extensions["carrier"]


@bp.post("/calls")
def place_call():
    """Start an inbound call: {from, to, answers: [{press: "1"} | {say: ".."} | ...], patience}."""
    data = request.get_json(force=True)
    try:
        call = _carrier().place_call(data["from"], data["to"], Caller.from_json(data))
    except (KeyError, ValueError) as exc:
        return jsonify({"error": str(exc)}), 400
    return jsonify({"sid": call.sid, "status": call.status.value}), 201


@bp.get("/calls")
def list_calls():
    """Every call the carrier has seen, without transcripts."""
    calls = list(_carrier().calls.values())
    return jsonify([{k: v for k, v in c.to_dict().items() if k != "transcript"} for c in calls])


@bp.get("/calls/<sid>")
def get_call(sid: str):
    """A call's status and transcript."""
    call = _carrier().calls.get(sid)
    if call is None:
        return jsonify({"error": f"no call {sid}"}), 404
    return jsonify(call.to_dict())


@bp.post("/phones")
def add_phone():
    """Put a scripted phone on a number: {number, pickup, ring_seconds, talk, hang_up_after, answers}."""
    data = request.get_json(force=True)
    if "number" not in data:
        return jsonify({"error": "number is required"}), 400
    _carrier().add_phone(data["number"], Caller.from_json(data))
    return jsonify({"number": data["number"]}), 201


@bp.get("/messages")
def list_messages():
    """SMS sent through the REST API."""
    return jsonify([{"sid": m.sid, "to": m.to, "from": m.from_, "body": m.body, "status": m.status}
                    for m in _carrier().messages])
