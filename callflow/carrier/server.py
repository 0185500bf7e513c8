"""The Carrier: numbers, phones, calls, queues and messages, served over HTTP on a background thread.

This is the object tests, the demo and benchmarks hold. It owns the carrier's one lock and its condition
variable: every change of call or queue state happens under it, and every wait sleeps on it (a call's plain
timed waits sleep on the call's own condition over the same lock, see calls.py).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Self

from flask import Flask
from werkzeug.serving import make_server

from callflow.carrier import control, rest
from callflow.carrier.bridge import party
from callflow.carrier.calls import Call, CallStatus, HangUp, Redirect, new_sid
from callflow.carrier.dial import ring
from callflow.carrier.faults import Faults
from callflow.carrier.interactive import Delivery, inbox_of, parse_input
from callflow.carrier.media import Media
from callflow.carrier.phones import Caller, Pickup
from callflow.carrier.queues import Member, Queue, Queues
from callflow.carrier.twiml import Session
from callflow.carrier.webhook import API_VERSION, Goto, send
from callflow.domain.clock import Clock

log = logging.getLogger(__name__)

DEFAULT_ACCOUNT_SID = "AC" + "0" * 32


@dataclass
class Number:
    """A phone number the carrier routes to the app, configured like a Twilio IncomingPhoneNumber."""

    number: str
    voice_url: str
    voice_method: str = "POST"
    status_callback: str | None = None
    status_callback_method: str = "POST"


@dataclass
class Message:
    """An SMS sent through the REST API; recorded, and reported delivered."""

    sid: str
    account_sid: str
    to: str
    from_: str
    body: str
    created_at: float
    status: str = "queued"
    status_callback: str | None = None


class Carrier:
    """A local stand-in for Twilio's voice and messaging APIs."""

    def __init__(self, account_sid: str = DEFAULT_ACCOUNT_SID, auth_token: str = "local-carrier-token",
                 rate: float = 1.0, host: str = "127.0.0.1", port: int = 0, clock: Clock | None = None,
                 play_seconds: float = 10.0):
        self.account_sid, self.auth_token = account_sid, auth_token
        self.clock = clock or Clock(rate)
        self.host, self.port = host, port
        self.play_seconds = play_seconds  # virtual length of one <Play> of audio we cannot time (not WAV)
        self.media = Media(play_seconds)  # <Play> URLs fetched once each, timed by their WAV header
        self.lock = threading.RLock()  # the carrier's one lock: `cond` and every call's own condition share it
        self.cond = threading.Condition(self.lock)
        self.numbers: dict[str, Number] = {}
        self.phones: dict[str, Caller] = {}
        self.default_phone: Caller | None = None  # who answers numbers nobody registered
        self.calls: dict[str, Call] = {}
        self.messages: list[Message] = []
        self.queues = Queues()
        self.conferences: dict = {}
        self.faults = Faults()  # REST errors and delays injected by tests (faults.py)
        self.url: str | None = None
        self._server = None
        self._threads: list[threading.Thread] = []
        self._prune_at = 64

    # -- lifecycle ----------------------------------------------------------------------------------
    def start(self) -> Carrier:
        """Serve the REST and control APIs on a background thread; sets `url`."""
        self._server = make_server(self.host, self.port, create_app(self), threaded=True)
        self.port = self._server.port
        self.url = f"http://{self.host}:{self.port}"
        thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="carrier-http",
                                  daemon=True)
        thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Hang up every live call, then stop serving."""
        for call in list(self.calls.values()):
            call.interrupt(HangUp("carrier stopped"))
        for thread in list(self._threads):
            thread.join(timeout)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- configuration ------------------------------------------------------------------------------
    def add_number(self, number: str, voice_url: str, status_callback: str | None = None,
                   voice_method: str = "POST", status_callback_method: str = "POST") -> Number:
        """Route calls to `number` to the app's voice URL, like a Twilio phone number."""
        self.numbers[number] = Number(number, voice_url, voice_method, status_callback, status_callback_method)
        return self.numbers[number]

    def add_phone(self, number: str, phone: Caller) -> None:
        """Put a scripted phone on `number` (or "client:name") for outbound calls and <Dial> to reach."""
        self.phones[number] = phone

    def phone_for(self, number: str) -> Caller | None:
        return self.phones.get(number, self.default_phone)

    # -- calls --------------------------------------------------------------------------------------
    def new_call(self, threadless: bool = False, **kwargs) -> Call:
        """Create and register a call leg."""
        call = Call(self, **kwargs)
        call.threadless = threadless
        with self.cond:
            self.calls[call.sid] = call
        return call

    def place_call(self, from_: str, to: str, caller: Caller | None = None) -> Call:
        """A scripted phone calls one of our numbers: the app's voice URL is requested."""
        number = self.numbers.get(to)
        if number is None:
            raise ValueError(f"{to} is not a number of this carrier; add_number() it first")
        call = self.new_call(from_=from_, to=to, direction="inbound", phone=caller or Caller(),
                             status_callback=number.status_callback,
                             status_callback_method=number.status_callback_method)
        call.set_status(CallStatus.RINGING)
        session = Session(self, call)
        self._spawn(call, session.run, Goto(number.voice_url, number.voice_method))
        return call

    def create_call(self, to: str, from_: str, url: str | None = None, twiml: str | None = None,
                    method: str = "POST", status_callback: str | None = None,
                    status_callback_events: tuple[str, ...] = ("completed",),
                    status_callback_method: str = "POST", timeout: float = 60.0,
                    machine_detection: str | None = None) -> Call:
        """An outbound call as the REST API makes it: ring `to`, and run the TwiML once it answers."""
        call = self.new_call(from_=from_, to=to, direction="outbound-api", phone=self.phone_for(to),
                             status_callback=status_callback, status_callback_events=status_callback_events,
                             status_callback_method=status_callback_method)
        self._spawn(call, self._outbound, Session(self, call), Goto(url, method, twiml=twiml), timeout,
                    machine_detection)
        return call

    def _outbound(self, session: Session, goto: Goto, timeout: float, machine_detection: str | None) -> None:
        call = session.call
        session.status_event("initiated")
        call.set_status(CallStatus.RINGING)
        session.status_event("ringing")
        try:
            outcome = ring(call, timeout)
        except HangUp:
            outcome = CallStatus.CANCELED
        if outcome is not None:
            call.record("hangup", outcome.value)
            session.finish(outcome)
            return
        if machine_detection:
            call.answered_by = "machine_start" if call.phone.pickup is Pickup.MACHINE else "human"
        call.set_status(CallStatus.IN_PROGRESS)
        session.status_event("answered")
        session.run(goto)

    def _spawn(self, call: Call, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, name=f"call-{call.sid}", daemon=True)
        # Finished calls' threads are forgotten now and then, not at every new call: with thousands of calls live
        # at once, a sweep per call made placing calls quadratic (and held the GIL from every call's thread).
        if len(self._threads) >= self._prune_at:
            self._threads = [t for t in self._threads if t.is_alive()]
            self._prune_at = 2 * len(self._threads) + 64
        self._threads.append(thread)
        thread.start()

    def redirect_call(self, call: Call, url: str | None = None, method: str = "POST",
                      twiml: str | None = None) -> bool:
        """Send a live call to other TwiML, as a REST update with Url or Twiml does."""
        return call.status is CallStatus.IN_PROGRESS and call.interrupt(Redirect(url, method, twiml))

    def end_call(self, call: Call) -> bool:
        """Hang up a call from the REST API (Status=completed or canceled)."""
        return call.interrupt(HangUp("ended through the REST API"))

    # -- people on interactive phones (see interactive.py) -------------------------------------------
    def call(self, call: Call | str) -> Call:
        """A call by sid (or the call itself); KeyError if the carrier never saw it."""
        if isinstance(call, Call):
            return call
        with self.cond:
            return self.calls[call]

    def live_calls(self, number: str) -> list[Call]:
        """Calls ringing or connected to the phone on `number` (or "client:name"), oldest first."""
        with self.cond:
            return [c for c in self.calls.values() if not c.is_final and party(c) == number]

    def answer_call(self, call: Call | str) -> None:
        """The person picks up their ringing phone; Conflict if it is not ringing or scripted."""
        inbox_of(self.call(call)).pick_up(True)

    def reject_call(self, call: Call | str) -> None:
        """The person declines their ringing phone: the call (or that Dial leg) ends busy."""
        inbox_of(self.call(call)).pick_up(False)

    def phone_input(self, call: Call | str, **given) -> Delivery:
        """The person acts on a call: exactly one of press="12", say="..", talk="..", hang_up=True.

        Raises InputError (bad input, naming the field) or Conflict (the call is over or scripted).
        """
        kind, value, confidence = parse_input(given)
        return inbox_of(self.call(call)).give(kind, value, confidence)

    # -- queues -------------------------------------------------------------------------------------
    def create_queue(self, friendly_name: str, max_size: int = 1000) -> Queue:
        with self.cond:
            return self.queues.create(friendly_name, self.clock.timestamp(), max_size)

    def dequeue(self, queue: Queue, call_sid: str, url: str, method: str = "POST") -> Member | None:
        """Take a member off a queue and run `url` on its call, like POSTing a queue Member with Url."""
        with self.cond:
            member = queue.member(call_sid)
            if member is None:
                return None
            queue.leave(member.call)
            member.call.interrupt(Redirect(url, method))
            return member

    # -- messages -----------------------------------------------------------------------------------
    def accept_message(self, to: str, from_: str, body: str, status_callback: str | None = None) -> Message:
        """Record an SMS as queued; `deliver` moves it on."""
        message = Message(new_sid("SM"), self.account_sid, to, from_, body, self.clock.timestamp(),
                          status_callback=status_callback)
        with self.cond:
            self.messages.append(message)
        return message

    def deliver(self, message: Message) -> None:
        """Mark a message sent then delivered, with status callbacks when asked for."""
        def run():
            for status in ("sent", "delivered"):
                message.status = status
                if message.status_callback:
                    params = {"AccountSid": self.account_sid, "MessageSid": message.sid, "SmsSid": message.sid,
                              "MessageStatus": status, "SmsStatus": status, "To": message.to,
                              "From": message.from_, "ApiVersion": API_VERSION}
                    try:
                        send(message.status_callback, params, self.auth_token)
                    except Exception:  # a failed status callback changes nothing for Twilio
                        log.warning("SMS status callback to %s failed", message.status_callback, exc_info=True)
        if message.status_callback:
            threading.Thread(target=run, name=f"sms-{message.sid}", daemon=True).start()
        else:
            run()


def create_app(carrier: Carrier) -> Flask:
    """The carrier's HTTP face: Twilio's REST API and the JSON control API."""
    app = Flask("callflow.carrier")
    app.extensions["carrier"] = carrier
    app.register_blueprint(rest.bp)
    app.register_blueprint(control.bp)
    return app
