"""Business hours: is a department open now, and when does it open next.

Weekly periods are wall-clock times in the department's time zone, so they follow daylight saving
changes; holidays close a whole local day; one-off closures close a local [start, end) range.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from callflow.domain.script.model import Hours

SEARCH_DAYS = 400  # a year of holidays and closures, plus slack


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _local(hours: Hours, now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(_zone(hours.time_zone)).replace(tzinfo=None)


def _closed_until(hours: Hours, moment: datetime) -> datetime | None:
    """The end of the one-off closure covering a local moment, if any."""
    ends = [c.end for c in hours.closures if c.start <= moment < c.end]
    return max(ends) if ends else None


def is_open(hours: Hours, now: datetime) -> bool:
    """Whether the department answers calls at an aware moment."""
    if hours.always_open:
        return True
    local = _local(hours, now)
    if local.date() in hours.holidays or _closed_until(hours, local):
        return False
    minute = local.hour * 60 + local.minute
    return any(p.start <= minute < p.end for p in hours.weekly[local.weekday()])


def next_opening(hours: Hours, now: datetime) -> datetime | None:
    """The first aware moment at or after `now` when the department is open, or None within a year."""
    if hours.always_open:
        return now
    zone = _zone(hours.time_zone)
    local = _local(hours, now)
    for offset in range(SEARCH_DAYS):
        day = local.date() + timedelta(days=offset)
        if day in hours.holidays:
            continue
        midnight = datetime.combine(day, time())
        for period in hours.weekly[day.weekday()]:
            start = max(local, midnight + timedelta(minutes=period.start))
            end = midnight + timedelta(minutes=period.end)
            while start < end and (until := _closed_until(hours, start)):
                start = until
            if start < end and start.date() not in hours.holidays:
                # A wall-clock time skipped by a spring-forward change resolves to the moment after the gap.
                return max(start.replace(tzinfo=zone), now)
    return None


def describe_opening(opening: datetime, now: datetime, time_zone: str, language: str = "en") -> str:
    """Say an opening time the way an agent would: 'at 8 am tomorrow', 'at 9:30 am on Monday 12 March'; in
    Spanish (a line's es-* language) 'mañana a las 8 de la mañana', as a Spanish-speaking agent says it."""
    zone = _zone(time_zone)
    local, today = opening.astimezone(zone), now.astimezone(zone).date()
    hour = local.hour % 12 or 12
    clock = f"{hour}" if local.minute == 0 else f"{hour}:{local.minute:02d}"
    if language.split("-")[0].lower() == "es":
        return _spanish_opening(local, today, clock, hour)
    clock += " am" if local.hour < 12 else " pm"
    return f"at {clock} {_day_words(local.date(), today)}"


_DIAS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
_MESES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
          "noviembre", "diciembre")


def _spanish_opening(local: datetime, today: date, clock: str, hour: int) -> str:
    part = ("de la mañana" if local.hour < 12 else "del mediodía" if local.hour == 12
            else "de la tarde" if local.hour < 20 else "de la noche")
    at = f"a la {clock}" if hour == 1 else f"a las {clock}"
    day = local.date()
    if day == today:
        when = "hoy"
    elif day == today + timedelta(days=1):
        when = "mañana"
    elif day < today + timedelta(days=7):
        when = f"el {_DIAS[day.weekday()]}"
    else:
        when = f"el {_DIAS[day.weekday()]} {day.day} de {_MESES[day.month - 1]}"
    return f"{when} {at} {part}"


def _day_words(day: date, today: date) -> str:
    if day == today:
        return "today"
    if day == today + timedelta(days=1):
        return "tomorrow"
    if day < today + timedelta(days=7):
        return f"on {day.strftime('%A')}"
    return f"on {day.strftime('%A')} {day.day} {day.strftime('%B')}"
