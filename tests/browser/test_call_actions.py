"""Transfer, end call and disposition through Flask's test client: who may act on which call, CSRF, and the
errors an agent reads. The whole flow through the carrier and Chromium is in test_console_calls.py.
"""

from __future__ import annotations

import pytest

from callflow.services import console_view
from callflow.store.acd import CallerInfo
from callflow.store.dispositions import dispositions_of
from callflow.store.learning import learned_examples
from callflow.store.presence import Presence
from callflow.store.promises import Promises
from tests.browser.conftest import LINE, PASSWORD

SID = "CA" + "5" * 32
CALLER = "+15551230002"
WORDS = "someone took money from my card"


@pytest.fixture
def client(app):
    return app.test_client()


def log_in(client, login: str) -> dict:
    """Log in; the headers the console's script sends (CSRF token, JSON wanted)."""
    client.get("/login")
    with client.session_transaction() as session:
        token = session["csrf_token"]
    assert client.post("/login", data={"login": login, "password": PASSWORD,
                                       "csrf_token": token}).status_code == 303
    with client.session_transaction() as session:
        return {"X-CSRF-Token": session["csrf_token"], "Accept": "application/json"}


def alice_talks_to_jane(runtime, sid: str = SID) -> CallerInfo:
    """Jane, routed to Cards, is on the line with Alice (as agent_voice.answer leaves things)."""
    now = runtime.clock.timestamp()
    info = CallerInfo(sid, caller=CALLER, line=LINE, department="cards", name="Jane Doe", said=(WORDS,),
                      path=("steer:cards",), entered_at=now - 60)
    runtime.acd.caller_waits(info, now - 60)
    runtime.acd.queues.leave("cards", sid)
    runtime.acd.mark(sid, "connected")
    runtime.acd.set_presence("alice", Presence.ON_CALL, ["cards"], now, call=sid)
    Promises(runtime.redis).log(sid, "agent-answered", now, agent="alice", waited=60)
    return info


def alice_hangs_up(runtime, sid: str = SID) -> None:
    """Alice's leg ended: wrap-up, then (the department's wrap-up time later) available with no call."""
    runtime.acd.set_presence("alice", Presence.WRAP_UP, ["cards"], runtime.clock.timestamp(), call=sid)


def transfer(client, headers, department="fraud", mode="cold", sid=SID):
    return client.post(f"/console/calls/{sid}/transfer", data={"department": department, "mode": mode},
                       headers=headers)


def test_on_a_call_the_console_offers_every_other_department_of_the_line(client, runtime):
    headers = log_in(client, "alice")
    alice_talks_to_jane(runtime)

    board = client.get("/console/api/board", headers=headers).json

    controls = board["controls"]
    assert controls["sid"] == SID and controls["department_name"] == "Cards"
    targets = dict(controls["targets"])
    assert "cards" not in targets and targets["fraud"] == "Fraud and Security"
    html = board["html"]["call"]
    assert 'action="/console/calls/' + SID + '/transfer"' in html
    assert "End call" in html and 'name="csrf_token"' in html
    assert board["to_close"] is None and board["html"]["close"].strip() == ""


def test_a_cold_transfer_from_the_console_moves_the_caller_and_records_the_misroute(client, runtime, sessions):
    headers = log_in(client, "alice")
    alice_talks_to_jane(runtime)

    response = transfer(client, headers)

    assert response.status_code == 200
    assert "Fraud and Security" in response.json["message"]
    assert runtime.acd.caller_info(SID).department == "fraud"
    assert SID in [place.sid for place in runtime.acd.queues.waiting("fraud")]
    with sessions() as db:
        assert [(e.text, e.department, e.wrong_department) for e in learned_examples(db)] == \
            [(WORDS, "fraud", "cards")]
    queued = [job.func_name for job in runtime.jobs.jobs]
    assert "callflow.jobs.redirect_caller" in queued and "callflow.jobs.retrain_router" in queued

    # Alice's line closes: the console asks for the disposition, suggesting "transferred", even after wrap-up.
    alice_hangs_up(runtime)
    runtime.acd.set_presence("alice", Presence.AVAILABLE, ["cards"], runtime.clock.timestamp())
    board = client.get("/console/api/board", headers=headers).json
    assert board["controls"] is None
    assert board["to_close"]["sid"] == SID and board["to_close"]["outcome"] == "transferred"
    assert board["to_close"]["caller"] == CALLER and board["to_close"]["department_name"] == "Cards"
    assert '<option value="transferred" selected>' in board["html"]["close"]


