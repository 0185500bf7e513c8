"""First calls after a start or a publication (issue 22): does anyone hear dead air while a web process gets
ready?

Starts `callflow serve` (two gunicorn processes and an RQ worker) on REDIS_URL (flushed) and DATABASE_URL
(schema dropped and upgraded), with nothing trained or published: what a first start looks like. As soon as
/health answers, --callers callers ring Acme Bank's line at the same moment through the local carrier (real
time: rate 1); then an administrator publishes a new version of the line, and as many ring again at once.
For each round it reports every caller's seconds from placing the call to the first words they heard (the
carrier, as Twilio, answers when the app's first TwiML arrives, so the ring covers the first webhook), and the
latency of the round's webhooks (the carrier's `elapsed`: sending the request to having its answer), with
the first webhook of each call apart. Each round's "a caller waited" lines in the web processes' log (a script
parsed or a router trained inside a webhook) are counted. Results: docs/benchmarks.md, "First calls after a
start or a publish (issue 22)".

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_first REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/first_calls.py --callers 20 --runs 3
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import redis
import requests
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import free_port, fresh_database, machine_speed, percentile
from callflow.carrier import Caller, Carrier, hang_up
from callflow.runtime import Runtime
from callflow.services import publishing
from callflow.settings import Settings

ACCOUNT_SID, AUTH_TOKEN = "AC" + "1" * 32, "bench-auth-token-0123456789abcdef"
LINE = "+15005550006"


def serve(port: int, instance: Path, log: Path) -> subprocess.Popen:
    env = dict(os.environ, TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_AUTH_TOKEN=AUTH_TOKEN, SECRET_KEY="bench",
               CALLFLOW_INSTANCE=str(instance), PUBLIC_URL=f"http://127.0.0.1:{port}",
               IVR_SCRIPTS=str(ROOT / "ivr_scripts"))
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "callflow.cli", "serve", "--port", str(port),
                                    "--rq-worker"], env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("callflow serve exited:\n" + log.read_text()[-3000:])
        try:
            if requests.get(f"http://127.0.0.1:{port}/health", timeout=1).ok:
                return process
        except requests.RequestException:
            time.sleep(0.05)
    raise SystemExit("callflow serve did not answer in 120 s")


def ring_at_once(carrier: Carrier, callers: int, what: str) -> list:
    progress = tqdm(total=callers, desc=what, unit="call")

    def one(n: int):
        call = carrier.place_call(from_=f"+1555123{n:04d}", to=LINE, caller=Caller([hang_up()]))
        call.wait(timeout=120)
        progress.update()
        return call

    with ThreadPoolExecutor(callers) as pool:
        calls = list(pool.map(one, range(callers)))
    progress.close()
    return calls


def figures(calls) -> dict:
    greeting, first, every, errors = [], [], [], 0
    for call in calls:
        errors += len(call.entries("application-error"))
        heard = call.entries("heard")
        if heard:
            greeting.append(heard[0].at)  # seconds since the call was placed: its ring includes the webhook
        requests_made = [e.data["elapsed"] for e in call.entries("request") if "elapsed" in e.data]
        first += requests_made[:1]
        every += requests_made
    return {"greeting": greeting, "first": first, "every": every, "errors": errors}


def publish_new_version(settings: Settings) -> None:
    admin = Runtime(settings)
    text = (ROOT / "ivr_scripts" / "acme_bank.yaml").read_text()
    draft = publishing.save_draft(admin, "acme_bank.yaml",
                                  text.replace("company: Acme Bank", f"company: Acme Bank {time.time():.0f}", 1),
                                  "bench")
    publishing.publish(admin, draft.id, "bench")
    admin.close()


def stop(process: subprocess.Popen, within: float = 30.0) -> None:
    """Stop `callflow serve` and every process it started (gunicorn's workers, the RQ worker finishing its
    job): the next run drops the tables they may still be writing to."""
    os.killpg(process.pid, 15)
    process.wait(timeout=within)
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)  # anyone of the group left?
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.killpg(process.pid, 9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--callers", type=int, default=20)
    parser.add_argument("--runs", type=int, default=1, help="starts of callflow serve, each with both rounds")
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL"):
        raise SystemExit("set REDIS_URL and DATABASE_URL (a database of its own: its tables are dropped)")
    print(f"machine speed: {machine_speed():.2f} s per 10M additions (lower is faster)")
    settings = Settings.from_env()
    rows = []
    for run in range(1, args.runs + 1):
        redis.Redis.from_url(settings.redis_url).flushdb()
        fresh_database(settings.database_url)
        with tempfile.TemporaryDirectory() as folder:
            port, log = free_port(), Path(folder) / "serve.log"
            started = time.perf_counter()
            process = serve(port, Path(folder), log)
            ready = time.perf_counter() - started
            try:
                url = f"http://127.0.0.1:{port}"
                with Carrier(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, rate=1) as carrier:
                    carrier.add_number(LINE, voice_url=f"{url}/voice/incoming", status_callback=f"{url}/voice/status")
                    waited = 0
                    for what in ("after a start", "after a publish"):
                        if what == "after a publish":
                            publish_new_version(settings)
                        result = figures(ring_at_once(carrier, args.callers, f"run {run}: {what}"))
                        cold = log.read_text().count("a caller waited")
                        rows.append((run, what, result, cold - waited, ready))
                        waited = cold
            finally:
                stop(process)
    print(f"\n{'run':>3} {'round':16} {'ready s':>7} {'placed->greeting p50':>20} {'p99':>6} {'max':>6} "
          f"{'1st webhook p50':>15} {'p99':>6} {'all webhooks p99':>16} {'errors':>6} {'cold work':>9}")
    for run, what, r, cold, ready in rows:
        print(f"{run:>3} {what:16} {ready:7.1f} {percentile(r['greeting'], 50) * 1000:18.0f}ms "
              f"{percentile(r['greeting'], 99) * 1000:4.0f}ms {max(r['greeting']) * 1000:4.0f}ms "
              f"{percentile(r['first'], 50) * 1000:13.0f}ms {percentile(r['first'], 99) * 1000:4.0f}ms "
              f"{percentile(r['every'], 99) * 1000:14.0f}ms {r['errors']:>6} {cold:>9}")


if __name__ == "__main__":
    main()
