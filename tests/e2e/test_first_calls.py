"""No dead air after a start or a publication (issue 22): `callflow serve` is started, 20 callers ring at once,
and each hears the greeting within a second of being answered; again right after a new version is published.
No web process parses a script or trains a router while a caller waits (its log would say so)."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from callflow.carrier import Caller, Carrier, hang_up
from callflow.runtime import Runtime
from callflow.services import publishing
from tests.conftest import ACCOUNT_SID, AUTH_TOKEN, ROOT
from tests.ports import free_port
from tests.waiting import wait_for

pytestmark = pytest.mark.e2e

LINE = "+15005550006"
CALLERS = 20
GREETING_WITHIN = 1.0  # seconds between placing the call and the greeting's first word, for every caller


@pytest.fixture
def serving(settings, sessions, tmp_path):
    """`callflow serve` (two gunicorn processes and an RQ worker) on the test Redis and database; its log."""
    port = free_port()
    log = tmp_path / "serve.log"
    env = dict(os.environ, REDIS_URL=settings.redis_url, DATABASE_URL=settings.database_url,
               TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_AUTH_TOKEN=AUTH_TOKEN, CALLFLOW_INSTANCE=str(tmp_path),
               PUBLIC_URL=f"http://127.0.0.1:{port}", IVR_SCRIPTS=str(settings.ivr_scripts), SECRET_KEY="s")
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "callflow.cli", "serve", "--port", str(port),
                                    "--rq-worker"], env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)

    def healthy():
        assert process.poll() is None, "callflow serve exited: " + log.read_text()[-2000:]
        try:
            return requests.get(f"http://127.0.0.1:{port}/health", timeout=1).ok
        except requests.RequestException:
            return False

    wait_for(healthy, timeout=90, what="callflow serve to answer")
    yield f"http://127.0.0.1:{port}", log
    os.killpg(process.pid, 15)
    process.wait(timeout=30)


def ring_at_once(carrier: Carrier) -> list:
    """CALLERS calls placed at the same moment, each hanging up after the greeting and the menu."""
    def one(n: int):
        call = carrier.place_call(from_=f"+1555123{n:04d}", to=LINE, caller=Caller([hang_up()]))
        return call.wait(timeout=60)

    with ThreadPoolExecutor(CALLERS) as pool:
        return list(pool.map(one, range(CALLERS)))


def greeting_waits(calls) -> list[float]:
    """Each caller's seconds from placing the call to the first words they heard: stricter than from being
    answered, since the carrier (as Twilio) answers when the app's first TwiML arrives, after the webhook."""
    waits = []
    for call in calls:
        assert not call.entries("application-error"), call.entries("application-error")
        waits.append(round(call.entries("heard")[0].at, 3))  # `at`: seconds since the call was placed (rate 1)
    return waits


def test_twenty_callers_at_once_hear_the_greeting_within_a_second_after_a_start_and_a_publication(
        serving, settings, sessions):
    url, log = serving
    with Carrier(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, rate=1) as carrier:
        carrier.add_number(LINE, voice_url=f"{url}/voice/incoming", status_callback=f"{url}/voice/status")
        calls = ring_at_once(carrier)
        assert all("Thank you for calling Acme Bank" in call.heard_text() for call in calls)
        after_start = greeting_waits(calls)
        assert max(after_start) <= GREETING_WITHIN, after_start

        admin = Runtime(settings)  # an administrator publishes a new version of the line
        text = (Path(ROOT) / "ivr_scripts" / "acme_bank.yaml").read_text()
        draft = publishing.save_draft(admin, "acme_bank.yaml", text.replace("company: Acme Bank",
                                                                            "company: Acme Bank plc", 1), "root")
        publishing.publish(admin, draft.id, "root")
        admin.close()
        calls = ring_at_once(carrier)
        after_publication = greeting_waits(calls)
        assert max(after_publication) <= GREETING_WITHIN, after_publication
    assert "a caller waited" not in log.read_text()
