"""What a wait estimate reads of a line, in one round trip: the same as each owner (queues, presence, wait
statistics) would answer on its own, since callers hear the promise made from it."""

from __future__ import annotations

from callflow.store.estimate_inputs import EstimateInputs
from callflow.store.presence import Presence, PresenceBoard
from callflow.store.queues import MemberKind, Queues
from callflow.store.wait_stats import WaitStats

NOW = 10_000.0


def place(redis, department: str, sid: str) -> tuple[int, int]:
    line = EstimateInputs(redis).read(department, sid, NOW)
    return line.place, line.callbacks_ahead


def test_place_counts_the_callbacks_ahead(redis):
    queues = Queues(redis)
    for k, kind in enumerate([MemberKind.CALL, MemberKind.CALLBACK, MemberKind.CALL, MemberKind.CALLBACK]):
        queues.join("cards", f"CA-{k}", entered_at=100.0 + k, kind=kind)
    assert place(redis, "cards", "CA-0") == (1, 0)
    assert place(redis, "cards", "CA-2") == (3, 1)
    assert place(redis, "cards", "CA-3") == (4, 1)  # their own callback is not ahead of them
    assert place(redis, "cards", "CA-new") == (5, 2)  # not in line: the back of it, every callback ahead
    assert place(redis, "payments", "CA-new") == (1, 0)
    queues.join("cards", "CA-0", entered_at=500.0, kind=MemberKind.CALLBACK)  # chose a callback: same place
    assert place(redis, "cards", "CA-2") == (3, 2)
    queues.leave("cards", "CA-1")
    assert place(redis, "cards", "CA-2") == (2, 1)
    queues.join("cards", "CA-0", entered_at=500.0)  # back on the line (e.g. an offer declined)
    assert place(redis, "cards", "CA-2") == (2, 0)


def test_a_line_reads_as_each_of_its_owners_would_answer(redis):
    queues, board, stats = Queues(redis), PresenceBoard(redis), WaitStats(redis)
    for k in range(3):
        queues.join("cards", f"CA-card-{k}", entered_at=100.0 + k)
    queues.join("fraud", "CA-fraud", entered_at=50.0)
    board.set("zoe", Presence.ON_CALL, NOW - 120, ["cards"], call="CA-old")
    board.set("amy", Presence.WRAP_UP, NOW - 5, ["fraud", "cards"])  # takes fraud's caller first
    board.set("bob", Presence.AVAILABLE, NOW - 60, ["cards", "loans"])
    board.set("cat", Presence.AWAY, NOW - 600, ["cards"], back_at=NOW + 900)
    board.set("dan", Presence.AWAY, NOW - 600, ["cards"], back_at=NOW + 9_000)  # beyond the horizon
    stats.answered("cards", 42.0, NOW - 30, None)
    stats.abandoned("cards", 80.0, NOW - 20)

    line = EstimateInputs(redis).read("cards", "CA-card-1", NOW)

    assert (line.position, line.size, line.place, line.callbacks_ahead) == (2, 3, 2, 0)
    assert line.at_work == tuple(board.at_work("cards"))
    assert [p.agent for p in line.at_work] == ["amy", "bob", "zoe"]
    assert line.waiting == {"cards": 3, "fraud": 1, "loans": 0}
    assert line.due_back == tuple(board.due_back("cards", NOW, 7200)) == (NOW + 900,)
    assert line.stats == stats.get("cards") and line.stats.waits


def test_an_empty_line_of_a_new_department_reads_as_the_priors(redis):
    line = EstimateInputs(redis).read("new", "CA-1", NOW)
    assert (line.position, line.size, line.place, line.at_work, line.waiting, line.due_back) == (0, 0, 1, (), {}, ())
    assert line.stats == WaitStats(redis).get("new")


def test_the_hold_answer_reads_the_caller_and_their_line_as_two_reads_would(redis):
    from callflow.store.acd import ACD, CallerInfo

    acd, queues, board = ACD(redis), Queues(redis), PresenceBoard(redis)
    queues.join("cards", "CA-first", entered_at=90.0)
    info = CallerInfo("CA-me", caller="+15550001", line="+15550100", department="cards", name="Ann",
                      said=("lost card",), path=("1",), entered_at=100.0, language="es-US")
    acd.caller_waits(info, 100.0)
    board.set("bob", Presence.ON_CALL, NOW - 60, ["cards"], call="CA-other")

    read_info, line = acd.caller_and_line("CA-me", NOW)

    assert read_info == acd.caller_info("CA-me") == info
    assert line == EstimateInputs(redis).read("cards", "CA-me", NOW)
    assert (line.position, line.size) == (2, 2)
    assert acd.caller_and_line("CA-unknown", NOW) == (None, None)
