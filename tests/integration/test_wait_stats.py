"""Departments' wait statistics in Redis: JSON that survives the round trip, and no update lost under contention."""

from __future__ import annotations

import threading

import redis as redis_lib

from callflow.domain import estimates as est
from callflow.store.wait_stats import WaitStats, estimate_from_json, estimate_to_json


def test_events_reach_the_stored_statistics(redis):
    stats = WaitStats(redis)
    assert stats.get("cards") == est.DepartmentStats()
    ours = est.estimate(stats.get("cards"), 2, 3, now=0.0)
    stats.answered("cards", 40.0, 100.0, estimate_from_json(estimate_to_json(ours)))
    stats.abandoned("cards", 75.0, 120.0)
    stats.handled("cards", 310.0)
    stored = stats.get("cards")
    assert stored.waits == [[40.0, 0], [75.0, 1]] and stored.handles == [310.0] and len(stored.pit) == 1
    assert stored.holdtime == 10.0  # Asterisk's H: (3 x 0 + 40) / 4
    assert stats.get("loans") == est.DepartmentStats()  # departments are kept apart


def test_concurrent_updates_from_many_connections_are_all_kept(redis, redis_url):
    def hammer(n: int) -> None:
        connection = redis_lib.Redis.from_url(redis_url)
        for i in range(25):
            WaitStats(connection).handled("cards", 100.0 * n + i)
        connection.close()

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(WaitStats(redis).get("cards").handles) == sorted(100.0 * n + i for n in range(4) for i in range(25))


def test_an_unreadable_record_starts_afresh_rather_than_failing_the_caller(redis):
    redis.set("callflow:wait-stats:cards", b"{not json")
    assert WaitStats(redis).get("cards") == est.DepartmentStats()
    WaitStats(redis).handled("cards", 120.0)
    assert WaitStats(redis).get("cards").handles == [120.0]
