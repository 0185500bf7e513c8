"""Twilio's 2010-04-01 REST API, for the resources callflow uses: Calls, Queues, Members, Messages.

Paths, form parameters, status codes and JSON shapes follow Twilio's OpenAPI description, so the real
`twilio` client works against the carrier once `client.api.base_url` points here.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import urlencode

from flask import Blueprint, current_app, jsonify, request

from callflow.carrier.calls import CallStatus
from callflow.carrier.webhook import API_VERSION

bp = Blueprint("twilio_rest", __name__, url_prefix="/2010-04-01/Accounts/<account_sid>")

CALL_SUBRESOURCES = ("notifications", "recordings", "payments", "events", "siprec", "streams",
                     "transcriptions", "user_defined_message_subscriptions", "user_defined_messages")


def _carrier():
    return current_app.extensions["carrier"]


def _error(status: int, code: int, message: str):
    body = {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status}
    return jsonify(body), status


def _not_found():
    return _error(404, 20404, f"The requested resource {request.path} was not found")


def _rfc2822(timestamp: float | None) -> str | None:
    return None if timestamp is None else format_datetime(datetime.fromtimestamp(timestamp, UTC))


def _base() -> str:
    return f"/2010-04-01/Accounts/{_carrier().account_sid}"


@bp.before_request
def authenticate():
    """HTTP Basic with AccountSid:AuthToken, as Twilio requires."""
    carrier, auth = _carrier(), request.authorization
    if auth is None or auth.username != carrier.account_sid or auth.password != carrier.auth_token:
        return _error(401, 20003, "Authenticate")
    if request.view_args.get("account_sid") != carrier.account_sid:
        return _not_found()
    fault = carrier.faults.take(request.method, request.path)  # injected by a test (faults.py)
    if fault is not None:
        if not fault.applied:
            time.sleep(fault.delay)
            return _error(fault.status, 20500, "Injected fault: the request was not applied")
        request.environ["carrier.fault"] = fault  # applied at once; the late or failed answer comes after
    return None


@bp.after_request
def applied_fault(response):
    """An injected fault that lets the request take effect, then answers an error anyway."""
    fault = request.environ.get("carrier.fault")
    if fault is None:
        return response
    time.sleep(fault.delay)
    body, status = _error(fault.status, 20500, "Injected fault: the request was applied")
    body.status_code = status
    return body


def _page(items: list, key: str, to_json):
    """Twilio's paging envelope around one page of `items`."""
    size = int(request.args.get("PageSize", 50))
    number = int(request.args.get("Page", 0))
    chunk = items[number * size:(number + 1) * size]
    filters = {k: v for k, v in request.args.items() if k not in ("Page", "PageSize", "PageToken")}

    def uri(page: int) -> str:
        return f"{request.path}?{urlencode({**filters, 'PageSize': size, 'Page': page})}"

    more = len(items) > (number + 1) * size
    return jsonify({key: [to_json(item) for item in chunk], "page": number, "page_size": size,
                    "start": number * size, "end": number * size + max(len(chunk) - 1, 0), "uri": uri(number),
                    "first_page_uri": uri(0), "next_page_uri": uri(number + 1) if more else None,
                    "previous_page_uri": uri(number - 1) if number > 0 else None})


# -- calls ------------------------------------------------------------------------------------------
def call_json(call) -> dict:
    """A Call resource."""
    uri = f"{_base()}/Calls/{call.sid}"
    updated = max(t for t in (call.created_at, call.answered_at, call.ended_at) if t is not None)
    return {"sid": call.sid, "account_sid": call.account_sid, "parent_call_sid": call.parent_call_sid,
            "date_created": _rfc2822(call.created_at), "date_updated": _rfc2822(updated),
            "to": call.to, "to_formatted": call.to, "from": call.from_, "from_formatted": call.from_,
            "phone_number_sid": None, "status": call.status.value, "start_time": _rfc2822(call.answered_at),
            "end_time": _rfc2822(call.ended_at), "duration": str(call.duration) if call.is_final else None,
            "price": None, "price_unit": "USD", "direction": call.direction, "answered_by": call.answered_by,
            "api_version": API_VERSION, "forwarded_from": None, "group_sid": None, "caller_name": None,
            "queue_time": "0", "trunk_sid": None, "uri": uri + ".json",
            "subresource_uris": {name: f"{uri}/{name.title().replace('_', '')}.json"
                                 for name in CALL_SUBRESOURCES}}


