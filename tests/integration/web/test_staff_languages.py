"""Administrators set the languages agents take calls in on the staff page (issue 24); a refusal names the
field, and a change reaches the agent's presence, where the distributor reads it, at once."""

from __future__ import annotations

import re

import pytest

from callflow.store.agents import add_agent, find_agent
from callflow.store.presence import Presence
from webapp import create_app

PASSWORD = "correct horse battery"


@pytest.fixture
def app(settings, sessions):
    with sessions() as session:
        add_agent(session, "root", "Root", PASSWORD, "+15557770003", ["fraud"], role="admin")
        add_agent(session, "sam", "Sam", PASSWORD, "+15557770002", ["fraud"], role="supervisor")
        add_agent(session, "ann", "Ann", PASSWORD, "+15557770001", ["fraud"], languages="en-GB")
    return create_app(settings)


def logged_in(app, login: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"login": login, "password": PASSWORD, "csrf_token": token}).status_code == 303
    with client.session_transaction() as session:  # a new session (and token) once logged in
        return client, session["csrf_token"]


def test_an_admin_hires_an_agent_who_speaks_spanish_and_the_staff_list_shows_it(app, sessions):
    client, token = logged_in(app, "root")
    hired = client.post("/console/staff/", data={
        "csrf_token": token, "login": "bea", "name": "Bea", "password": PASSWORD, "reach": "+15557770004",
        "departments": "fraud", "languages": "en-GB, es-MX", "role": "agent"}, follow_redirects=True)
    assert hired.status_code == 200
    row = re.search(r'<tr data-agent="bea">.*?</tr>', hired.get_data(as_text=True), re.DOTALL).group(0)
    assert "en-GB, es-MX" in row
    with sessions() as session:
        assert find_agent(session, "bea").language_list() == ["en-GB", "es-MX"]


def test_a_malformed_tag_is_refused_naming_the_field_and_the_form_comes_back_filled_in(app):
    client, token = logged_in(app, "root")
    refused = client.post("/console/staff/", data={
        "csrf_token": token, "login": "bea", "name": "Bea", "password": PASSWORD, "reach": "+15557770004",
        "departments": "fraud", "languages": "Spanish", "role": "agent"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Languages: &#39;Spanish&#39; is not a language tag like en-US or es-US" in page
    assert re.search(r'id="hire-languages"[^>]*\s+value="Spanish"[^>]*aria-invalid="true"', page)
    as_json = client.post("/console/staff/ann/languages", data={"csrf_token": token, "languages": "es-US,es-US"},
                          headers={"Accept": "application/json"})
    assert as_json.status_code == 400 and as_json.json["field"] == "languages"
    assert "listed twice" in as_json.json["error"]


def test_languages_changed_on_the_page_reach_the_agent_s_presence_at_once(app, sessions):
    runtime = app.extensions["callflow"]
    runtime.acd.set_presence("ann", Presence.AVAILABLE, ["fraud"], runtime.clock.timestamp(), languages=["en-GB"])
    client, token = logged_in(app, "root")
    changed = client.post("/console/staff/ann/languages", data={"csrf_token": token, "languages": "en-GB,es-US"},
                          follow_redirects=True)
    assert "Ann now takes calls in en-GB, es-US." in changed.get_data(as_text=True)
    assert runtime.acd.presence.get("ann").languages == ("en-GB", "es-US")
    cleared = client.post("/console/staff/ann/languages", data={"csrf_token": token, "languages": ""},
                          follow_redirects=True)
    assert "Ann now takes any caller (no languages set)." in cleared.get_data(as_text=True)
    assert runtime.acd.presence.get("ann").languages == ()
    with sessions() as session:
        assert find_agent(session, "ann").languages == ""


def test_a_supervisor_sees_languages_but_cannot_change_them(app):
    client, token = logged_in(app, "sam")
    page = client.get("/console/staff/").get_data(as_text=True)
    row = re.search(r'<tr data-agent="ann">.*?</tr>', page, re.DOTALL).group(0)
    assert "en-GB" in row and "Change…" not in row
    assert client.post("/console/staff/ann/languages", data={"csrf_token": token, "languages": "es-US"}
                       ).status_code == 403
