"""A caller put in line reads their place, the first offer and their line for the estimate in one round trip,
and a call's end leaves the line and counts an abandon in one: the same answers as each step alone, even
after Redis has lost its Lua scripts (a restart or SCRIPT FLUSH), which would otherwise fail the routing
answer and leave the caller with Twilio's "application error"."""

from __future__ import annotations

from callflow.store.acd import ACD, CallerInfo
from callflow.store.estimate_inputs import EstimateInputs
from callflow.store.presence import Presence

NOW = 10_000.0


def caller(sid: str, department: str = "cards", entered_at: float = NOW) -> CallerInfo:
    return CallerInfo(sid, caller="+15550000001", line="+442079460100", department=department,
                      entered_at=entered_at)


def test_joining_answers_as_the_separate_steps_do(redis):
    acd = ACD(redis)
    acd.caller_waits(caller("CA-first", entered_at=NOW - 60), NOW - 60)
    joined = acd.caller_joins(caller("CA-second"), NOW)
    assert joined.position == 2
    assert joined.offer is None  # nobody is available
    assert joined.line == EstimateInputs(redis).read("cards", "CA-second", NOW)
    assert acd.caller_info("CA-second").department == "cards"
    assert acd.caller_joins(caller("CA-third"), NOW, max_size=2).position is None  # full


def test_a_free_agent_is_offered_the_first_caller_in_the_same_round_trip(redis):
    acd = ACD(redis)
    acd.set_presence("alice", Presence.AVAILABLE, ["cards"], NOW - 100)
    joined = acd.caller_joins(caller("CA-1"), NOW)
    assert (joined.offer.caller_sid, joined.offer.agent) == ("CA-1", "alice")


def test_a_line_whose_scripts_redis_lost_still_takes_callers(redis):
    acd = ACD(redis)
    acd.caller_joins(caller("CA-1"), NOW)
    redis.script_flush()
    joined = acd.caller_joins(caller("CA-2"), NOW)
    assert joined.position == 2
    assert joined.line.place == 2
    redis.script_flush()
    assert ACD(redis).caller_hung_up("CA-2").abandoned


def test_a_hang_up_leaves_the_line_and_counts_one_abandon(redis):
    acd = ACD(redis)
    acd.caller_joins(caller("CA-1", entered_at=NOW - 90), NOW - 90)
    left = acd.caller_hung_up("CA-1")
    assert (left.department, left.entered_at, left.abandoned) == ("cards", NOW - 90, True)
    assert acd.queues.position("cards", "CA-1") is None
    assert not acd.caller_hung_up("CA-1").abandoned  # a replayed status callback counts nothing more
    assert acd.caller_hung_up("CA-never-routed") is None


def test_a_connected_caller_or_a_callback_is_no_abandon(redis):
    acd = ACD(redis)
    acd.caller_joins(caller("CA-talking"), NOW)
    acd.mark("CA-talking", "connected")
    assert not acd.caller_hung_up("CA-talking").abandoned
    acd.caller_joins(caller("CA-callback"), NOW)
    acd.mark("CA-callback", "callback")
    assert not acd.caller_hung_up("CA-callback").abandoned
    assert acd.queues.position("cards", "CA-callback") == 1  # a callback keeps its place