@bp.post("/Calls.json")
def create_call(account_sid: str):
    form = request.form
    if not form.get("To"):
        return _error(400, 21201, "No 'To' number is specified")
    if not form.get("From"):
        return _error(400, 21213, "No 'From' number is specified")
    if not (form.get("Url") or form.get("Twiml")):
        return _error(400, 21205, "Url parameter is required")
    events = tuple(e for value in form.getlist("StatusCallbackEvent") for e in value.split()) or ("completed",)
    call = _carrier().create_call(
        to=form["To"], from_=form["From"], url=form.get("Url"), twiml=form.get("Twiml"),
        method=form.get("Method", "POST").upper(), status_callback=form.get("StatusCallback"),
        status_callback_events=events, status_callback_method=form.get("StatusCallbackMethod", "POST").upper(),
        timeout=float(form.get("Timeout", 60)), machine_detection=form.get("MachineDetection"))
    return jsonify(call_json(call)), 201


@bp.get("/Calls.json")
def list_calls(account_sid: str):
    carrier, args = _carrier(), request.args
    with carrier.cond:
        calls = [c for c in reversed(list(carrier.calls.values()))
                 if args.get("To", c.to) == c.to and args.get("From", c.from_) == c.from_
                 and args.get("Status", c.status.value) == c.status.value
                 and args.get("ParentCallSid", c.parent_call_sid) == c.parent_call_sid]
        return _page(calls, "calls", call_json)


@bp.get("/Calls/<call_sid>.json")
def fetch_call(account_sid: str, call_sid: str):
    call = _carrier().calls.get(call_sid)
    return jsonify(call_json(call)) if call else _not_found()


@bp.post("/Calls/<call_sid>.json")
def update_call(account_sid: str, call_sid: str):
    carrier, form = _carrier(), request.form
    call = carrier.calls.get(call_sid)
    if call is None:
        return _not_found()
    status = form.get("Status")
    if status in ("completed", "canceled"):
        if status == "completed" or call.status in (CallStatus.QUEUED, CallStatus.RINGING):
            carrier.end_call(call)
    elif status:
        return _error(400, 21218, f"Invalid value {status!r} for Status")
    elif (form.get("Url") or form.get("Twiml")) and not carrier.redirect_call(
            call, form.get("Url"), form.get("Method", "POST").upper(), form.get("Twiml")):
        return _error(400, 21220, "Call is not in-progress. Cannot redirect.")
    return jsonify(call_json(call))


# -- queues and members -----------------------------------------------------------------------------
def queue_json(queue) -> dict:
    """A Queue resource."""
    now = _carrier().clock.timestamp()
    return {"sid": queue.sid, "account_sid": _carrier().account_sid, "friendly_name": queue.friendly_name,
            "current_size": queue.size, "max_size": queue.max_size, "average_wait_time": queue.average_wait(now),
            "date_created": _rfc2822(queue.created_at), "date_updated": _rfc2822(queue.updated_at),
            "uri": f"{_base()}/Queues/{queue.sid}.json"}


def member_json(queue, member) -> dict:
    """A queue Member resource."""
    now = _carrier().clock.timestamp()
    return {"call_sid": member.call.sid, "queue_sid": queue.sid, "position": queue.position(member.call),
            "date_enqueued": _rfc2822(member.enqueued_at), "wait_time": int(now - member.enqueued_at),
            "uri": f"{_base()}/Queues/{queue.sid}/Members/{member.call.sid}.json"}


