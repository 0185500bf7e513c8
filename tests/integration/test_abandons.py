"""A caller who gave up waiting teaches their department's wait estimates once: the worker's job that closes
their call also counts their patience, and RQ runs it again when its database work failed."""

from __future__ import annotations

from callflow.runtime import Runtime
from callflow.services import holding
from callflow.store.acd import CallerInfo
from callflow.store.wait_stats import WaitStats

SID = "CA" + "7" * 32
NOW = 20_000.0


def test_a_retried_close_counts_the_abandon_once(settings):
    rt = Runtime(settings)
    rt.acd.caller_waits(CallerInfo(SID, caller="+15550001", line="+15550100", department="cards",
                                   entered_at=NOW - 80), NOW - 80)

    holding.count_abandon(rt, "cards", 80.0, NOW, sid=SID)
    holding.count_abandon(rt, "cards", 80.0, NOW, sid=SID)  # the job again, after a database failure

    assert WaitStats(rt.redis).get("cards").waits == [[80.0, 1]]
    holding.count_abandon(rt, "cards", 95.0, NOW, sid="CA-another")
    assert WaitStats(rt.redis).get("cards").waits == [[80.0, 1], [95.0, 1]]
