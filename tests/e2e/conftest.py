"""The e2e ring: the app served over HTTP, a real RQ worker process, and the local carrier calling in.

The carrier plays Twilio: it signs every webhook with the account's auth token and interprets our TwiML.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import threading

import pytest
from rq import Worker
from werkzeug.serving import make_server

from callflow.carrier import Carrier
from tests.conftest import ACCOUNT_SID, AUTH_TOKEN
from tests.waiting import wait_for
from webhooks import create_app

RATE = 30.0  # virtual seconds per real second: prompts, holds and rings play 30 times faster
LINE = "+15005550006"  # the company's Twilio number in the tests
CALLER = "+15551230002"


@pytest.fixture
def app_server(settings):
    """The Flask app answering on a free local port; PUBLIC_URL is that address."""
    server = make_server("127.0.0.1", 0, None, threaded=True)
    public_url = f"http://127.0.0.1:{server.server_port}"
    app = create_app(dataclasses.replace(settings, public_url=public_url, clock_rate=RATE))
    server.app = app
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, public_url
    server.shutdown()
    app.extensions["callflow"].close()


@pytest.fixture
def worker(settings, redis):
    """A real `callflow worker` process on the test Redis and database."""
    env = dict(os.environ, REDIS_URL=settings.redis_url, DATABASE_URL=settings.database_url,
               TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_AUTH_TOKEN=AUTH_TOKEN,
               IVR_SCRIPTS=str(settings.ivr_scripts), CALLFLOW_INSTANCE=str(settings.instance_path),
               CALLFLOW_CLOCK_RATE=str(RATE))
    process = subprocess.Popen([sys.executable, "-m", "callflow.cli", "worker"], env=env)
    wait_for(lambda: Worker.all(connection=redis) or process.poll() is not None, what="the RQ worker to start")
    assert process.poll() is None, "the RQ worker exited at start"
    yield process
    process.terminate()
    process.wait(timeout=15)


@pytest.fixture
def carrier(app_server):
    """The local carrier with the company's line pointed at the app."""
    _, public_url = app_server
    phone_company = Carrier(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, rate=RATE)
    phone_company.start()
    phone_company.add_number(LINE, voice_url=f"{public_url}/voice/incoming",
                             status_callback=f"{public_url}/voice/status")
    yield phone_company
    phone_company.stop()
