"""Known customers are greeted by name without the database on a new call: their names are copied into Redis
by a worker, never read whole while a caller waits; until the copy is there, a call reads its own row."""

from __future__ import annotations

from datetime import UTC, datetime

from callflow.runtime import Runtime
from callflow.services import ivr
from callflow.store.caller_memory import CallerMemory
from callflow.store.customers import import_customers

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
ANNA, STRANGER = "+15551230002", "+15551239999"


def test_names_come_from_the_callers_row_until_a_worker_has_copied_them_all(settings, sessions):
    rt = Runtime(settings)
    with sessions() as session:
        import_customers(session, [{"phone": ANNA, "name": "Anna Smith"}, {"phone": "+15551230003", "name": "Bo"}])

    # Three new calls before any copy: each reads its own number's row; one worker job is asked for, once.
    assert ivr._known(rt, "CA1", ANNA, NOW) == ("Anna Smith", None)
    assert ivr._known(rt, "CA2", STRANGER, NOW) == (None, None)
    assert ivr._known(rt, "CA3", ANNA, NOW) == ("Anna Smith", None)
    assert [job.func_name for job in rt.jobs.jobs] == ["callflow.jobs.copy_customer_names"]

    assert ivr.copy_customer_names(rt) == 2  # the worker's job
    assert CallerMemory(rt.redis).recall(ANNA, NOW.timestamp()) == ("Anna Smith", None, True)
    assert CallerMemory(rt.redis).recall(STRANGER, NOW.timestamp()) == (None, None, True)
    rt.close()
