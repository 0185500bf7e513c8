"""The faults ring: real processes whose parts we take away and give back.

Redis is a dedicated `redis-server` subprocess on a free port (never the shared 6379 server), so a test can
kill it and start it again; the app is served over HTTP in a thread as in tests/e2e, the RQ worker is a real
`callflow worker` process, and the local carrier drives the calls exactly as Twilio would.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import redis as redis_lib
from werkzeug.serving import make_server

from callflow.carrier import Caller, Carrier
from tests import processes
from tests.conftest import ACCOUNT_SID, AUTH_TOKEN
from tests.e2e.conftest import LINE, RATE, TUESDAY_MORNING
from tests.ports import free_port
from tests.waiting import wait_for
from webapp import create_app

FALLBACK = "+15005550100"  # CALLFLOW_FALLBACK_NUMBER in these tests: a person who always answers


class RedisServer:
    """A redis-server process of our own that a test can stop (kill -9) and start again on the same port."""

    def __init__(self, folder: Path, appendonly: bool = False):
        self.folder, self.port, self.appendonly = folder, free_port(), appendonly
        self.process: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes" if self.appendonly else "no", "--appendfsync", "always",
             "--dir", str(self.folder), "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        probe = redis_lib.Redis.from_url(self.url, socket_connect_timeout=0.5)
        try:
            wait_for(lambda: self._pings(probe), timeout=10, what="redis-server to accept connections")
        finally:
            probe.close()
        return self

    @staticmethod
    def _pings(connection) -> bool:
        try:
            return bool(connection.ping())
        except redis_lib.RedisError:
            return False

    def stop(self) -> None:
        """Kill -9: what a crashed or unreachable Redis looks like to its clients."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (.ci/run installs it)")
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def fault_settings(settings, redis_server, sessions):
    """The test settings on our own Redis, with a fallback number that always reaches a person."""
    return dataclasses.replace(settings, redis_url=redis_server.url, fallback_number=FALLBACK, clock_rate=RATE,
                               clock_start=TUESDAY_MORNING)


@dataclasses.dataclass
class Centre:
    """The app, its runtime, the carrier and a way to start workers, all on the test's own Redis."""

    app: object
    public_url: str
    carrier: Carrier
    settings: object
    workers: list

    @property
    def runtime(self):
        return self.app.extensions["callflow"]

    def start_worker(self, log_path: Path | None = None, **env_overrides) -> subprocess.Popen:
        env = dict(os.environ, REDIS_URL=self.settings.redis_url, DATABASE_URL=self.settings.database_url,
                   TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_AUTH_TOKEN=AUTH_TOKEN,
                   IVR_SCRIPTS=str(self.settings.ivr_scripts), CALLFLOW_INSTANCE=str(self.settings.instance_path),
                   CALLFLOW_CLOCK_RATE=str(RATE), CALLFLOW_CLOCK_START=TUESDAY_MORNING.isoformat(),
                   TWILIO_API_URL=self.carrier.url, PUBLIC_URL=self.public_url, **env_overrides)
        out = open(log_path, "wb") if log_path else subprocess.DEVNULL  # noqa: SIM115
        process = processes.start([sys.executable, "-m", "callflow.cli", "worker"], env=env,
                                   stdout=out, stderr=subprocess.STDOUT if log_path else None,
                                   start_new_session=True)
        self.workers.append(process)
        from rq import Worker

        wait_for(lambda: Worker.all(connection=self.runtime.redis) or process.poll() is not None,
                 what="the RQ worker to start")
        assert process.poll() is None, "the RQ worker exited at start"
        return process


@pytest.fixture
def centre(fault_settings):
    server = make_server("127.0.0.1", 0, None, threaded=True)
    public_url = f"http://127.0.0.1:{server.server_port}"
    carrier = Carrier(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, rate=RATE).start()
    app = create_app(dataclasses.replace(fault_settings, public_url=public_url, twilio_api_url=carrier.url))
    server.app = app
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    carrier.add_number(LINE, voice_url=f"{public_url}/voice/incoming", status_callback=f"{public_url}/voice/status")
    carrier.add_phone(FALLBACK, Caller(talk=["Duty manager speaking."], hang_up_after=10))
    centre = Centre(app, public_url, carrier, fault_settings, [])
    yield centre
    carrier.stop()
    for process in centre.workers:
        if process.poll() is None:
            process.terminate()
    for process in centre.workers:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    server.shutdown()
    app.extensions["callflow"].close()
