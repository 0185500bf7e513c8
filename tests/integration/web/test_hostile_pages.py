"""The agent console and admin pages under attack: password guessing, session fixation, routes reached by
the wrong role, and script uploads that are bombs or huge. Real Redis and database, the real app."""

from __future__ import annotations

import math
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from callflow import cli
from callflow.domain.clock import FixedClock
from callflow.store import login_limits
from callflow.store import publications as publishing
from callflow.store.agents import add_agent
from pages.auth import WRONG_LOGIN
from webapp import create_app

PASSWORD = "correct horse battery"


@pytest.fixture
def app(settings, sessions):
    with sessions() as session:
        add_agent(session, "alice", "Alice", PASSWORD, "+15557770001", ["fraud"])
        add_agent(session, "sam", "Sam", PASSWORD, "+15557770002", ["fraud"], role="supervisor")
        add_agent(session, "root", "Root", PASSWORD, "+15557770003", ["fraud"], role="admin")
    return create_app(settings)


def csrf_of(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def log_in(client, login: str, password: str = PASSWORD, address: str = "10.0.0.1"):
    return client.post("/login", data={"login": login, "password": password, "csrf_token": csrf_of(client)},
                       environ_base={"REMOTE_ADDR": address})


def log_out(client):
    with client.session_transaction() as session:
        token = session["csrf_token"]
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303


# -- password guessing -----------------------------------------------------------------------------------
# Throttled, never locked (OWASP): a guesser waits longer after every wrong password, the real agent still
# gets in. Time is the app's clock, frozen here and moved by the tests, so waits are exact and nobody sleeps.
@pytest.fixture
def clock(app) -> FixedClock:
    clock = FixedClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    app.extensions["callflow"].clock = clock
    return clock


def try_again_in(response) -> int:
    """The wait a throttled login page announces, checked against its Retry-After header."""
    assert response.status_code == 429
    said = re.search(r"Try again in (\d+) (seconds?|minutes)\.", response.get_data(as_text=True))
    assert said, "a throttled login page says how long to wait"
    seconds = int(response.headers["Retry-After"])
    shown = int(said.group(1))
    assert shown == (seconds if said.group(2).startswith("second") else math.ceil(seconds / 60)), said.group()
    return seconds


def guess_until_refused(client, login: str, address: str):
    """Wrong passwords (each answered 401) until the login page refuses to check one; that answer."""
    while (response := log_in(client, login, "wrong password", address)).status_code == 401:
        assert WRONG_LOGIN in response.get_data(as_text=True)
    return response


def guess_until_throttled(client, login: str, address: str) -> int:
    """Wrong passwords until the login is throttled; the wait it announces."""
    return try_again_in(guess_until_refused(client, login, address))


@pytest.mark.parametrize("login", ["alice", "nobody-by-that-name"])
def test_a_guesser_is_told_to_wait_longer_after_every_wrong_password_whether_or_not_the_login_exists(
        app, clock, login):
    guesser = app.test_client()
    waits = []
    for _ in range(6):
        waits.append(guess_until_throttled(guesser, login, "203.0.113.9"))
        right = log_in(guesser, login, PASSWORD if login == "alice" else "wrong password", "203.0.113.9")
        assert try_again_in(right) == waits[-1]  # while throttled even the right password is not checked
        clock.advance(waits[-1])
    assert waits == sorted(waits) and waits[-1] >= 8 * waits[0], waits  # each wrong guess waits longer
    assert "agent" not in _session(app, guesser)


def test_an_attackers_wrong_passwords_do_not_stop_the_real_agent_logging_in(app, clock):
    alice = app.test_client()
    assert log_in(alice, "alice", address="10.0.0.1").status_code == 303  # her browser, yesterday
    log_out(alice)
    waits = []
    for n in range(40):  # a guesser on many addresses, always trying again the moment they may
        if waits:
            clock.advance(waits[-1])
        refused = guess_until_refused(app.test_client(), "alice", f"198.51.100.{n}")
        waits.append(int(refused.headers.get("Retry-After", 0)))
    assert log_in(alice, "alice", address="10.0.0.1").status_code == 303  # her browser: straight in
    assert waits[-1] == login_limits.ACCOUNT.longest  # the guesser: one guess every few minutes, and not now
    log_out(alice)
    assert log_in(alice, "alice", address="192.0.2.50").status_code == 303  # ... wherever it is
    stranger = app.test_client()  # a browser she never used: slowed like the guesser, never shut out
    wait = try_again_in(log_in(stranger, "alice", "wrong", "192.0.2.60"))
    clock.advance(wait)
    assert log_in(stranger, "alice", address="192.0.2.60").status_code == 303


def test_one_office_address_with_many_agents_failing_does_not_lock_everyone_out(app, clock, sessions):
    office, staff = "10.20.30.40", [f"agent{n}" for n in range(12)]
    with sessions() as session:
        for login in staff:
            add_agent(session, login, login.title(), PASSWORD, "+15557770100", ["fraud"])
    desks = {login: app.test_client() for login in staff}
    for login, desk in desks.items():  # each agent has logged in at their desk before
        assert log_in(desk, login, address=office).status_code == 303
        log_out(desk)
    for n in range(120):  # the morning: typos, new starters on new machines, one colleague guessing
        response = log_in(app.test_client(), f"{staff[n % 12]}" if n % 2 else f"guess{n}", "wrong", office)
        assert response.status_code in (401, 429)
    for login, desk in desks.items():
        assert log_in(desk, login, "typo", office).status_code == 401  # a mistake of their own
        assert log_in(desk, login, address=office).status_code == 303, login
    newcomer = app.test_client()  # a browser the office has never used is slowed, not shut out
    clock.advance(try_again_in(log_in(newcomer, "alice", "wrong", office)))
    assert log_in(newcomer, "alice", address=office).status_code == 303
    assert log_in(app.test_client(), "sam", address="10.99.0.1").status_code == 303  # elsewhere: as ever


def test_a_good_login_clears_its_own_failures_only(app, clock):
    alice = app.test_client()
    for _ in range(login_limits.CLIENT.free - 1):
        assert log_in(alice, "alice", "wrong password").status_code == 401
    assert log_in(alice, "alice").status_code == 303  # one short of a wait: the right password works
    elsewhere = app.test_client()  # her colleague's browser at the same address
    for _ in range(login_limits.CLIENT.free):
        assert log_in(elsewhere, "alice", "wrong password").status_code == 401  # the count started again
    guesser = app.test_client()
    guess_until_throttled(guesser, "sam", "10.0.0.2")
    assert log_in(app.test_client(), "root", address="10.0.0.2").status_code == 303  # sam's wait is his


def test_the_waits_are_shared_by_every_web_process(app, clock, settings):
    wait = guess_until_throttled(app.test_client(), "alice", "10.0.0.3")
    other_process = create_app(settings)  # another app on the same Redis
    other_process.extensions["callflow"].clock = clock
    assert try_again_in(log_in(other_process.test_client(), "alice", "wrong", "10.0.0.3")) == wait


# -- session fixation --------------------------------------------------------------------------------------
def _session(app, client) -> dict:
    with client.session_transaction() as session:
        return dict(session)


def test_logging_in_replaces_the_session_its_csrf_token_and_anything_set_before(app):
    client = app.test_client()
    before = csrf_of(client)
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"  # pre-login state, e.g. from a fixed cookie
    fixed_cookie = client.get_cookie("session").value
    assert log_in(client, "alice").status_code == 303
    after = _session(app, client)
    assert after["agent"] == "alice"
    assert after["csrf_token"] != before
    assert "planted" not in after
    attacker = app.test_client()
    attacker.set_cookie("session", fixed_cookie)
    assert attacker.get("/console/").status_code == 302  # the fixed cookie did not become a login


# -- every route refuses who it should ---------------------------------------------------------------------
# The role each route needs, by path prefix (the first match wins). A route under none of them fails the walk
# below: every new page must be put here, deliberately.
PUBLIC = ("/login", "/logout", "/health", "/static/")
DEMO = ("/demo/",)  # only exists with CALLFLOW_DEMO on: 404 otherwise
DEMO_ENDPOINTS = {"demo_home"}  # the site's root leads to the demo, 404 otherwise
NEEDS = [("/admin/", "admin"), ("/console/staff/", "supervisor"), ("/api/calls", "supervisor"),
         ("/reports/", "supervisor"), ("/wallboard", "supervisor"), ("/console/", "agent")]
TOKEN = ("/metrics",)  # Prometheus's bearer token, not a login: tests/integration/test_metrics.py
ADMIN_ONLY_POSTS = {"staff.hire", "staff.languages", "staff.retire"}
RANK = {"agent": 0, "supervisor": 1, "admin": 2}


def needed(rule) -> str | None:
    if rule.rule.startswith(PUBLIC + TOKEN) or is_demo(rule) or rule.rule.startswith("/voice/"):
        return None
    if rule.endpoint in ADMIN_ONLY_POSTS:
        return "admin"
    for prefix, role in NEEDS:
        if rule.rule.startswith(prefix):
            return role
    raise AssertionError(f"route {rule.rule} ({rule.endpoint}) is not classified: add it to NEEDS or PUBLIC")


def is_demo(rule) -> bool:
    return rule.rule.startswith(DEMO) or rule.endpoint in DEMO_ENDPOINTS


def concrete(rule) -> str:
    values = {"name": "acme_bank.yaml", "login": "alice", "department": "fraud", "example_id": "1"}
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: values.get(m.group(1), "x"), rule.rule)


def routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_refuses_anonymous_visitors_and_roles_below_the_one_it_needs(app):
    walked = 0
    for who in (None, "alice", "sam", "root"):
        client = app.test_client()
        if who:
            assert log_in(client, who).status_code == 303
        token = _session(app, client).get("csrf_token") or csrf_of(client)
        rank = RANK[{"alice": "agent", "sam": "supervisor", "root": "admin"}[who]] if who else -1
        for rule, method in routes(app):
            if is_demo(rule):
                assert client.open(concrete(rule), method=method, data={"csrf_token": token},
                                   headers={"X-CSRF-Token": token}).status_code == 404
                continue
            role = needed(rule)
            if role is None:
                continue
            walked += 1
            response = client.open(concrete(rule), method=method, data={"csrf_token": token},
                                   headers={"X-CSRF-Token": token})
            where = (who, method, rule.rule, response.status_code)
            if who is None:
                assert response.status_code in (302, 401), where
                if response.status_code == 302:
                    assert "/login" in response.headers["Location"], where
            elif rank < RANK[role]:
                assert response.status_code == 403, where
            else:  # let in (a 403 here can only be the object's own check: another agent's call)
                assert response.status_code not in (302, 401) and response.status_code < 500, where
    assert walked > 60


# -- script uploads ------------------------------------------------------------------------------------------
def billion_laughs(levels: int = 9) -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, levels):
        text += f"{chr(97 + i)}: &{chr(97 + i)} [" + ",".join([f"*{chr(96 + i)}"] * 9) + "]\n"
    return text


