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


def bucket_case(column: str, cuts: list[datetime]) -> tuple[str, list[datetime]]:
    """SQL giving the 0-based bucket of ``column`` from the bucket ends (rows
    are already inside the period), with its parameters: a binary search, so
    that a row costs about log2(buckets) comparisons rather than one per
    bucket before its own (365 daily buckets: 9, not 180 on average)."""
    params: list[datetime] = []

    def search(low: int, high: int) -> str:
        """The bucket among [low, high)."""
        if high - low == 1:
            return str(low)
        middle = (low + high) // 2
        params.append(cuts[middle - 1])  # bucket ``middle`` starts where this ends
        earlier = search(low, middle)
        return f"CASE WHEN {column} < ? THEN {earlier} ELSE {search(middle, high)} END"

    return search(0, len(cuts)), params
