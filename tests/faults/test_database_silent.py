"""A database that does not answer at all (its host gone, a failover under way, packets dropped), rather than
one that refuses: callers are still greeted and routed before Twilio gives up on the webhook.

A refused connection fails at once (tests/faults/test_database_outage.py); a silent one used to hold the
webhook for as long as the operating system's TCP timeouts, and Twilio plays its application error after
15 s. The silent server is a socket that listens and never accepts: the connection opens, nothing answers.
Runs anywhere: no PostgreSQL is needed to be silent.
"""

from __future__ import annotations

import dataclasses
import socket
from concurrent.futures import ThreadPoolExecutor, TimeoutError

import pytest

from tests.e2e.conftest import TUESDAY_MORNING
from tests.integration.web.test_voice import post, spoken
from webhooks import create_app

TWILIO_WEBHOOK_TIMEOUT = 15  # seconds Twilio waits for a webhook's answer


@pytest.fixture
def silent_database():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)  # connections complete in the backlog and are never accepted: no server ever speaks
    yield f"postgresql://postgres@127.0.0.1:{listener.getsockname()[1]}/callflow"
    listener.close()  # resets whatever is still waiting on it


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
    app = create_app(dataclasses.replace(settings, database_url=silent_database, clock_start=TUESDAY_MORNING))
    client = app.test_client()
    greeting = answered_in_time(lambda: post(client, "/voice/incoming"))
    assert "Acme Bank" in spoken(greeting) and greeting.find("Gather") is not None  # the menu, not an apology
    routed = answered_in_time(lambda: post(client, "/voice/input", Digits="4"))
    assert "Fraud" in spoken(routed) and "technical problem" not in spoken(routed)