@pytest.fixture
def admin(app):
    client = app.test_client()
    assert log_in(client, "root").status_code == 303
    client.token = _session(app, client)["csrf_token"]
    return client


def test_a_yaml_bomb_is_refused_fast_with_a_clear_message(admin):
    started = time.monotonic()
    checked = admin.post("/admin/scripts/acme_bank.yaml/check", json={"text": billion_laughs()},
                         headers={"X-CSRF-Token": admin.token})
    assert checked.status_code == 200
    assert any("anchors" in p["message"] for p in checked.get_json()["problems"])
    saved = admin.post("/admin/scripts/acme_bank.yaml/drafts", data={"text": billion_laughs(), "csrf_token": admin.token})
    assert saved.status_code in (200, 303, 400)
    assert time.monotonic() - started < 5


def test_a_huge_upload_is_refused_at_once_saying_why(admin):
    huge = "company: x\n" + "# padding\n" * 20_000
    started = time.monotonic()
    checked = admin.post("/admin/scripts/acme_bank.yaml/check", json={"text": huge}, headers={"X-CSRF-Token": admin.token})
    assert checked.status_code == 413 and "Too large" in checked.get_json()["error"]
    saved = admin.post("/admin/scripts/acme_bank.yaml/drafts", data={"text": huge, "csrf_token": admin.token})
    assert saved.status_code == 413 and "Too large" in saved.get_data(as_text=True)
    assert time.monotonic() - started < 2


ACME = (Path(__file__).resolve().parents[3] / "ivr_scripts" / "acme_bank.yaml").read_text()


