"""A business calendar as terms spell it, and every way those terms can be wrong.

A calendar names an IANA timezone, working weekdays (MON … SUN), local opening
and closing times as "HH:MM" (the closing time may be "24:00") and holidays as
YYYY-MM-DD dates. `calendar_problems` lists what is wrong with one, each problem
with its path, so the SLA terms reader and `BusinessCalendar` refuse the same
calendars with the same words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Set
from datetime import date
from enum import StrEnum
from typing import Any

from server.domain.core.inputs import DATE_WANTED, FIRST_YEAR, LAST_YEAR
from server.domain.core.instants import zone_problem


class Weekday(StrEnum):
    MON = "MON"
    TUE = "TUE"
    WED = "WED"
    THU = "THU"
    FRI = "FRI"
    SAT = "SAT"
    SUN = "SUN"


WEEKDAYS = tuple(day.value for day in Weekday)
# Loadable keys that are not portable IANA zones: the host's own zone and helpers.
_HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)\Z")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")

Problem = tuple[tuple[str, ...], str]


def calendar_problems(
    raw: Mapping[str, Any], path: tuple[str, ...] = ()
) -> list[Problem]:
    """Every problem with a `businessCalendar` input, as (path, message) pairs.

    Checks: a known IANA timezone, at least one weekday and only MON…SUN, dayStart
    and dayEnd as "HH:MM" (dayEnd may be "24:00") with start before end, and
    holidays as YYYY-MM-DD dates.
    """
    problems: list[Problem] = []
    zone = zone_problem(raw.get("timezone"))
    if zone:
        problems.append(((*path, "timezone"), zone))
    problems += [((*path, "workingDays", *p), m) for p, m in _day_problems(raw)]
    problems += [((*path, *p), m) for p, m in _hour_problems(raw)]
    problems += [((*path, "holidays", *p), m) for p, m in _holiday_problems(raw)]
    return problems


def _day_problems(raw: Mapping[str, Any]) -> Iterable[Problem]:
    days = raw.get("workingDays")
    if not isinstance(days, list | tuple | Set) or not days:
        yield (), "give at least one working day"
        return
    for i, day in enumerate(days):
        if day not in WEEKDAYS:
            yield (str(i),), f"unknown weekday {day!r}; use {', '.join(WEEKDAYS)}"


def _hour_problems(raw: Mapping[str, Any]) -> Iterable[Problem]:
    start = clock_minutes(raw.get("dayStart"))
    end = clock_minutes(raw.get("dayEnd"), closing=True)
    if start is None:
        yield ("dayStart",), 'give a local time as "HH:MM" (00:00–23:59)'
    if end is None:
        yield ("dayEnd",), 'give a local time as "HH:MM" (00:01–24:00)'
    if start is not None and end is not None and start >= end:
        yield ("dayEnd",), "must be later than dayStart"


def _holiday_problems(raw: Mapping[str, Any]) -> Iterable[Problem]:
    holidays = raw.get("holidays")
    if holidays is None:
        return
    if not isinstance(holidays, list | tuple | Set):
        yield (), "give a list of dates"
        return
    for i, day in enumerate(holidays):
        if _iso_date(day) is None:
            yield (str(i),), DATE_WANTED


def clock_minutes(value: object, *, closing: bool = False) -> int | None:
    """Minutes since midnight of a local "HH:MM" time ("24:00" when closing)."""
    if closing and value == "24:00":
        return 24 * 60
    if not isinstance(value, str) or not (match := _HHMM.match(value)):
        return None
    return int(match[1]) * 60 + int(match[2])


def _iso_date(value: object) -> date | None:
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return None
    return parsed if FIRST_YEAR <= parsed.year <= LAST_YEAR else None
