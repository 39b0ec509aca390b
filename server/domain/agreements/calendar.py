"""The business calendar: when SLA clocks run.

A calendar names an IANA timezone, the working weekdays, the local opening and
closing times ("HH:MM"; the closing time may be "24:00") and holiday dates. No
calendar (``None``) means round the clock, 24×7. The rules:

- Business time is real elapsed time inside the day's opening interval
  [opening, closing). A day whose interval contains a DST change is an hour
  shorter or longer; a 09:00–17:00 day in Europe/Berlin never is.
- A local opening or closing time that does not exist (a spring-forward gap)
  moves forward to the first valid instant, the transition itself; one that
  exists twice (a fall-back fold) is its first occurrence. A day whose interval
  becomes empty that way has no business time.
- Holidays are local dates; a holiday on a working day has no business time.
- Adding business time to an instant outside business hours starts counting at
  the next opening. The result is the earliest instant by which that much
  business time has elapsed, so a deadline that uses up a day exactly lands on
  that day's closing instant (Friday 17:00), never on the next opening.
- Amounts of hours are rounded to the nearest microsecond; results are aware UTC.

Speed: each (calendar, local year) is turned once into a table of opening
intervals with cumulative business time (a few hundred zone conversions, cached),
so adding or measuring is a binary search plus one step per year crossed.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from server.domain.agreements.calendar_terms import (
    WEEKDAYS,
    calendar_problems,
    clock_minutes,
)
from server.domain.core.instants import (
    MICROSECOND,
    LocalTime,
    as_utc,
    from_epoch_us,
    to_epoch_us,
)

US_PER_HOUR = 3_600_000_000

Hours = Decimal | float | int


@dataclass(frozen=True)
class BusinessCalendar:
    """Working days and hours in one timezone, with holidays (see the module rules).

    Raises ValueError when a field is invalid; `calendar_problems` explains why.
    """

    timezone: str
    working_days: Set[str]
    day_start: str
    day_end: str
    holidays: Set[str] = frozenset()
    zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _days: frozenset[int] = field(init=False, repr=False, compare=False)
    _holidays: frozenset[int] = field(init=False, repr=False, compare=False)
    _start: LocalTime = field(init=False, repr=False, compare=False)
    _end: LocalTime = field(init=False, repr=False, compare=False)
    _tables: dict[int, _Year] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        problems = calendar_problems(
            {
                "timezone": self.timezone,
                "workingDays": self.working_days,
                "dayStart": self.day_start,
                "dayEnd": self.day_end,
                "holidays": self.holidays,
            }
        )
        if problems:
            raise ValueError("; ".join(f"{'.'.join(p)}: {m}" for p, m in problems))
        fix = object.__setattr__
        fix(self, "working_days", frozenset(self.working_days))
        fix(self, "holidays", frozenset(self.holidays))
        fix(self, "zone", ZoneInfo(self.timezone))
        fix(self, "_days", frozenset(WEEKDAYS.index(d) for d in self.working_days))
        ordinals = (date.fromisoformat(d).toordinal() for d in self.holidays)
        fix(self, "_holidays", frozenset(ordinals))
        fix(self, "_start", LocalTime.of(clock_minutes(self.day_start) or 0))
        fix(self, "_end", LocalTime.of(clock_minutes(self.day_end, closing=True) or 0))
        fix(self, "_tables", {})

    def as_terms(self) -> dict[str, Any]:
        """The calendar with the API's field names, sets in a stable order."""
        return {
            "timezone": self.timezone,
            "workingDays": [d for d in WEEKDAYS if d in self.working_days],
            "dayStart": self.day_start,
            "dayEnd": self.day_end,
            "holidays": sorted(self.holidays),
        }

    def _interval(self, ordinal: int) -> tuple[int, int] | None:
        """Epoch microseconds [opening, closing) of a local date, if it has any."""
        if (ordinal - 1) % 7 not in self._days or ordinal in self._holidays:
            return None
        opening = self._start.epoch_us(self.zone, ordinal)
        closing = self._end.epoch_us(self.zone, ordinal)
        return (opening, closing) if closing > opening else None


def calendar_from_terms(raw: Mapping[str, Any] | None) -> BusinessCalendar | None:
    """The calendar of stored SLA terms (`businessCalendar`); None is 24×7."""
    if raw is None:
        return None
    return BusinessCalendar(
        timezone=raw.get("timezone", ""),
        working_days=frozenset(raw.get("workingDays") or ()),
        day_start=raw.get("dayStart", ""),
        day_end=raw.get("dayEnd", ""),
        holidays=frozenset(raw.get("holidays") or ()),
    )


# ---- arithmetic -----------------------------------------------------------------


def add_business_hours(
    calendar: BusinessCalendar | None, start: datetime, hours: Hours
) -> datetime:
    """The instant `hours` business hours after `start` (see the module rules)."""
    return add_business_time(calendar, start, hours_to_delta(hours))


