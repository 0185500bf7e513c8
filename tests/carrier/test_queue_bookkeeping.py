"""A queue's positions and average wait, kept incrementally, agree with a recount of its members.

The carrier reports both on every waitUrl request; at thousands of callers it keeps them without scanning the
queue, so this checks the bookkeeping against the plain definition over any run of joins and leaves.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from callflow.carrier.calls import Call
from callflow.carrier.queues import Queue
from callflow.carrier.server import Carrier

CREATED = 1_764_000_000.0  # a queue made at a realistic epoch time: the sum of join times stays exact enough

steps = st.lists(st.tuples(st.sampled_from(["join", "leave", "front"]), st.integers(0, 30),
                           st.floats(0, 600, allow_nan=False)), max_size=80)


@settings(max_examples=150, deadline=None)
@given(steps)
def test_positions_and_average_wait_match_a_recount(moves):
    carrier = Carrier()
    calls = [Call(carrier, from_=f"+1555000{i:04d}", to="+15550009999", direction="inbound") for i in range(31)]
    queue = Queue("support", CREATED, max_size=20)
    waiting: list[tuple[Call, float]] = []  # the plain model: front first, with join times
    now = CREATED
    for move, who, later in moves:
        now += later
        call = calls[who]
        if move == "join":
            expected = len(waiting) < 20 and all(c is not call for c, _ in waiting)
            assert queue.join(call, now) is expected
            if expected:
                waiting.append((call, now))
        elif move == "leave":
            left = queue.leave(call)
            inside = [i for i, (c, _) in enumerate(waiting) if c is call]
            assert (left is not None) == bool(inside)
            if inside:
                waiting.pop(inside[0])
        else:
            front = queue.pop_front()
            assert (front.call if front else None) is (waiting.pop(0)[0] if waiting else None)
        assert queue.size == len(waiting)
        assert [m.call for m in queue.members] == [c for c, _ in waiting]
        for position, (c, _) in enumerate(waiting, start=1):
            assert queue.position(c) == position
        assert all(queue.position(c) == 0 for c in calls if all(c is not w for w, _ in waiting))
        average = int(sum(now - t for _, t in waiting) / len(waiting)) if waiting else 0
        assert abs(queue.average_wait(now) - average) <= (1 if waiting else 0)
        assert queue.member("Front") is (queue.members[0] if waiting else None)
