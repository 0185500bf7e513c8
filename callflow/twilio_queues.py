"""Twilio's queues, sized so that our own limits decide who waits, never Twilio's default.

Callers hold in Twilio's queues (`<Enqueue>`), which Twilio creates on first use with room for 1,000
callers (5,000 at most, per the OpenAPI spec). A busy department past the 1,000th caller would be turned
away by Twilio ("queue-full") even though the script set no limit or a higher one. So every worker, when it
starts and whenever the scripts in service change, makes each department's Twilio queue as large as Twilio
allows: a department's own `max_queue`, checked in Redis before a caller is enqueued, is the only limit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

log = logging.getLogger(__name__)
TWILIO_MAX_QUEUE = 5000  # MaxSize's ceiling in Twilio's API


def queue_names(scripts: Iterable) -> set[str]:
    """Every Twilio queue the scripts in service enqueue callers in."""
    return {department.queue for script in scripts for department in script.departments.values()}


def size_queues(client, names: Iterable[str]) -> dict[str, str]:
    """Create missing queues and enlarge small ones; what was done to each (created, resized, ok)."""
    existing = {queue.friendly_name: queue for queue in client.queues.list()}
    done = {}
    for name in sorted(names):
        queue = existing.get(name)
        if queue is None:
            client.queues.create(friendly_name=name, max_size=TWILIO_MAX_QUEUE)
            done[name] = "created"
        elif int(queue.max_size or 0) < TWILIO_MAX_QUEUE:
            client.queues(queue.sid).update(max_size=TWILIO_MAX_QUEUE)
            done[name] = "resized"
        else:
            done[name] = "ok"
    changed = {name: what for name, what in done.items() if what != "ok"}
    if changed:
        log.info("Twilio queues sized to %d callers: %s", TWILIO_MAX_QUEUE, changed)
    return done
