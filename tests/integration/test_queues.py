"""Departments' queues in real Redis: fair order, kept places, full queues, and many processes at once."""

from __future__ import annotations

import multiprocessing

import redis as redis_lib

from callflow.store.queues import MemberKind, Queues


def test_first_come_first_served_by_entry_time(redis):
    queues = Queues(redis)
    assert queues.join("cards", "CA-b", entered_at=200.0) == 1
    assert queues.join("cards", "CA-a", entered_at=100.0) == 1  # entered earlier (e.g. a callback's original call)
    assert [w.sid for w in queues.waiting("cards")] == ["CA-a", "CA-b"]
    assert queues.position("cards", "CA-b") == 2


def test_a_caller_who_re_enters_keeps_their_original_place(redis):
    queues = Queues(redis)
    queues.join("cards", "CA-first", entered_at=100.0)
    queues.join("cards", "CA-second", entered_at=150.0)
    queues.leave("cards", "CA-first", forget=False)  # e.g. leaves the line for a callback
    queues.join("cards", "CA-third", entered_at=200.0)
    assert queues.join("cards", "CA-first", entered_at=300.0, kind=MemberKind.CALLBACK) == 1
    first = queues.waiting("cards")[0]
    assert (first.sid, first.entered_at, first.kind) == ("CA-first", 100.0, "callback")


def test_joining_twice_does_not_duplicate_a_caller(redis):
    queues = Queues(redis)
    queues.join("cards", "CA-1", entered_at=100.0)
    assert queues.join("cards", "CA-1", entered_at=500.0) == 1
    assert queues.size("cards") == 1


def test_priority_goes_ahead_of_earlier_callers(redis):
    queues = Queues(redis)
    queues.join("fraud", "CA-early", entered_at=100.0)
    queues.join("fraud", "CA-urgent", entered_at=900.0, priority=1)
    assert queues.head("fraud") == "CA-urgent"


def test_a_full_queue_refuses_a_new_caller(redis):
    queues = Queues(redis)
    assert queues.join("fees", "CA-1", 1.0, max_size=2) == 1
    assert queues.join("fees", "CA-2", 2.0, max_size=2) == 2
    assert queues.join("fees", "CA-3", 3.0, max_size=2) is None
    assert queues.size("fees") == 2


def test_leaving_frees_the_place(redis):
    queues = Queues(redis)
    queues.join("cash", "CA-1", 1.0)
    queues.join("cash", "CA-2", 2.0)
    assert queues.leave("cash", "CA-1")
    assert not queues.leave("cash", "CA-1")
    assert queues.position("cash", "CA-2") == 1


def _join_many(url: str, worker: int, count: int) -> list[int]:
    queues = Queues(redis_lib.Redis.from_url(url))
    return [queues.join("busy", f"CA-{worker}-{i}", entered_at=float(i), max_size=600) or 0 for i in range(count)]


def test_many_processes_joining_at_once_never_overfill_or_duplicate(redis, redis_url):
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        results = pool.starmap(_join_many, [(redis_url, w, 200) for w in range(4)])
    accepted = sum(1 for positions in results for p in positions if p)
    assert accepted == 600  # exactly the maximum, though 800 tried
    queues = Queues(redis)
    waiting = queues.waiting("busy")
    assert len(waiting) == 600 == len({w.sid for w in waiting})
    assert [w.entered_at for w in waiting] == sorted(w.entered_at for w in waiting)
