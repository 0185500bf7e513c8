"""Twilio's queues are sized by the workers, so a busy department is never turned away at Twilio's default.

Twilio creates a queue on first `<Enqueue>` with room for 1,000 callers; past that Twilio itself answers
"queue-full". A worker sizes every department's queue to Twilio's maximum when it starts, creating the
missing ones and enlarging small ones, so the script's own `max_queue` is the only limit callers meet.
"""

from __future__ import annotations

import pytest

from callflow.twilio_queues import TWILIO_MAX_QUEUE
from tests.waiting import wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture
def cards_at_twilios_default(carrier):
    """Cards' queue as Twilio leaves it after a first <Enqueue>: 1,000 callers at most."""
    return carrier.queues.create("cards", carrier.clock.timestamp(), max_size=1000)


def test_a_worker_sizes_every_departments_twilio_queue_to_twilios_maximum(cards_at_twilios_default, worker,
                                                                         carrier, app_server):
    runtime = app_server[0].extensions["callflow"]
    wanted = {d.queue for s in runtime.scripts.current.values() for d in s.departments.values()}
    assert {"cards", "fraud", "general"} <= wanted

    def all_sized():
        with carrier.cond:
            sizes = [(q.friendly_name, q.max_size) for q in carrier.queues.by_sid.values()]
        return sizes if {name for name, _ in sizes} >= wanted and all(n == TWILIO_MAX_QUEUE for _, n in sizes) \
            else None

    sizes = wait_for(all_sized, timeout=20, what="every department's queue sized")
    assert cards_at_twilios_default.max_size == TWILIO_MAX_QUEUE  # enlarged, not created again
    assert sorted(name for name, _ in sizes) == sorted(wanted)  # one queue each
