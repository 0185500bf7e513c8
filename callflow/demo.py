"""`callflow demo`: the whole product on one laptop in one command, with no Twilio account and nothing running.

It starts, on the embedded default (SQLite and an embedded Redis in a fresh instance folder), the local
carrier, the web app under gunicorn and an RQ worker: the same processes as production, with the carrier in
Twilio's place. The bank's sample script answers the demo line; a softphone page is the caller's phone, and
demo agents' phones are browser phones in their console. Virtual time starts on a weekday morning so the bank
is open. `--callers N` adds simulated callers and robot agents, so queues, estimates, promises and callbacks
can be watched live.
"""

from __future__ import annotations

import logging
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

from callflow.carrier import Caller, Carrier, press, say
from callflow.carrier.interactive import Interactive
from callflow.domain.script.loader import load_script
from callflow.runtime import Runtime
from callflow.services import queued
from callflow.settings import Settings
from callflow.store import db as database
from callflow.store.agents import add_agent
from callflow.store.caller_memory import CallerMemory
from callflow.store.connections import redis_connection, redis_url_of
from callflow.store.customers import import_customers
from callflow.store.presence import Presence

LINE = "+442079460100"  # Acme Bank's number in ivr_scripts/acme_bank.yaml
SOFTPHONE = "+15551230002"  # the demo caller's phone (the softphone page)
CALLER_NAME = "Jane Doe"
PASSWORD = "demo-password"
STAFF = (  # login, name, role, departments preferred first; each answers a browser phone client:<login>
    # Alice is README's agent: the card team, who also block a lost or stolen card (the fraud line).
    ("alice", "Alice Archer", "agent", ("cards", "fraud", "card_payments", "cash_atm", "general")),
    ("bob", "Bob Baker", "agent", ("fraud", "payments", "top_ups", "general")),
    ("carol", "Carol Chen", "agent", ("account", "fees", "general")),
    ("sam", "Sam Singh", "supervisor", ("cards", "fraud", "general")),
    ("root", "Ada Admin", "admin", ()),
)
ROBOT_DEPARTMENTS = ("cards", "card_payments", "cash_atm", "payments", "top_ups", "fees", "account", "fraud",
                     "general")


@dataclass
class Demo:
    """What a running demo is made of, for the CLI to report and stop."""

    url: str
    carrier: object
    children: list[subprocess.Popen]
    env: dict
    log: Path  # the carrier's, the web app's and the workers' messages, kept off the terminal

    def stop(self) -> None:
        for child in self.children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in self.children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        self.carrier.stop()
        for handler in logging.getLogger().handlers[:]:
            if getattr(handler, "baseFilename", None) == str(self.log):
                logging.getLogger().removeHandler(handler)
                handler.close()


def scripts_folder() -> Path:
    """The sample scripts shipped beside the package (a checkout, or an install from it)."""
    here = Path(__file__).resolve().parents[1] / "ivr_scripts"
    return here if here.is_dir() else Path("ivr_scripts").resolve()


def weekday_morning(now: datetime) -> datetime:
    """10:00 in London on the next weekday that is not a bank holiday in the sample script: the bank is open."""
    day = now.astimezone(ZoneInfo("Europe/London")).date() + timedelta(days=1)
    while day.weekday() >= 5 or (day.month, day.day) in ((12, 25), (12, 26), (1, 1)):
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=ZoneInfo("Europe/London")).astimezone(UTC)


def start(host: str = "127.0.0.1", port: int = 5000, rate: float = 1.0, instance: Path | None = None,
          web_workers: int = 1, rq_workers: int = 1, out=print) -> Demo:
    """Start the carrier, the app and the workers with demo data; return when the app answers."""
    instance = (instance or Path("instance") / "demo").resolve()
    shutil.rmtree(instance, ignore_errors=True)  # every demo starts from the same state
    instance.mkdir(parents=True)
    # Start-up and running messages go to a file, so the welcome, printed once the app answers, is what the
    # terminal shows; the welcome says where the file is.
    log = instance / "demo.log"
    handler = logging.FileHandler(log)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logging.getLogger().addHandler(handler)
    if logging.getLogger().level > logging.INFO:
        logging.getLogger().setLevel(logging.INFO)
    account, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    carrier = Carrier(account, token, rate=rate, host=host).start()
    public_url = f"http://{host}:{port}"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(CALLFLOW_INSTANCE=str(instance), TWILIO_ACCOUNT_SID=account, TWILIO_AUTH_TOKEN=token,
               TWILIO_API_URL=carrier.url, PUBLIC_URL=public_url, IVR_SCRIPTS=str(scripts_folder()),
               SECRET_KEY=secrets.token_hex(32), CALLFLOW_CLOCK_RATE=str(rate), CALLFLOW_DEMO="1",
               CALLFLOW_CLOCK_START=weekday_morning(datetime.now(UTC)).isoformat())
    settings = Settings.from_env(env)
    database.upgrade(settings.effective_database_url())
    env["REDIS_URL"] = redis_url_of(redis_connection(settings))  # the embedded Redis, shared by the children
    _seed(Settings.from_env(env))

    carrier.add_number(LINE, f"{public_url}/voice/incoming", status_callback=f"{public_url}/voice/status")
    carrier.add_phone(SOFTPHONE, Interactive(paced=True))  # the page reads prompts at its own pace
    for login, *_ in STAFF:
        carrier.add_phone(f"client:{login}", Interactive())
    with open(log, "ab") as output:  # each child holds its own descriptor of the file
        children = [subprocess.Popen([sys.executable, "-m", "callflow.cli", "worker"], env=env, stdout=output,
                                     stderr=subprocess.STDOUT) for _ in range(rq_workers)]
        children.append(subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}", "--workers", str(web_workers),
             "--worker-class", "gthread", "--threads", "16", "--log-level", "warning", "webapp:create_app()"],
            env=env, stdout=output, stderr=subprocess.STDOUT))
    demo = Demo(public_url, carrier, children, env, log)
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{public_url}/login", timeout=2).ok:
                break
        except requests.RequestException:
            pass
        if time.monotonic() > deadline or any(child.poll() is not None for child in children):
            demo.stop()
            raise RuntimeError(f"the demo's web app did not start; see {log}")
        time.sleep(0.2)  # polling a server that is starting: nothing to wait on but its port
    out(welcome(public_url, instance))
    return demo


