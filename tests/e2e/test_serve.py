"""The newcomer's path: `callflow serve` on the embedded default answers a call end to end.

No REDIS_URL, no DATABASE_URL: the command upgrades SQLite, starts an embedded Redis, gunicorn and an RQ
worker, and the local carrier calls in as Twilio would.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import requests
from sqlalchemy import create_engine, text

from callflow.carrier import Caller, Carrier, hang_up
from tests.conftest import ACCOUNT_SID, AUTH_TOKEN, ROOT
from tests.ports import free_port
from tests.waiting import wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture
def served(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_AUTH_TOKEN=AUTH_TOKEN, CALLFLOW_INSTANCE=str(tmp_path),
               PUBLIC_URL=f"http://127.0.0.1:{port}", IVR_SCRIPTS=str(ROOT / "ivr_scripts"), SECRET_KEY="s")
    process = subprocess.Popen([sys.executable, "-m", "callflow.cli", "serve", "--port", str(port)], env=env,
                               start_new_session=True)

    def healthy():
        assert process.poll() is None, "callflow serve exited"
        try:
            return requests.get(f"http://127.0.0.1:{port}/health", timeout=1).ok
        except requests.RequestException:
            return False

    wait_for(healthy, timeout=60, what="callflow serve to answer")
    yield f"http://127.0.0.1:{port}", tmp_path
    os.killpg(process.pid, 15)
    process.wait(timeout=30)


def test_callflow_serve_on_the_embedded_default_answers_and_logs_a_call(served):
    url, instance = served
    with Carrier(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, rate=20) as carrier:
        carrier.add_number("+15005550006", voice_url=f"{url}/voice/incoming", status_callback=f"{url}/voice/status")
        call = carrier.place_call(from_="+15551230002", to="+15005550006", caller=Caller([hang_up()]))
        call.wait(timeout=60)
    assert "Thank you for calling Acme Bank" in call.heard_text()
    assert not call.entries("application-error")

    database = create_engine(f"sqlite:///{instance / 'callflow.sqlite3'}")

    def closed():
        with database.connect() as connection:
            return connection.execute(text("select status from calls where sid = :sid and ended_at is not null"),
                                      {"sid": call.sid}).scalar()

    assert wait_for(closed, timeout=30, what="the embedded worker to close the call") == "completed"
    database.dispose()