@bp.post("/Queues.json")
def create_queue(account_sid: str):
    if not request.form.get("FriendlyName"):
        return _error(400, 21201, "Missing required parameter FriendlyName")
    queue = _carrier().create_queue(request.form["FriendlyName"], int(request.form.get("MaxSize", 1000)))
    return jsonify(queue_json(queue)), 201


@bp.get("/Queues.json")
def list_queues(account_sid: str):
    with _carrier().cond:
        return _page(list(_carrier().queues), "queues", queue_json)


@bp.route("/Queues/<queue_sid>.json", methods=["GET", "POST", "DELETE"])
def queue_resource(account_sid: str, queue_sid: str):
    carrier = _carrier()
    queue = carrier.queues.by_sid.get(queue_sid)
    if queue is None:
        return _not_found()
    with carrier.cond:
        if request.method == "DELETE":
            del carrier.queues.by_sid[queue_sid]
            return "", 204
        if request.method == "POST":
            queue.friendly_name = request.form.get("FriendlyName", queue.friendly_name)
            queue.max_size = int(request.form.get("MaxSize", queue.max_size))
            queue.updated_at = carrier.clock.timestamp()
        return jsonify(queue_json(queue))


@bp.get("/Queues/<queue_sid>/Members.json")
def list_members(account_sid: str, queue_sid: str):
    carrier = _carrier()
    queue = carrier.queues.by_sid.get(queue_sid)
    if queue is None:
        return _not_found()
    with carrier.cond:
        return _page(list(queue.members), "queue_members", lambda m: member_json(queue, m))


@bp.route("/Queues/<queue_sid>/Members/<call_sid>.json", methods=["GET", "POST"])
def member_resource(account_sid: str, queue_sid: str, call_sid: str):
    carrier = _carrier()
    queue = carrier.queues.by_sid.get(queue_sid)
    with carrier.cond:
        member = queue.member(call_sid) if queue else None
        if member is None:
            return _not_found()
        body = member_json(queue, member)
        if request.method == "POST":
            if not request.form.get("Url"):
                return _error(400, 21205, "Url parameter is required")
            carrier.dequeue(queue, member.call.sid, request.form["Url"], request.form.get("Method", "POST").upper())
        return jsonify(body)


# -- messages ---------------------------------------------------------------------------------------
def message_json(message) -> dict:
    """A Message resource."""
    uri = f"{_base()}/Messages/{message.sid}"
    sent = message.status in ("sent", "delivered")
    return {"sid": message.sid, "account_sid": message.account_sid, "to": message.to, "from": message.from_,
            "body": message.body, "status": message.status, "direction": "outbound-api", "num_segments": "1",
            "num_media": "0", "price": None, "price_unit": "USD", "error_code": None, "error_message": None,
            "messaging_service_sid": None, "api_version": API_VERSION, "uri": uri + ".json",
            "date_created": _rfc2822(message.created_at), "date_updated": _rfc2822(message.created_at),
            "date_sent": _rfc2822(message.created_at) if sent else None,
            "subresource_uris": {"media": f"{uri}/Media.json", "feedback": f"{uri}/Feedback.json"}}


@bp.post("/Messages.json")
def create_message(account_sid: str):
    form = request.form
    if not form.get("To"):
        return _error(400, 21604, "A 'To' phone number is required.")
    if not form.get("From"):
        return _error(400, 21603, "A 'From' phone number is required.")
    if not form.get("Body"):
        return _error(400, 21602, "Message body is required.")
    carrier = _carrier()
    message = carrier.accept_message(form["To"], form["From"], form["Body"], form.get("StatusCallback"))
    body = message_json(message)
    carrier.deliver(message)
    return jsonify(body), 201


@bp.get("/Messages.json")
def list_messages(account_sid: str):
    carrier, args = _carrier(), request.args
    with carrier.cond:
        messages = [m for m in reversed(carrier.messages)
                    if args.get("To", m.to) == m.to and args.get("From", m.from_) == m.from_]
        return _page(messages, "messages", message_json)