def test_a_transfer_the_domain_refuses_is_explained_and_names_the_field(client, runtime):
    headers = log_in(client, "alice")
    alice_talks_to_jane(runtime)

    same = transfer(client, headers, department="cards")
    assert same.status_code == 409
    assert same.json == {"error": "The caller was not transferred: the caller is already with that department.",
                         "field": "department"}
    unknown = transfer(client, headers, department="nowhere")
    assert unknown.status_code == 409 and "no department 'nowhere'" in unknown.json["error"]
    nothing = transfer(client, headers, department="")
    assert nothing.status_code == 400 and nothing.json["field"] == "department"
    odd = transfer(client, headers, mode="lukewarm")
    assert odd.status_code == 400 and odd.json["field"] == "mode"
    assert runtime.acd.caller_info(SID).department == "cards"


@pytest.mark.parametrize("action", ["transfer", "end", "disposition"])
def test_an_agent_cannot_act_on_another_agents_call(client, runtime, sessions, action):
    alice_talks_to_jane(runtime)
    headers = log_in(client, "bob")

    response = client.post(f"/console/calls/{SID}/{action}",
                           data={"department": "fraud", "confirm": "yes", "outcome": "resolved"},
                           headers=headers)

    assert response.status_code == 403
    assert response.json["error"] == "That call is not yours."
    assert runtime.acd.caller_info(SID).department == "cards"
    assert not runtime.acd.has(SID, "ended-by-bob")
    with sessions() as db:
        assert dispositions_of(db, SID) == [] and learned_examples(db) == []


@pytest.mark.parametrize("action", ["transfer", "end", "disposition"])
def test_call_actions_without_the_csrf_token_are_refused(client, runtime, sessions, action):
    headers = log_in(client, "alice")
    alice_talks_to_jane(runtime)
    form = {"department": "fraud", "confirm": "yes", "outcome": "resolved"}

    missing = client.post(f"/console/calls/{SID}/{action}", data=form, headers={"Accept": "application/json"})
    wrong = client.post(f"/console/calls/{SID}/{action}", data=form,
                        headers={**headers, "X-CSRF-Token": "x" * 43})

    assert missing.status_code == wrong.status_code == 400
    assert "CSRF" in missing.json["error"] and "CSRF" in wrong.json["error"]
    assert runtime.acd.caller_info(SID).department == "cards"
    assert not runtime.acd.has(SID, "ended-by-alice")
    with sessions() as db:
        assert dispositions_of(db, SID) == [] and learned_examples(db) == []


def test_ending_a_call_needs_confirming_and_suggests_the_abusive_outcome(client, runtime):
    headers = log_in(client, "alice")
    alice_talks_to_jane(runtime)

    unconfirmed = client.post(f"/console/calls/{SID}/end", headers=headers)
    assert unconfirmed.status_code == 400 and unconfirmed.json["field"] == "confirm"
    assert not runtime.acd.has(SID, "ended-by-alice")

    ended = client.post(f"/console/calls/{SID}/end", data={"confirm": "yes"}, headers=headers)
    assert ended.status_code == 200
    assert runtime.acd.has(SID, "ended-by-alice")
    assert "callflow.jobs.hang_up_caller" in [job.func_name for job in runtime.jobs.jobs]
    alice_hangs_up(runtime)
    assert client.get("/console/api/board", headers=headers).json["to_close"]["outcome"] == "abusive"


def test_a_call_that_has_ended_cannot_be_transferred(client, runtime):
    headers = log_in(client, "alice")
    alice_talks_to_jane(runtime)
    alice_hangs_up(runtime)

    response = transfer(client, headers)

    assert response.status_code == 409
    assert response.json["error"] == "You are no longer on that call."


def test_a_disposition_with_a_made_up_outcome_names_the_field_and_files_nothing(client, runtime, sessions):
    headers = log_in(client, "alice")
    alice_talks_to_jane(runtime)
    alice_hangs_up(runtime)

    response = client.post(f"/console/calls/{SID}/disposition",
                           data={"outcome": "sorted", "notes": "Card blocked."}, headers=headers)

    assert response.status_code == 400
    assert response.json["field"] == "outcome"
    assert response.json["error"].startswith("The disposition was not filed. Outcome: one of resolved, ")
    with sessions() as db:
        assert dispositions_of(db, SID) == []
    too_long = client.post(f"/console/calls/{SID}/disposition", data={"outcome": "resolved", "notes": "x" * 4001},
                           headers=headers)
    assert too_long.status_code == 400 and too_long.json["field"] == "notes"
    # The form is still asked for.
    assert client.get("/console/api/board", headers=headers).json["to_close"]["sid"] == SID


