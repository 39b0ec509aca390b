"""Periods of time as reports take them: half-open [opens, closes), bounds given
as ISO dates (their local midnight in the reporting timezone) or as instants
with their UTC offset, within the supported years (see inputs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.domain.core.errors import InvalidArguments
from server.domain.core.inputs import FIRST_YEAR, RANGE, instant_in_range
from server.domain.core.instants import as_utc


@dataclass(frozen=True)
class Period:
    """A half-open span of time [opens, closes), both aware, opens < closes."""

    opens: datetime
    closes: datetime

    def __post_init__(self) -> None:
        if self.opens.tzinfo is None or self.closes.tzinfo is None:
            raise ValueError("period bounds need a UTC offset")
        if not self.opens < self.closes:
            raise ValueError("a period must end after it starts")

    def contains(self, instant: datetime) -> bool:
        return self.opens <= instant < self.closes

    def overlap(self, starts: datetime, ends: datetime | None) -> Period | None:
        """The part of [starts, ends) inside the period (None when empty);
        ``ends`` None is open-ended."""
        opens = max(self.opens, starts)
        closes = self.closes if ends is None else min(self.closes, ends)
        return Period(opens, closes) if opens < closes else None


def read_bound(raw: str, zone: ZoneInfo) -> datetime:
    """A period bound: an ISO date (its local midnight in ``zone``) or an ISO
    instant with its UTC offset. Raises ValueError otherwise."""
    text = raw.strip()
    if len(text) == 10:
        day = date.fromisoformat(text)
        if day.year < FIRST_YEAR:
            raise ValueError(f"dates lie in {RANGE}")
        return local_midnight(day, zone)
    instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if instant.tzinfo is None:
        raise ValueError("give an instant with its UTC offset, or a date")
    if not instant_in_range(instant):
        raise ValueError(f"instants lie in {RANGE} once in UTC")
    return as_utc(instant)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of ``day`` in ``zone`` (a DST gap at midnight moves it
    forward), in UTC."""
    wall = datetime.combine(day, time())
    for minutes in range(0, 24 * 60, 30):
        candidate = (wall + timedelta(minutes=minutes)).replace(tzinfo=zone)
        back = as_utc(candidate).astimezone(zone).replace(tzinfo=None)
        if back == candidate.replace(tzinfo=None):
            return as_utc(candidate)
    raise ValueError(f"{day} has no local time in {zone.key}")  # pragma: no cover


def read_period(raw_from: str, raw_to: str, zone: ZoneInfo) -> Period:
    """The period a query names, or ``InvalidArguments`` saying what is wrong."""
    try:
        return Period(read_bound(raw_from, zone), read_bound(raw_to, zone))
    except (ValueError, OverflowError) as problem:
        raise InvalidArguments(
            f"period: {problem} (give ISO dates, or instants with their offset, "
            "from before to)"
        ) from None
