"""Login, roles and CSRF through Flask's test client: the rules the browser tests rely on, without a browser;
and password guessing met in real Chromium (the device cookie the browser keeps is what lets its agent in)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from callflow.domain.clock import FixedClock
from callflow.store.agents import add_agent, remove_agent
from callflow.store.presence import Presence
from pages.auth import login_required
from tests.browser.conftest import PASSWORD
from tests.browser.conftest import log_in as log_in_page


@pytest.fixture
def client(app):
    """A test client; the app also gets a page per role to test the decorator itself."""

    @app.get("/test/supervisors")
    @login_required("supervisor")
    def supervisors_only():
        return "supervisors"

    @app.get("/test/admins")
    @login_required("admin")
    def admins_only():
        return "admins"

    return app.test_client()


def token(client) -> str:
    """The session's CSRF token, as the login page would have put it in its form."""
    client.get("/login")
    with client.session_transaction() as session:
        return session["csrf_token"]


def log_in(client, login: str, password: str = PASSWORD, **extra):
    return client.post("/login", data={"login": login, "password": password, "csrf_token": token(client),
                                       **extra})


def test_a_page_sends_a_stranger_to_the_login_form_and_the_api_answers_401(client):
    page = client.get("/console/")
    assert page.status_code == 302
    assert page.location == "/login?next=/console/"
    api = client.get("/console/api/board")
    assert api.status_code == 401
    assert api.json == {"error": "Log in first."}


@pytest.mark.parametrize(("login", "supervisors", "admins"), [
    ("alice", 403, 403),
    ("sam", 200, 403),
    ("root", 200, 200),
])
def test_roles_rank_agent_below_supervisor_below_admin(client, sessions, login, supervisors, admins):
    with sessions() as db:
        add_agent(db, "root", "Ada Admin", PASSWORD, "+15550000009", [], role="admin")
    assert log_in(client, login).status_code == 303
    assert client.get("/test/supervisors").status_code == supervisors
    assert client.get("/test/admins").status_code == admins


def test_an_unknown_role_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown role"):
        login_required("owner")


def test_a_wrong_password_and_an_unknown_login_get_the_same_answer(client):
    wrong_password = log_in(client, "alice", "not-the-password")
    unknown_login = log_in(client, "nobody", "not-the-password")
    assert wrong_password.status_code == unknown_login.status_code == 401
    assert b"Login or password is wrong." in wrong_password.data
    # Same session, same CSRF token: the pages differ only by the login typed back into the form.
    assert wrong_password.data.replace(b'value="alice"', b'value="nobody"') == unknown_login.data
    assert client.get("/console/").status_code == 302


def test_logging_in_starts_a_fresh_session_with_a_new_csrf_token(client):
    before = token(client)
    with client.session_transaction() as session:
        session["planted"] = "by someone else"

    response = log_in(client, "alice", next="/console/agents/alice")

    assert response.status_code == 303
    assert response.location == "/console/agents/alice"
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["agent"] == "alice"
        assert session["csrf_token"] != before
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("target", ["//evil.example/console/", "https://evil.example/", "/\\evil.example",
                                    "console/"])
def test_login_never_redirects_to_another_site(client, target):
    assert log_in(client, "alice", next=target).location == "/console/"


def test_a_login_without_the_csrf_token_is_refused(client):
    response = client.post("/login", data={"login": "alice", "password": PASSWORD})
    assert response.status_code == 400
    assert b"CSRF check failed" in response.data


def test_state_changes_need_the_session_csrf_token_in_the_form_or_the_header(client, runtime):
    log_in(client, "alice")
    with client.session_transaction() as session:
        good = session["csrf_token"]

    assert client.post("/console/presence", data={"state": "available"}).status_code == 400
    wrong = client.post("/console/presence", data={"state": "available", "csrf_token": "x" * 43},
                        headers={"Accept": "application/json"})
    assert wrong.status_code == 400
    assert "CSRF" in wrong.json["error"]
    assert runtime.acd.presence.get("alice") is None

    by_form = client.post("/console/presence", data={"state": "available", "csrf_token": good})
    assert by_form.status_code == 303
    assert runtime.acd.presence.get("alice").state is Presence.AVAILABLE
    by_header = client.post("/console/presence", data={"state": "away"},
                            headers={"X-CSRF-Token": good, "Accept": "application/json"})
    assert by_header.status_code == 200
    assert by_header.json["agent"]["state"] == "away"


