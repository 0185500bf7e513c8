"""What the line remembers of a number between calls, kept in Redis so a new call needs no database: the known
customer's name (to greet them by it) and language (to answer them in it), and the department the number reached today (to offer it again).

Names are the customers table copied whole into one hash, with a field marking the copy complete: a number
missing from a complete copy is not a customer. The copy is made by a worker, asked by the first new call that
finds it incomplete (after Redis was emptied, or an import dropped it); until it is done, a new call reads its
own number's row (one indexed query), never the whole table.
A department reached is written with the request that routes the caller, in the round trip that stores
the call's state; the call log in the database gets it when a worker closes the call.
"""

from __future__ import annotations

import redis

NAMES_KEY = "callflow:customer-names"
LANGUAGES_KEY = "callflow:customer-languages"  # copied with the names, in the same transaction
COPYING_KEY = "callflow:customer-names:copying"  # a worker has been asked to copy the table (expires)
COPYING_SECONDS = 60
COMPLETE = "\x00complete"  # no phone number starts with a NUL: this field says every customer is in the hash
RECENT_KEY = "callflow:recent-department:"
RECENT_SECONDS = 24 * 3600  # "today": a department reached within a day of virtual time is offered again
RECENT_TTL_SECONDS = 2 * 24 * 3600  # Redis forgets it well after (its TTL runs in real seconds)


class CallerMemory:
    """A number's name, language and recent department, read in one round trip."""

    def __init__(self, connection: redis.Redis):
        self.connection = connection

    def recall(self, caller: str, now: float) -> tuple[str | None, str | None, bool, str | None]:
        """(customer's name, department reached within a day of `now`, whether the names are complete, the
        customer's language)."""
        with self.connection.pipeline(transaction=False) as pipe:
            pipe.hmget(NAMES_KEY, [caller, COMPLETE])
            pipe.get(RECENT_KEY + caller)
            pipe.hget(LANGUAGES_KEY, caller)
            (name, complete), recent, language = pipe.execute()
        return (None if name is None else name.decode(), _recent(recent, now), complete is not None,
                None if language is None else language.decode())

    def learn_names(self, names: dict[str, str], languages: dict[str, str] | None = None) -> None:
        """Copy every known customer's name and language (the whole table) and mark the copy complete."""
        with self.connection.pipeline(transaction=True) as pipe:
            pipe.delete(NAMES_KEY, LANGUAGES_KEY)
            if names:
                pipe.hset(NAMES_KEY, mapping=names)
            if languages:
                pipe.hset(LANGUAGES_KEY, mapping=languages)
            pipe.hset(NAMES_KEY, COMPLETE, "1")
            pipe.execute()

    def has_names(self) -> bool:
        """Whether Redis holds a complete copy of the customers' names (`learn_names`)."""
        return bool(self.connection.hexists(NAMES_KEY, COMPLETE))

    def ask_for_copy(self) -> bool:
        """True for the one caller, among all processes, who is to ask a worker to copy the table (for a
        minute: a lost job lets another ask)."""
        return bool(self.connection.set(COPYING_KEY, "1", nx=True, ex=COPYING_SECONDS))

    def forget_names(self) -> None:
        """Customers were imported: the next new call copies the table again."""
        self.connection.delete(NAMES_KEY, LANGUAGES_KEY)


def remember_department(pipe, caller: str, department: str, now: float) -> None:
    """Queue, on the caller's pipeline, the department this number reached at `now`."""
    pipe.set(RECENT_KEY + caller, f"{now:.0f} {department}", ex=RECENT_TTL_SECONDS)


def _recent(raw: bytes | None, now: float) -> str | None:
    if raw is None:
        return None
    reached, _, department = raw.decode().partition(" ")
    return department if now - float(reached) < RECENT_SECONDS and department else None
