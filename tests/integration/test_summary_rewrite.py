"""A summary written again after the call's live state has gone (the disposition, the end of wrap-up) keeps
what the caller said and pressed, and its events in the log are not logged twice."""

from __future__ import annotations

from datetime import UTC, datetime

from callflow.runtime import Runtime
from callflow.services.summaries import close_call, write_summary
from callflow.store.contact_events import events_of
from callflow.store.promises import Promises
from callflow.store.summaries import get_summary

SID = "CA" + "5" * 32
STARTED = datetime(2026, 11, 24, 10, 0, tzinfo=UTC).timestamp()


def test_the_words_survive_a_rewrite_after_the_call_closed(settings, sessions):
    rt = Runtime(settings)
    rt.live_calls.save(SID, {"path": ["menu:main", "steer:route:fraud:0.93"], "said": ["I lost my card"],
                             "pressed": [], "department": "fraud"})
    Promises(rt.redis).log(SID, "routed", STARTED + 8, department="fraud")
    Promises(rt.redis).log(SID, "agent-answered", STARTED + 20, agent="ann", waited=12)
    close_call(rt, SID, "completed", STARTED + 90, 90, caller="+15551230002", called="+15005550006")
    assert rt.live_calls.load(SID) is None  # the close let the live state go

    Promises(rt.redis).log(SID, "wrap-up-ended", STARTED + 120, agent="ann", seconds=30)
    write_summary(rt, SID)  # as the end of wrap-up does
    with sessions() as session:
        summary, events = get_summary(session, SID), events_of(session, SID)
    assert summary["words"] == ["I lost my card"]
    assert summary["ivr_path"] == ["menu:main", "steer:route:fraud:0.93"]
    kinds = [e["kind"] for e in events]
    assert kinds.count("queued") == kinds.count("answered") == kinds.count("contact-ended") == 1
    assert kinds.count("wrap-up") == 1 and kinds.count("steering") == 1
    rt.close()