def add_business_time(
    calendar: BusinessCalendar | None, start: datetime, amount: timedelta
) -> datetime:
    """The earliest instant by which `amount` of business time has elapsed.

    Counting starts at `start`, or at the next opening when the calendar is closed
    then; a zero amount returns `start` itself.
    """
    begin = as_utc(start)
    if amount < timedelta(0):
        raise ValueError("business time to add must not be negative")
    if calendar is None or not amount:
        return begin + amount
    year, offset = _locate(calendar, begin)
    return from_epoch_us(_seek(calendar, year, offset + amount // MICROSECOND))


def business_time_between(
    calendar: BusinessCalendar | None, start: datetime, end: datetime
) -> timedelta:
    """Business time elapsed from `start` to `end` (negative when end is earlier)."""
    begin, finish = as_utc(start), as_utc(end)
    if calendar is None:
        return finish - begin
    if finish < begin:
        return -business_time_between(calendar, finish, begin)
    first, before = _locate(calendar, begin)
    last, after = _locate(calendar, finish)
    years = sum(_year(calendar, y).total for y in range(first, last))
    return timedelta(microseconds=years + after - before)


def business_hours_between(
    calendar: BusinessCalendar | None, start: datetime, end: datetime
) -> Decimal:
    """Business hours from `start` to `end`, exact to 28 significant digits."""
    elapsed = business_time_between(calendar, start, end) // MICROSECOND
    return Decimal(elapsed) / US_PER_HOUR


def is_open(calendar: BusinessCalendar | None, instant: datetime) -> bool:
    """Whether business time runs at `instant` (openings count, closings do not)."""
    if calendar is None:
        return True
    moment = as_utc(instant)
    table = _year(calendar, _local_year(calendar, moment))
    us = to_epoch_us(moment)
    i = bisect_right(table.closes, us)
    return i < len(table.closes) and table.opens[i] <= us


def next_opening(calendar: BusinessCalendar | None, instant: datetime) -> datetime:
    """`instant` itself when open, else the next instant business time starts."""
    # The first microsecond of business time at or after `instant`, minus itself.
    return add_business_time(calendar, instant, MICROSECOND) - MICROSECOND


def hours_to_delta(hours: Hours) -> timedelta:
    """Non-negative hours as a timedelta, rounded half-even to the microsecond."""
    if isinstance(hours, bool):
        raise TypeError("hours must be a number")
    number = Decimal(repr(hours)) if isinstance(hours, float) else Decimal(hours)
    if not number.is_finite() or number < 0:
        raise ValueError("hours must be a finite, non-negative number")
    us = (number * US_PER_HOUR).to_integral_value(rounding=ROUND_HALF_EVEN)
    return timedelta(microseconds=int(us))


# ---- year tables ----------------------------------------------------------------


@dataclass(frozen=True)
class _Year:
    """One local year's opening intervals in epoch µs, with cumulative business µs.

    `before[i]` is the business time of the year before interval i opens and
    `ends[i]` the time by its closing, so `ends[-1]` is the year's total.
    """

    opens: tuple[int, ...]
    closes: tuple[int, ...]
    before: tuple[int, ...]
    ends: tuple[int, ...]

    @property
    def total(self) -> int:
        return self.ends[-1] if self.ends else 0


def _year(calendar: BusinessCalendar, year: int) -> _Year:
    """A local year's table: kept on the calendar, shared by equal calendars."""
    table = calendar._tables.get(year)
    if table is None:
        table = calendar._tables[year] = _build_year(calendar, year)
    return table


@lru_cache(maxsize=1024)
def _build_year(calendar: BusinessCalendar, year: int) -> _Year:
    first = date(year, 1, 1).toordinal()
    last = date(year, 12, 31).toordinal()
    spans = [s for o in range(first, last + 1) if (s := calendar._interval(o))]
    opens = tuple(s[0] for s in spans)
    closes = tuple(s[1] for s in spans)
    ends: list[int] = []
    for opening, closing in spans:
        ends.append((ends[-1] if ends else 0) + closing - opening)
    before = (0, *ends[:-1]) if ends else ()
    return _Year(opens, closes, before, tuple(ends))


def _locate(calendar: BusinessCalendar, instant: datetime) -> tuple[int, int]:
    """The local year of `instant` and the business µs of that year before it."""
    year = _local_year(calendar, instant)
    table = _year(calendar, year)
    us = to_epoch_us(instant)
    i = bisect_right(table.closes, us)
    if i == len(table.closes):
        return year, table.total
    return year, table.before[i] + max(0, us - table.opens[i])


def _seek(calendar: BusinessCalendar, year: int, target: int) -> int:
    """The epoch µs at which `target` (> 0) business µs of `year` have elapsed."""
    table = _year(calendar, year)
    while target > table.total:
        target -= table.total
        year += 1
        table = _year(calendar, year)
    i = bisect_left(table.ends, target)
    return table.opens[i] + target - table.before[i]


def _local_year(calendar: BusinessCalendar, instant: datetime) -> int:
    """The year of a UTC instant's local date (UTC offsets stay under a day)."""
    if (instant.month, instant.day) in {(1, 1), (12, 31)}:
        return instant.astimezone(calendar.zone).year
    return instant.year
