"""Buckets of a metric series (SPEC §2.6 `metricSeries`): a period cut at local
midnights — every day, every Monday, or every first of the month — in the
reporting timezone, DST-correct. The first and last buckets are cut short when
the period does not start or end on a boundary. At most 400 buckets."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from server.domain.core.instants import as_utc
from server.domain.core.periods import Period, local_midnight

MAX_BUCKETS = 400


class Interval(StrEnum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


class TooManyBuckets(ValueError):
    pass


def next_boundary(day: date, interval: Interval) -> date:
    """The first boundary date after ``day``."""
    if interval is Interval.DAY:
        return day + timedelta(days=1)
    if interval is Interval.WEEK:
        return day + timedelta(days=7 - day.weekday())
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def buckets(period: Period, interval: Interval, zone: ZoneInfo) -> list[Period]:
    """The period cut at the interval's local midnights, in order, covering it
    exactly. Raises TooManyBuckets beyond `MAX_BUCKETS`."""
    found: list[Period] = []
    opens = as_utc(period.opens)
    day = opens.astimezone(zone).date()
    while opens < period.closes:
        day = next_boundary(day, interval)
        closes = min(local_midnight(day, zone), as_utc(period.closes))
        if closes <= opens:
            continue
        if len(found) == MAX_BUCKETS:
            raise TooManyBuckets(f"at most {MAX_BUCKETS} buckets")
        found.append(Period(opens, closes))
        opens = closes
    return found


def bucket_case(column: str, cuts: list[datetime]) -> str:
    """SQL giving the 0-based bucket of ``column`` from the bucket ends (one
    ``?`` per end, in order); rows are already inside the period."""
    whens = " ".join(f"WHEN {column} < ? THEN {i}" for i in range(len(cuts)))
    return f"CASE {whens} END"
