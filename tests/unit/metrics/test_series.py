"""Series buckets: local midnights across DST, weeks from Monday, months from
the first, at most 400."""

from __future__ import annotations

import bisect
import sqlite3
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from server.domain.core.periods import Period, local_midnight
from server.domain.metrics.series import (
    Interval,
    TooManyBuckets,
    bucket_case,
    buckets,
)

BERLIN = ZoneInfo("Europe/Berlin")
ZONES = st.sampled_from(
    [ZoneInfo(z) for z in ("UTC", "Europe/Berlin", "America/Santiago", "Asia/Kolkata")]
)
instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)
).map(lambda d: d.replace(tzinfo=UTC))


def test_days_across_the_spring_change_are_local_days_of_23_hours() -> None:
    period = Period(
        local_midnight(date(2026, 3, 28), BERLIN),
        local_midnight(date(2026, 3, 31), BERLIN),
    )
    found = buckets(period, Interval.DAY, BERLIN)
    assert [b.closes - b.opens for b in found] == [
        timedelta(hours=24),
        timedelta(hours=23),
        timedelta(hours=24),
    ]
    assert all(b.opens.astimezone(BERLIN).hour == 0 for b in found)


def test_weeks_start_on_monday_and_the_first_is_cut_short() -> None:
    period = Period(  # Wednesday 4 March to Wednesday 18 March
        local_midnight(date(2026, 3, 4), BERLIN),
        local_midnight(date(2026, 3, 18), BERLIN),
    )
    found = buckets(period, Interval.WEEK, BERLIN)
    starts = [b.opens.astimezone(BERLIN).date() for b in found]
    assert starts == [date(2026, 3, 4), date(2026, 3, 9), date(2026, 3, 16)]


def test_months_start_on_the_first() -> None:
    period = Period(
        local_midnight(date(2026, 1, 15), BERLIN),
        local_midnight(date(2026, 4, 1), BERLIN),
    )
    found = buckets(period, Interval.MONTH, BERLIN)
    assert [b.opens.astimezone(BERLIN).date() for b in found] == [
        date(2026, 1, 15),
        date(2026, 2, 1),
        date(2026, 3, 1),
    ]


def test_more_than_400_buckets_are_refused() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert (
        len(buckets(Period(start, start + timedelta(days=400)), Interval.DAY, UTC))
        == 400
    )
    with pytest.raises(TooManyBuckets):
        buckets(Period(start, start + timedelta(days=401)), Interval.DAY, UTC)


@given(ZONES, instants, instants, st.sampled_from(list(Interval)))
def test_buckets_cover_the_period_exactly_and_cut_at_local_midnights(
    zone: ZoneInfo, a: datetime, b: datetime, interval: Interval
) -> None:
    assume(a < b and b - a < timedelta(days=390))
    period = Period(a, b)
    found = buckets(period, interval, zone)
    assert found[0].opens == a and found[-1].closes == b
    for left, right in pairwise(found):
        assert left.closes == right.opens
        local = right.opens.astimezone(zone)
        assert right.opens == local_midnight(local.date(), zone)
        if interval is Interval.WEEK:
            assert local.weekday() == 0
        if interval is Interval.MONTH:
            assert local.day == 1


def test_the_bucket_case_finds_every_rows_bucket_by_binary_search() -> None:
    # evaluated by SQLite over instants inside buckets and just before their
    # ends, for every count up to 70, against a search of the ends in Python
    start = datetime(2026, 3, 1, tzinfo=UTC)
    database = sqlite3.connect(":memory:")
    for n in range(1, 71):
        ends = [start + timedelta(hours=5 * (i + 1)) for i in range(n)]
        sql, params = bucket_case("v", ends)
        assert sql.count("?") == len(params) == n - 1
        depth = deepest = 0
        for word in sql.split():
            depth += {"CASE": 1, "END": -1}.get(word, 0)
            deepest = max(deepest, depth)
        assert deepest == (n - 1).bit_length()  # a search, not a walk
        values = [start + timedelta(hours=h) for h in range(5 * n)]
        values += [end - timedelta(microseconds=1) for end in ends]
        for value in values:
            (found,) = database.execute(
                f"SELECT {sql} FROM (SELECT ? AS v)",
                [*(p.isoformat() for p in params), value.isoformat()],
            ).fetchone()
            assert found == bisect.bisect_right(ends, value), (n, value)
