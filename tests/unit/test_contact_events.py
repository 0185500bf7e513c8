"""A contact's events for the event log, read off its record, IVR path and hold log (docs/events.md)."""

from __future__ import annotations

from callflow.domain.contact_events import events_of
from callflow.domain.summary import build_summary

T0 = 1_764_000_000.0  # the call's start, in seconds
CALL = {"sid": "CA1", "caller": "+15551230002", "called": "+15005550006", "direction": "inbound",
        "status": "completed", "started_at": T0, "ended_at": T0 + 400, "duration_seconds": 400,
        "department": "fraud", "script_version": "v1"}
IVR = {"path": ["menu:main", "steer:route:cards:0.91"], "said": ["I lost my card"], "pressed": []}
HOLD_LOG = [
    {"event": "routed", "at": T0 + 10, "department": "cards"},
    {"event": "permission-asked", "at": T0 + 10, "estimate": 120, "expected": 90},
    {"event": "hold-accepted", "at": T0 + 14},
    {"event": "promise", "at": T0 + 14, "seconds": 150, "figure": 120, "words": "about 2 minutes"},
    {"event": "promise-broken", "at": T0 + 170},
    {"event": "promise", "at": T0 + 170, "seconds": 90, "figure": 60, "words": "about a minute"},
    {"event": "agent-offered", "at": T0 + 200, "agent": "ann"},
    {"event": "promise-kept", "at": T0 + 210},
    {"event": "agent-answered", "at": T0 + 210, "agent": "ann", "waited": 200},
    {"event": "transfer", "at": T0 + 300, "agent": "ann", "warm": False, "from": "cards", "to": "fraud"},
    {"event": "routed", "at": T0 + 300, "department": "fraud"},
    {"event": "agent-left", "at": T0 + 301, "agent": "ann", "duration": 91},
    {"event": "wrap-up-ended", "at": T0 + 331, "agent": "ann", "seconds": 30},
    {"event": "agent-answered", "at": T0 + 320, "agent": "bob", "waited": 310},
]


def kinds(events):
    return [e["kind"] for e in events]


def test_a_transferred_call_on_hold_is_logged_in_order_with_its_waits_per_department():
    events = events_of(CALL, IVR, HOLD_LOG, [{"id": 7, "agent": "bob", "outcome": "resolved", "at": T0 + 400}],
                       {"score": 4, "at": T0 + 405})
    assert kinds(events) == [
        "entered-line", "ivr-choice", "steering", "queued", "hold-asked", "hold-answer", "promise-made",
        "promise-broken", "promise-made", "agent-offered", "promise-kept", "answered", "transferred", "queued",
        "talk-ended", "wrap-up", "answered", "disposition", "survey", "contact-ended"]
    by_kind = {}
    for e in events:
        by_kind.setdefault(e["kind"], []).append(e)
    steering = by_kind["steering"][0]
    assert (steering["department"], steering["figure"], steering["detail"]["decision"]) == ("cards", 0.91, "routed")
    # Waits run from entering each department's line: 200 s in Cards, 20 s in Fraud after the transfer.
    assert [(e["department"], e["agent"], e["seconds"]) for e in by_kind["answered"]] == \
        [("cards", "ann", 200.0), ("fraud", "bob", 20.0)]
    broken, kept = by_kind["promise-broken"][0], by_kind["promise-kept"][0]
    assert (broken["figure"], broken["seconds"]) == (150.0, 156.0)
    assert (kept["figure"], kept["seconds"]) == (90.0, 40.0)
    assert by_kind["transferred"][0]["department"] == "cards"
    assert by_kind["transferred"][0]["detail"] == {"to": "fraud", "warm": False}
    ended = by_kind["contact-ended"][0]
    # Transferred, so not right the first time; counted under the first department it reached.
    assert (ended["department"], ended["figure"], ended["seconds"]) == ("cards", 0.0, 400.0)
    assert ended["detail"] == {"outcome": "resolved", "transfers": 1}
    assert by_kind["survey"][0]["figure"] == 4.0


def test_writing_a_call_again_gives_the_same_keys_and_only_the_new_events_new_ones():
    before = events_of({**CALL, "ended_at": None}, IVR, HOLD_LOG[:9], [])
    after = events_of(CALL, IVR, HOLD_LOG, [])
    assert [e["key"] for e in after[:len(before)]] == [e["key"] for e in before]
    assert len({e["key"] for e in after}) == len(after)


def test_an_abandoned_caller_waited_from_entering_the_line_and_was_not_right_first_time():
    log = [{"event": "routed", "at": T0 + 5, "department": "cards"}, {"event": "abandoned", "at": T0 + 47}]
    events = events_of({**CALL, "ended_at": T0 + 47}, None, log, [])
    abandoned = next(e for e in events if e["kind"] == "abandoned")
    assert (abandoned["department"], abandoned["seconds"]) == ("cards", 42.0)
    assert events[-1]["figure"] == 0.0 and events[-1]["detail"]["outcome"] == "abandoned"


def test_a_callback_answered_by_an_agent_is_a_connected_callback_not_an_answer_in_line():
    log = [{"event": "routed", "at": T0 + 5, "department": "cards"},
           {"event": "callback-accepted", "at": T0 + 20},
           {"event": "agent-answered", "at": T0 + 900, "agent": "ann", "waited": 895}]
    events = events_of(CALL, None, log, [])
    assert "answered" not in kinds(events)
    assert kinds(events)[1:5] == ["queued", "hold-answer", "callback-requested", "callback-connected"]


def test_outbound_calls_are_not_contacts():
    assert events_of({**CALL, "direction": "outbound-api"}, None, HOLD_LOG, []) == []


def test_the_summary_reads_its_figures_from_the_same_events():
    events = events_of(CALL, IVR, HOLD_LOG, [])
    summary = build_summary({**CALL, "started_at": "2025-11-24T16:00:00+00:00"}, IVR, [], None, None,
                            events=events)
    assert summary["departments"] == ["cards", "fraud"] and summary["waits_seconds"] == [200, 20]
    assert summary["agents"] == ["ann", "bob"] and summary["first_department_right"] is False
    assert summary["promises"] == [{"seconds": 150, "at": T0 + 14}, {"seconds": 90, "at": T0 + 170}]
    assert (summary["promises_broken"], summary["promise_kept"]) == (1, True)
    assert summary["hold_answer"] == "hold-accepted" and summary["talk_seconds"] == 91


def test_a_caller_who_hangs_up_while_asked_to_hold_is_an_abandon():
    log = [{"event": "routed", "at": T0 + 5, "department": "cards"},
           {"event": "permission-asked", "at": T0 + 5, "estimate": 300}]
    events = events_of({**CALL, "ended_at": T0 + 9}, None, log, [])
    assert [(e["kind"], e["department"], e["seconds"]) for e in events if e["kind"] == "abandoned"] == \
        [("abandoned", "cards", 4.0)]
    taken = [{"event": "routed", "at": T0 + 5, "department": "cards"},
             {"event": "agent-answered", "at": T0 + 9, "agent": "ann"}]
    assert "abandoned" not in kinds(events_of(CALL, None, taken, []))