def test_a_disposition_is_filed_once_with_notes_and_promised_actions(client, runtime, sessions):
    headers = log_in(client, "alice")
    alice_talks_to_jane(runtime)
    alice_hangs_up(runtime)
    assert client.get("/console/api/board", headers=headers).json["to_close"]["sid"] == SID

    filed = client.post(f"/console/calls/{SID}/disposition", headers=headers, data={
        "outcome": "follow-up", "notes": "  Card blocked; new one ordered. ",
        "promised": "Send a new card within 5 days\r\n\r\n Call back on Friday \n"})

    assert filed.status_code == 200 and filed.json["message"] == "Disposition filed. Thank you."
    with sessions() as db:
        [disposition] = dispositions_of(db, SID)
    assert (disposition.agent, disposition.outcome, disposition.notes) == \
        ("alice", "follow-up", "Card blocked; new one ordered.")
    assert disposition.promised == "Send a new card within 5 days\nCall back on Friday"
    assert "callflow.jobs.disposition_filed" in [job.func_name for job in runtime.jobs.jobs]
    runtime.acd.set_presence("alice", Presence.AVAILABLE, ["cards"], runtime.clock.timestamp())
    assert client.get("/console/api/board", headers=headers).json["to_close"] is None

    again = client.post(f"/console/calls/{SID}/disposition", data={"outcome": "resolved"}, headers=headers)
    assert again.status_code == 409
    with sessions() as db:
        assert len(dispositions_of(db, SID)) == 1


def test_the_oldest_call_is_closed_first_and_the_call_in_hand_is_left_out(client, runtime):
    headers = log_in(client, "alice")
    first, second = "CA" + "6" * 32, "CA" + "7" * 32
    now = runtime.clock.timestamp()
    console_view.remember_call(runtime.redis, "alice", first, now - 300)
    alice_talks_to_jane(runtime, second)
    board = client.get("/console/api/board", headers=headers).json
    assert board["to_close"]["sid"] == first and board["to_close"]["more"] == 0  # the call in hand waits
    alice_hangs_up(runtime, second)
    board = client.get("/console/api/board", headers=headers).json
    assert board["to_close"]["sid"] == first and board["to_close"]["more"] == 1
    assert "Then 1 more call to close." in board["html"]["close"]


def test_a_supervisor_may_act_on_an_agents_call_from_the_agents_page(client, runtime, sessions):
    alice_talks_to_jane(runtime)
    headers = log_in(client, "sam")

    page = client.get("/console/api/agents/alice", headers=headers).json
    assert page["controls"]["sid"] == SID and "transfer" in page["html"]["call"]
    warm = transfer(client, headers, mode="warm")
    assert warm.status_code == 200 and warm.json["message"].startswith("Ringing Fraud and Security.")
    assert runtime.acd.flag(SID, "warm_from") == "alice"  # Alice stays in the room with the caller
    assert runtime.acd.flag(SID, "transferred_by") == "alice"

    alice_hangs_up(runtime)
    filed = client.post(f"/console/calls/{SID}/disposition", data={"outcome": "transferred"}, headers=headers)
    assert filed.status_code == 200
    with sessions() as db:
        assert [(d.agent, d.outcome) for d in dispositions_of(db, SID)] == [("sam", "transferred")]
    assert client.get("/console/api/agents/alice", headers=headers).json["to_close"] is None


def test_without_the_script_a_form_post_goes_back_to_the_console_or_shows_the_error(client, runtime):
    log_in(client, "alice")
    alice_talks_to_jane(runtime)
    with client.session_transaction() as session:
        token = session["csrf_token"]

    refused = client.post(f"/console/calls/{SID}/transfer", data={"department": "cards", "csrf_token": token})
    assert refused.status_code == 409 and b"already with that department" in refused.data
    moved = client.post(f"/console/calls/{SID}/transfer", data={"department": "fraud", "csrf_token": token,
                                                                "next": "//evil.example/"})
    assert moved.status_code == 303 and moved.location == "/console/"
