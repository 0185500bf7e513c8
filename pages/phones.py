"""Phones in the page: the app relays a browser's keys, words and answers to the local carrier's control API.

The administrator's test phone, the demo's softphone and an agent's browser phone are interactive phones of
the local carrier (`callflow/carrier/interactive.py`); the page never talks to the carrier itself, so every
action passes the app's login, role and CSRF checks, and each page may drive only calls to or from its own
number. With Twilio there is no such relay: calls ring real phones.
"""

from __future__ import annotations

import requests
from flask import abort, jsonify, request

from pages import runtime

TIMEOUT_SECONDS = 10


def control(method: str, path: str, **kwargs) -> requests.Response:
    """A request to the local carrier's control API; 409 when calls go through Twilio instead."""
    settings = runtime().settings
    if not settings.local_carrier:
        abort(409, "Phones in the page need the local carrier (TWILIO_API_URL); with Twilio, real phones ring.")
    return requests.request(method, settings.twilio_api_url.rstrip("/") + path, timeout=TIMEOUT_SECONDS, **kwargs)


def register(number: str) -> None:
    """Put an interactive phone (driven from a page) on a number or a client identity."""
    control("post", "/carrier/phones", json={"number": number, "interactive": True})


def relay(response: requests.Response):
    """The carrier's answer, as ours."""
    return jsonify(response.json()), response.status_code


def party_to(sid: str, number: str) -> None:
    """404 unless the call is to or from `number` (a page drives only its own phone's calls)."""
    response = control("get", f"/carrier/calls/{sid}", params={"since": "999999"})
    data = response.json() if response.ok else {}
    if number not in (data.get("from"), data.get("to")):
        abort(404, "No such call on this phone.")


def state(sid: str):
    """What the phone heard since entry ?since=N, and what it is waiting for."""
    since = request.args.get("since", "0")
    return relay(control("get", f"/carrier/calls/{sid}", params={"since": since if since.isdigit() else "0"}))


def act(sid: str, action: str):
    """Answer, reject, or give input (keys, words, talk, hang up)."""
    if action not in ("answer", "reject", "input"):
        abort(404, "No such action.")
    body = request.get_json(silent=True, force=True) if action == "input" else None
    return relay(control("post", f"/carrier/calls/{sid}/{action}", json=body))


def ringing(number: str):
    """The live calls ringing or connected to this phone (a page notices that it is rung)."""
    return relay(control("get", f"/carrier/phones/{number}/calls"))