@pytest.mark.parametrize(("character", "named"), [
    ("\x00", "U+0000, NUL"), ("\x1b", "U+001B, escape"), ("\x07", "U+0007"),
    ("\ud800", "U+D800, half of a pair"),
])
def test_a_control_character_in_a_script_is_a_problem_at_its_line_not_a_server_error(admin, character, named):
    lines = ACME.splitlines(keepends=True)
    lines[2] = lines[2][:5] + character + lines[2][5:]  # as a paste would leave it
    text = "".join(lines)
    checked = admin.post("/admin/scripts/acme_bank.yaml/check", json={"text": text},
                         headers={"X-CSRF-Token": admin.token})
    assert checked.status_code == 200
    [problem] = checked.get_json()["problems"]
    assert (problem["line"], problem["column"], problem["severity"]) == (3, 6, "error")
    assert named in problem["message"] and "delete it" in problem["message"]
    if character == "\ud800":
        return  # a form cannot carry half a character: only JSON can
    saved = admin.post("/admin/scripts/acme_bank.yaml/drafts", data={"text": text, "csrf_token": admin.token})
    assert saved.status_code == 400  # not kept: it could never be published (and PostgreSQL refuses a NUL)
    assert "Not saved. Text: line 3: a" in saved.get_data(as_text=True)


def test_callflow_lint_names_a_control_characters_file_line_and_column(tmp_path):
    script = tmp_path / "pasted.yaml"
    script.write_text(ACME.replace("company:", "company:\x00", 1))
    result = CliRunner().invoke(cli.main, ["lint", str(script)])
    assert result.exit_code == 1
    line = ACME[:ACME.index("company:")].count("\n") + 1
    where = f"{script}:{line}:9: error "
    assert f"{where}: a control character (U+0000, NUL) cannot be in a script" in result.output


def test_checking_a_script_that_does_not_exist_answers_404(admin):
    for name in ("no_such_line.yaml", "not-a-script-name"):
        checked = admin.post(f"/admin/scripts/{name}/check", json={"text": ACME},
                             headers={"X-CSRF-Token": admin.token})
        assert checked.status_code == 404, name
        assert checked.get_json() == {"error": f"No such script: {name}."}
    assert admin.post("/admin/scripts/acme_bank.yaml/check", json={"text": ACME},
                      headers={"X-CSRF-Token": admin.token}).status_code == 200
    new_line = ACME.replace('"+442079460100"', '"+442079460111"').replace("default: true", "default: false")
    assert admin.post("/admin/scripts/new_line.yaml/drafts",
                      data={"text": new_line, "csrf_token": admin.token}).status_code == 303
    assert admin.post("/admin/scripts/new_line.yaml/check", json={"text": new_line},
                      headers={"X-CSRF-Token": admin.token}).status_code == 200  # a saved draft exists


@pytest.mark.parametrize(("number", "why"), [
    ("+19005550100", "is a premium-rate number"),
    ("+33612345678", "is in a country this centre does not call (it calls CA, GB, US"),  # by default
])
def test_a_script_dialling_where_callbacks_may_not_is_shown_the_error_and_cannot_be_published(admin, sessions,
                                                                                               number, why):
    text = ACME.replace('dial: "+442079460200"', f'dial: "{number}"')
    line = ACME[:ACME.index('dial: "+442079460200"')].count("\n") + 1
    checked = admin.post("/admin/scripts/acme_bank.yaml/check", json={"text": text},
                         headers={"X-CSRF-Token": admin.token}).get_json()
    [problem] = [p for p in checked["problems"] if p["severity"] == "error"]
    assert (problem["line"], problem["field"]) == (line, "menus.account.options.3.dial")
    assert why in problem["message"]
    saved = admin.post("/admin/scripts/acme_bank.yaml/drafts", data={"text": text, "csrf_token": admin.token})
    assert saved.status_code == 303
    with sessions() as db:
        version = publishing.latest_draft(db, "acme_bank.yaml").id
    published = admin.post("/admin/scripts/acme_bank.yaml/publish",
                           data={"version": version, "reason": "partner line", "csrf_token": admin.token})
    assert published.status_code == 400
    assert f"Version {version} was not published: line {line}, menus.account.options.3.dial" in \
        published.get_data(as_text=True)
    with sessions() as db:
        assert "acme_bank.yaml" not in publishing.live_versions(db)