def test_logout_is_a_post_with_the_csrf_token(client):
    log_in(client, "alice")
    with client.session_transaction() as session:
        good = session["csrf_token"]
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", data={"csrf_token": good}).status_code == 303
    assert client.get("/console/").status_code == 302


def test_presence_cannot_be_changed_by_hand_during_a_call_or_to_a_made_up_state(client, runtime):
    log_in(client, "alice")
    with client.session_transaction() as session:
        headers = {"X-CSRF-Token": session["csrf_token"], "Accept": "application/json"}
    assert client.post("/console/presence", data={"state": "on-call"}, headers=headers).status_code == 400
    runtime.acd.set_presence("alice", Presence.ON_CALL, ["cards"], runtime.clock.timestamp(), call="CA1")
    busy = client.post("/console/presence", data={"state": "away"}, headers=headers)
    assert busy.status_code == 409
    assert runtime.acd.presence.get("alice").state is Presence.ON_CALL


def test_a_removed_agent_is_logged_out_at_once(client, sessions):
    log_in(client, "alice")
    assert client.get("/console/").status_code == 200
    with sessions() as db:
        remove_agent(db, "alice")
    assert client.get("/console/").status_code == 302


def test_console_pages_cannot_be_framed_or_cached(client):
    log_in(client, "alice")
    response = client.get("/console/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


# -- password guessing: throttled, never locked ------------------------------------------------------------
@pytest.fixture
def clock(runtime) -> FixedClock:
    """The app's clock, frozen: a throttle's waits pass when the test says so."""
    runtime.clock = FixedClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    return runtime.clock


def guess(client, login: str, until: int = 429):
    """Wrong passwords until the answer is `until`; that answer."""
    while (response := log_in(client, login, "not-the-password")).status_code != until:
        assert response.status_code == 401
    return response


def test_a_throttled_guesser_reads_how_long_to_wait_and_learns_nothing_about_the_login(client, clock, app):
    throttled = {}
    for login in ("alice", "nobody"):
        guesser = app.test_client()
        first = guess(guesser, login)
        clock.advance(int(first.headers["Retry-After"]))
        second = guess(guesser, login)
        throttled[login] = second
        waits = [int(r.headers["Retry-After"]) for r in (first, second)]
        assert waits[1] > waits[0] > 0  # every wrong guess past the first few waits longer
        assert f"Try again in {waits[1]} seconds.".encode() in second.data
    token = re.compile(rb'csrf.token" (?:value|content)="[^"]+"')
    pages = {login: token.sub(b"", response.data.replace(login.encode(), b"?"))
             for login, response in throttled.items()}
    assert pages["alice"] == pages["nobody"]  # only the login typed back and each session's token differ


def test_an_agent_logs_in_at_her_own_browser_while_someone_guesses_her_password(page, app, clock):
    log_in_page(page, "alice")  # her browser has seen her log in before
    page.get_by_role("button", name="Log out").click()
    for n in range(30):  # a guesser on many addresses keeps her login throttled
        guesser = app.test_client()
        guesser.environ_base["REMOTE_ADDR"] = f"198.51.100.{n}"
        clock.advance(int(guess(guesser, "alice").headers.get("Retry-After", 0)))
    stranger = app.test_client()
    guess(stranger, "alice", until=401)
    assert log_in(stranger, "alice").status_code == 429  # strangers wait, even with her password

    log_in_page(page, "alice")

    expect(page).to_have_url(re.compile(r"/console/$"))
