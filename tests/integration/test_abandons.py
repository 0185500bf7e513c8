"""A caller who hangs up while waiting teaches their department's wait estimates their patience once: the
webhook that hears it first (the status callback, or Twilio's queue result) marks the abandon, and the worker
closing the call counts it, however often RQ runs the job (it retries when the database fails)."""

from __future__ import annotations

from callflow.runtime import Runtime
from callflow.services import holding
from callflow.store.acd import CallerInfo
from callflow.store.wait_stats import WaitStats

NOW = 20_000.0


def waiting(rt, sid: str, waited: float) -> None:
    rt.acd.caller_waits(CallerInfo(sid, caller="+15550001", line="+15550100", department="cards",
                                   entered_at=NOW - waited), NOW - waited)


def test_the_worker_learns_an_abandon_once_however_often_its_job_runs(settings):
    rt = Runtime(settings)
    waiting(rt, "CA-gone", 80.0)
    waiting(rt, "CA-served", 30.0)
    rt.acd.mark("CA-served", "connected")  # brought to an agent: their hang-up is no abandon

    for sid in ("CA-gone", "CA-served"):
        rt.acd.caller_hung_up(sid)  # the status callback's part
        holding.learn_patience(rt, sid, NOW)
    holding.learn_patience(rt, "CA-gone", NOW)  # the job again, after a database failure

    assert WaitStats(rt.redis).get("cards").waits == [[80.0, 1]]


def test_a_hang_up_reported_by_the_queue_first_is_learned_by_the_worker_once(settings):
    rt = Runtime(settings)
    waiting(rt, "CA-gone", 95.0)
    holding.caller_gave_up(rt, "CA-gone", NOW)  # Twilio's queue result came first: marked, not yet learned
    assert WaitStats(rt.redis).get("cards").waits == []
    rt.acd.caller_left("cards", "CA-gone")  # as the queue result does
    rt.acd.caller_hung_up("CA-gone")  # then the status callback: no longer in line
    holding.learn_patience(rt, "CA-gone", NOW)
    holding.learn_patience(rt, "CA-gone", NOW)

    assert WaitStats(rt.redis).get("cards").waits == [[95.0, 1]]
