"""The browser ring: the agent console served over HTTP and driven in real Chromium through Playwright.

Chromium is Debian's (`/usr/bin/chromium`, or `$CHROMIUM`): Playwright's own browser downloads are never
used, and the browser never reaches the network. Redis and the database are the shared real ones.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from callflow.runtime import Runtime
from callflow.store.agents import add_agent
from webapp import create_app

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "correct-horse-battery"
LINE = "+442079460100"  # Acme Bank's line in ivr_scripts/
STAFF = [  # login, name, role, departments
    ("alice", "Alice Archer", "agent", ["cards"]),
    ("bob", "Bob Baker", "agent", ["payments"]),
    ("sam", "Sam Singh", "supervisor", ["cards", "payments"]),
]


@pytest.fixture
def staff(sessions) -> list[str]:
    """Two agents in different departments and a supervisor, all with PASSWORD."""
    with sessions() as db:
        for number, (login, name, role, departments) in enumerate(STAFF, start=1):
            add_agent(db, login, name, PASSWORD, f"+1555000000{number}", departments, role=role)
    return [login for login, *_ in STAFF]


@pytest.fixture
def app(settings, sessions, staff):
    """The app on the test Redis and database, with the staff in it."""
    app = create_app(settings)
    yield app
    app.extensions["callflow"].close()


@pytest.fixture
def runtime(app) -> Runtime:
    """The app's own Runtime: tests put callers in queues and change presence through it."""
    return app.extensions["callflow"]


@dataclass
class Served:
    """The console answering on a local port."""

    url: str


@pytest.fixture
def served(app) -> Served:
    """The app served by werkzeug on a free port in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Served(f"http://127.0.0.1:{server.server_port}")
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[dev]' installs playwright")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, served):
    """A fresh browser context (no cookies) on the served console."""
    context = browser.new_context(base_url=served.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def log_in(page, login: str, password: str = PASSWORD) -> None:
    """Fill and send the login form, as an agent would."""
    page.goto("/login")
    page.get_by_label("Login").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


@pytest.fixture
def console(browser, app_server):
    """A fresh browser context on the e2e ring's app (modules that import the e2e fixtures use it)."""
    _, public_url = app_server
    context = browser.new_context(base_url=public_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
