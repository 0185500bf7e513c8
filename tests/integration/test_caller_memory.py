"""Known customers are greeted by name, in their language, without the database on a new call: their names and
languages are copied into Redis by a worker, never read whole while a caller waits; until the copy is there, a
call reads its own row."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from callflow.runtime import Runtime
from callflow.services import ivr
from callflow.store.caller_memory import CallerMemory
from callflow.store.customers import import_customers

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
ANNA, STRANGER, LUCIA = "+15551230002", "+15551239999", "+15551230004"


def test_names_come_from_the_callers_row_until_a_worker_has_copied_them_all(settings, sessions):
    rt = Runtime(settings)
    with sessions() as session:
        import_customers(session, [{"phone": ANNA, "name": "Anna Smith"}, {"phone": "+15551230003", "name": "Bo"},
                                   {"phone": LUCIA, "name": "Lucía Pérez", "language": "es-MX"}])

    # Three new calls before any copy: each reads its own number's row; one worker job is asked for, once.
    assert ivr._known(rt, "CA1", ANNA, NOW) == ("Anna Smith", None, None)
    assert ivr._known(rt, "CA2", STRANGER, NOW) == (None, None, None)
    assert ivr._known(rt, "CA3", LUCIA, NOW) == ("Lucía Pérez", None, "es-MX")
    assert [job.func_name for job in rt.jobs.jobs] == ["callflow.jobs.copy_customer_names"]

    assert ivr.copy_customer_names(rt) == 3  # the worker's job
    assert CallerMemory(rt.redis).recall(ANNA, NOW.timestamp()) == ("Anna Smith", None, True, None)
    assert CallerMemory(rt.redis).recall(STRANGER, NOW.timestamp()) == (None, None, True, None)
    assert CallerMemory(rt.redis).recall(LUCIA, NOW.timestamp()) == ("Lucía Pérez", None, True, "es-MX")
    rt.close()


def test_the_import_sets_and_clears_languages_and_names_a_bad_one_by_line_and_field(settings, sessions):
    from callflow.store.customers import find_customer

    with sessions() as session:
        import_customers(session, [{"phone": LUCIA, "name": "Lucía", "language": "es-US"}])
        import_customers(session, [{"phone": LUCIA, "name": "Lucía Pérez"}])  # no column: kept
        assert (find_customer(session, LUCIA).name, find_customer(session, LUCIA).language) == ("Lucía Pérez", "es-US")
        with pytest.raises(ValueError, match="line 3: language: 'Spanish' is not a language tag"):
            import_customers(session, [{"phone": ANNA, "name": "Anna", "language": ""},
                                       {"phone": LUCIA, "name": "Lucía", "language": "Spanish"}])
        assert find_customer(session, ANNA) is None  # nothing of a bad file is written
        import_customers(session, [{"phone": LUCIA, "name": "Lucía", "language": ""}])  # empty: cleared
        assert find_customer(session, LUCIA).language is None


def test_a_start_copies_the_names_when_redis_has_none_so_the_first_callers_need_no_database(settings, sessions):
    from callflow.services import warm_up

    rt = Runtime(settings)
    with sessions() as session:
        import_customers(session, [{"phone": ANNA, "name": "Anna Smith"}])
    assert warm_up.names_copied(rt) == 1  # `callflow serve`, before gunicorn starts
    assert warm_up.names_copied(rt) is None  # a restart: Redis has them already
    unreachable = dataclasses.replace(settings, database_url="postgresql://nobody@127.0.0.1:1/none")
    assert ivr._known(Runtime(unreachable), "CA1", ANNA, NOW) == ("Anna Smith", None, None)  # no database read
    assert not rt.jobs.jobs  # no copy asked for: none needed