def _seed(settings) -> None:
    """Demo agents (browser phones), the demo caller as a known customer."""
    runtime = Runtime(settings)
    with runtime.sessions() as session:
        for login, name, role, departments in STAFF:
            add_agent(session, login, name, PASSWORD, f"client:{login}", list(departments), role=role)
        import_customers(session, [{"phone": SOFTPHONE, "name": CALLER_NAME}])
    CallerMemory(runtime.redis).forget_names()
    runtime.close()


def roster() -> list[tuple[str, str, str, list[str]]]:
    """The demo's staff with the names of the departments they serve, as the caller hears them."""
    departments = load_script(scripts_folder() / "acme_bank.yaml").departments
    return [(login, name, role, [departments[d].name for d in serves]) for login, name, role, serves in STAFF]


def welcome(url: str, instance: Path) -> str:
    """What the newcomer needs, printed last: where to click, who to log in as and what each agent serves."""
    staff = "\n".join(f"    {login:6} {name}, {role}: {', '.join(serves) or 'the admin section, takes no calls'}"
                      for login, name, role, serves in roster())
    folder = _shown(instance)
    return (f"\ncallflow demo: Acme Bank's line {LINE} answers through the local carrier.\n"
            f"  Start here:          {url}/\n"
            f"  The caller's phone:  {url}/demo/phone   (you are {CALLER_NAME}, {SOFTPHONE})\n"
            f"  Agent console:       {url}/login         password {PASSWORD!r} for every login:\n{staff}\n"
            f"  Call flows (admin):  {url}/admin/\n"
            f"  Call summaries:      callflow --instance {folder} calls\n"
            f"  Messages (logs):     {_shown(instance / 'demo.log')}\n"
            f"Try it: on the phone say \"I lost my card\" and choose to hold; log in as alice in another tab and\n"
            f"become available: her phone rings in the page. Ctrl-C stops everything.\n")


def _shown(path: Path) -> Path:
    """A path as the user would type it: relative to where they stand when it is inside, else absolute."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


# -- load: simulated callers and robot agents ------------------------------------------------------------

def robots(demo: Demo, count: int, rate: float) -> None:
    """Robot agents on scripted phones that answer, talk a few minutes and hang up, one per department."""
    runtime = Runtime(Settings.from_env(demo.env))
    with runtime.sessions() as session:
        for index in range(count):
            login = f"robot{index + 1}"
            department = ROBOT_DEPARTMENTS[index % len(ROBOT_DEPARTMENTS)]
            reach = f"+1555000{index + 100:04d}"
            add_agent(session, login, f"Robot {index + 1}", secrets.token_hex(12), reach, [department])
            demo.carrier.add_phone(reach, Caller(talk=[f"Hello, this is robot {index + 1}."],
                                                 hang_up_after=random.uniform(120, 420)))
    for index in range(count):
        department = ROBOT_DEPARTMENTS[index % len(ROBOT_DEPARTMENTS)]
        runtime.acd.set_presence(f"robot{index + 1}", Presence.AVAILABLE, [department], runtime.clock.timestamp())
    queued.enqueue(runtime, "distribute", list(ROBOT_DEPARTMENTS))
    runtime.close()


def callers(demo: Demo, count: int, stop: threading.Event, per_minute: float = 6.0) -> threading.Thread:
    """Simulated callers, one every few virtual seconds, who say why they call and choose hold or callback."""
    script = load_script(scripts_folder() / "acme_bank.yaml")
    phrases = [p for d in script.departments.values() for p in d.phrases]
    rng = random.Random(7)
    rate = float(demo.env.get("CALLFLOW_CLOCK_RATE", "1"))

    def place() -> None:
        for index in range(count):
            if stop.wait(rng.expovariate(per_minute / 60) / rate):
                return
            answers = [say(rng.choice(phrases)), press("1" if rng.random() < 0.75 else "2")]
            demo.carrier.place_call(f"+1555777{index:04d}", LINE,
                                    Caller(answers, patience=rng.uniform(120, 900)))

    thread = threading.Thread(target=place, name="demo-callers", daemon=True)
    thread.start()
    return thread
