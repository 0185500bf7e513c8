"""A callback at a time the caller chose ("after 3 pm"), keyed in as four digits of 24-hour time.

A caller who cannot take a call at their turn names a time instead; we only accept a time at which the
department will be open to make the call, and say why otherwise, so a promise of a callback is never one we
know we cannot keep. The time is the next such moment: today if it is still far enough ahead, else the next
day the department is open then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from callflow.domain.script.hours import describe_opening, is_open, next_opening
from callflow.domain.script.model import Hours
from callflow.domain.script.own_words import say

LEAD_MINUTES = 10  # a time sooner than this is too close to arrange: the next day's is taken instead
DAYS_AHEAD = 7  # the chosen time is looked for on the next seven days


class TimeRefusal(str, Enum):
    NOT_A_TIME = "not-a-time"
    CLOSED = "closed"


@dataclass(frozen=True)
class TimeChoice:
    """The moment to call back (aware), or why there is none."""

    at: datetime | None
    refusal: TimeRefusal | None = None


def parse(digits: str) -> tuple[int, int] | None:
    """'1530' -> (15, 30); '930' -> (9, 30); '15' -> (15, 0); anything else None."""
    digits = (digits or "").strip().rstrip("#")
    if not digits.isdigit() or len(digits) not in (1, 2, 3, 4):
        return None
    hour, minute = (int(digits), 0) if len(digits) <= 2 else (int(digits[:-2]), int(digits[-2:]))
    return (hour, minute) if hour < 24 and minute < 60 else None


def choose(hours: Hours | None, time_zone: str, digits: str, now: datetime) -> TimeChoice:
    """The next moment at the keyed time, at least LEAD_MINUTES ahead, when the department is open."""
    parsed = parse(digits)
    if parsed is None:
        return TimeChoice(None, TimeRefusal.NOT_A_TIME)
    zone = ZoneInfo(hours.time_zone if hours else time_zone)
    local_now = now.astimezone(zone)
    for offset in range(DAYS_AHEAD + 1):
        day = local_now.date() + timedelta(days=offset)
        at = datetime(day.year, day.month, day.day, parsed[0], parsed[1], tzinfo=zone)
        if at - local_now < timedelta(minutes=LEAD_MINUTES):
            continue
        if hours is None or is_open(hours, at):
            return TimeChoice(at)
    return TimeChoice(None, TimeRefusal.CLOSED)


def refusal_words(refusal: TimeRefusal, hours: Hours | None, now: datetime, script=None) -> str:
    """Why that time won't do, and a time that would, in the script's language (English without one)."""
    if refusal is TimeRefusal.NOT_A_TIME:
        return say(script, "callback_time_not_understood")
    opening = next_opening(hours, now + timedelta(minutes=LEAD_MINUTES)) if hours else None
    closed = say(script, "callback_time_closed")
    if opening is None:
        return closed
    when = describe_opening(opening, now, hours.time_zone, script.language if script is not None else "en")
    return f"{closed} {say(script, 'callback_time_next_open', when=when)}"


def spoken_time(at: datetime, now: datetime, language: str = "en") -> str:
    """'at 3:30 pm today', 'at 9 am tomorrow'; in Spanish 'hoy a las 3:30 de la tarde'."""
    return describe_opening(at, now, str(at.tzinfo), language)
