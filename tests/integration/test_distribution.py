"""Callers meet free agents: the longest-idle eligible agent gets the first caller, never twice."""

from __future__ import annotations

import multiprocessing

import redis as redis_lib

from callflow.store.distribution import Distributor
from callflow.store.presence import Presence, PresenceBoard
from callflow.store.queues import Queues


def test_first_caller_goes_to_the_longest_idle_agent_of_the_department(redis):
    board, queues, acd = PresenceBoard(redis), Queues(redis), Distributor(redis)
    board.set("ann", Presence.AVAILABLE, since=50.0, departments=["cards"])
    board.set("bob", Presence.AVAILABLE, since=10.0, departments=["cards", "fees"])
    board.set("cyd", Presence.AVAILABLE, since=1.0, departments=["fees"])  # idle longest, but not for cards
    queues.join("cards", "CA-2", entered_at=200.0)
    queues.join("cards", "CA-1", entered_at=100.0)
    offer = acd.match("cards", now=300.0)
    assert (offer.caller_sid, offer.agent) == ("CA-1", "bob")
    assert board.get("bob").state is Presence.OFFERED and board.get("bob").call == "CA-1"
    assert board.available("fees") == ["cyd"]  # bob is no longer free for fees either
    assert queues.waiting("cards")[0].sid == "CA-2"


def test_no_offer_without_a_free_agent_or_without_a_caller(redis):
    board, queues, acd = PresenceBoard(redis), Queues(redis), Distributor(redis)
    queues.join("cards", "CA-1", entered_at=1.0)
    board.set("ann", Presence.AWAY, since=1.0, departments=["cards"])
    assert acd.match("cards", now=2.0) is None
    board.set("ann", Presence.AVAILABLE, since=3.0, departments=["cards"])
    assert acd.match("cash", now=4.0) is None
    assert acd.match("cards", now=4.0).agent == "ann"


def test_an_agent_who_does_not_answer_lets_the_caller_keep_their_place(redis):
    board, queues, acd = PresenceBoard(redis), Queues(redis), Distributor(redis)
    queues.join("cards", "CA-1", entered_at=100.0)
    queues.join("cards", "CA-2", entered_at=200.0)
    board.set("ann", Presence.AVAILABLE, since=1.0, departments=["cards"])
    offer = acd.match("cards", now=300.0)
    board.set("ann", Presence.AWAY, since=310.0, departments=["cards"])  # did not answer
    assert queues.join("cards", offer.caller_sid, entered_at=310.0) == 1


def _web_process(url: str, start, results) -> None:
    acd = Distributor(redis_lib.Redis.from_url(url))
    start.wait()  # every process matches at the same moment
    results.put([(o.caller_sid, o.agent) for o in acd.match_all(["cards"], now=1000.0)])


def test_many_processes_matching_at_once_offer_each_caller_and_agent_once(redis, redis_url):
    board, queues = PresenceBoard(redis), Queues(redis)
    for i in range(30):
        board.set(f"agent-{i}", Presence.AVAILABLE, since=float(i), departments=["cards"])
    for i in range(50):
        queues.join("cards", f"CA-{i}", entered_at=float(i))
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(6), context.Queue()
    processes = [context.Process(target=_web_process, args=(redis_url, start, results)) for _ in range(6)]
    for process in processes:
        process.start()
    offers = [offer for _ in processes for offer in results.get(timeout=60)]
    for process in processes:
        process.join(timeout=30)
    assert len(offers) == 30
    assert len({agent for _, agent in offers}) == 30 and len({caller for caller, _ in offers}) == 30
    assert {caller for caller, _ in offers} == {f"CA-{i}" for i in range(30)}  # the first 30 in line
    assert queues.size("cards") == 20  # nobody lost: the other 20 still wait, in order
    assert [w.sid for w in queues.waiting("cards")] == [f"CA-{i}" for i in range(30, 50)]
