"""A database that does not answer at all (its host gone, a failover under way, packets dropped), rather than
one that refuses: callers are still greeted and routed before Twilio gives up on the webhook.

A refused connection fails at once (tests/faults/test_database_outage.py); a silent one used to hold the
webhook for as long as the operating system's TCP timeouts, and Twilio plays its application error after
15 s. The silent server accepts connections and never says a word: the connection opens, nothing answers.
Runs anywhere: no PostgreSQL is needed to be silent.
"""

from __future__ import annotations

import dataclasses
import socket
import threading
from concurrent.futures import ThreadPoolExecutor, TimeoutError

import pytest

from callflow.store import db
from tests.e2e.conftest import TUESDAY_MORNING
from tests.integration.web.test_voice import post, spoken
from webapp import create_app

TWILIO_WEBHOOK_TIMEOUT = 15  # seconds Twilio waits for a webhook's answer


class SilentServer:
    """Accepts connections and never says a word, counting them."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"postgresql://postgres@127.0.0.1:{self.listener.getsockname()[1]}/callflow"
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                self.connections.append(self.listener.accept()[0])
            except OSError:  # closed
                return

    def close(self):
        self.listener.close()
        for connection in self.connections:
            connection.close()


@pytest.fixture
def silent_database():
    server = SilentServer()
    yield server
    server.close()


def answered_in_time(request):
    """The webhook's TwiML, provided it came before Twilio would have hung up."""
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(request).result(timeout=TWILIO_WEBHOOK_TIMEOUT)
    except TimeoutError:
        pytest.fail(f"no answer within Twilio's {TWILIO_WEBHOOK_TIMEOUT} s: the caller hears an application error")
    finally:
        pool.shutdown(wait=False)


def test_callers_are_greeted_and_routed_in_time_while_the_database_does_not_answer(settings, silent_database):
    app = create_app(dataclasses.replace(settings, database_url=silent_database.url, clock_start=TUESDAY_MORNING))
    client = app.test_client()
    greeting = answered_in_time(lambda: post(client, "/voice/incoming"))
    assert "Acme Bank" in spoken(greeting) and greeting.find("Gather") is not None  # the menu, not an apology
    routed = answered_in_time(lambda: post(client, "/voice/input", Digits="4"))
    assert "Fraud" in spoken(routed) and "technical problem" not in spoken(routed)


def test_a_process_leaves_a_silent_database_alone_for_a_moment_after_it_failed_to_answer(settings, silent_database,
                                                                                       monkeypatch):
    monkeypatch.setattr(db, "UNREACHABLE_PAUSE_SECONDS", 60.0)  # the whole test falls in one pause
    app = create_app(dataclasses.replace(settings, database_url=silent_database.url, clock_start=TUESDAY_MORNING))
    client = app.test_client()
    for n in range(3):  # three callers, each of whom would have waited for the database
        sid = f"CA{n:032d}"
        greeting = answered_in_time(lambda sid=sid: post(client, "/voice/incoming", CallSid=sid))
        assert "Acme Bank" in spoken(greeting)
        answered_in_time(lambda sid=sid: post(client, "/voice/input", CallSid=sid, Digits="4"))
    assert len(silent_database.connections) == 1  # tried once, not at every webhook
