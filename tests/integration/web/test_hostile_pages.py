"""The agent console and admin pages under attack: password guessing, session fixation, routes reached by
the wrong role, and script uploads that are bombs or huge. Real Redis and database, the real app."""

from __future__ import annotations

import re
import time

import pytest

from callflow.agents import add_agent
from webhooks import create_app, login_limits
from webhooks.auth import WRONG_LOGIN

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


# -- password guessing -----------------------------------------------------------------------------------
@pytest.mark.parametrize("login", ["alice", "nobody-by-that-name"])
def test_five_wrong_passwords_lock_the_login_with_the_same_words_whether_or_not_it_exists(app, login):
    client = app.test_client()
    for _ in range(login_limits.MAX_PER_LOGIN):
        response = log_in(client, login, "wrong password")
        assert response.status_code == 401 and WRONG_LOGIN in response.get_data(as_text=True)
    locked = log_in(client, login, PASSWORD if login == "alice" else "wrong password")
    assert locked.status_code == 429  # even the right password now: guessing has to stop
    assert login_limits.LOCKED in locked.get_data(as_text=True)
    assert "agent" not in _session(app, client)


def test_the_lock_is_per_login_and_a_good_login_clears_its_count(app):
    client = app.test_client()
    for _ in range(login_limits.MAX_PER_LOGIN - 1):
        log_in(client, "alice", "wrong password")
    assert log_in(client, "alice").status_code == 303  # one short of the limit: the right password works
    for _ in range(login_limits.MAX_PER_LOGIN):
        log_in(app.test_client(), "sam", "wrong", address="10.0.0.2")
    assert log_in(app.test_client(), "alice", address="10.0.0.2").status_code == 303  # sam's lock is his


def test_many_failures_from_one_address_lock_that_address(app):
    for n in range(login_limits.MAX_PER_ADDRESS):
        log_in(app.test_client(), f"guess{n}", "wrong", address="203.0.113.9")
    assert log_in(app.test_client(), "alice", address="203.0.113.9").status_code == 429
    assert log_in(app.test_client(), "alice", address="198.51.100.1").status_code == 303


def test_the_locks_are_shared_by_every_web_process(app, settings):
    for _ in range(login_limits.MAX_PER_LOGIN):
        log_in(app.test_client(), "alice", "wrong")
    other_process = create_app(settings)  # another app on the same Redis
    assert log_in(other_process.test_client(), "alice").status_code == 429


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
NEEDS = [("/admin/", "admin"), ("/console/staff/", "supervisor"), ("/api/calls", "supervisor"),
         ("/console/", "agent")]
ADMIN_ONLY_POSTS = {"staff.hire", "staff.retire"}
RANK = {"agent": 0, "supervisor": 1, "admin": 2}


def needed(rule) -> str | None:
    if rule.rule.startswith(PUBLIC) or rule.rule.startswith(DEMO) or rule.rule.startswith("/voice/"):
        return None
    if rule.endpoint in ADMIN_ONLY_POSTS:
        return "admin"
    for prefix, role in NEEDS:
        if rule.rule.startswith(prefix):
            return role
    raise AssertionError(f"route {rule.rule} ({rule.endpoint}) is not classified: add it to NEEDS or PUBLIC")


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
            if rule.rule.startswith(DEMO):
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
