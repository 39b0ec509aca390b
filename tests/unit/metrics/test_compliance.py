"""The dashboard's arithmetic: periods, ratios, percentiles, the prorated
commitment and the review cadence (SPEC §2.6)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from server.domain.core.periods import Period, local_midnight, read_bound
from server.domain.metrics.compliance import (
    MEDIAN,
    P90,
    Commitment,
    committed,
    day_position,
    months_covered,
    percentile,
    percentile_ranks,
    ratio,
    review_overdue,
)

BERLIN = ZoneInfo("Europe/Berlin")
ZONES = st.sampled_from(
    [
        ZoneInfo(z)
        for z in (
            "UTC",
            "Europe/Berlin",
            "America/New_York",
            "Australia/Lord_Howe",
            "America/Santiago",
        )
    ]
)
instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31)
).map(lambda d: d.replace(tzinfo=UTC))
values = st.lists(
    st.decimals(min_value=0, max_value=10_000, places=3, allow_nan=False), max_size=40
)


def test_a_date_bound_is_its_local_midnight_and_an_instant_keeps_its_offset() -> None:
    assert read_bound("2026-03-29", BERLIN) == datetime(2026, 3, 28, 23, tzinfo=UTC)
    assert read_bound("2026-03-30", BERLIN) == datetime(2026, 3, 29, 22, tzinfo=UTC)
    assert read_bound("2026-03-30T12:00:00+02:00", BERLIN) == datetime(
        2026, 3, 30, 10, tzinfo=UTC
    )
    with pytest.raises(ValueError):
        read_bound("2026-03-30T12:00:00", BERLIN)


def test_a_midnight_inside_a_dst_gap_moves_forward() -> None:
    santiago = ZoneInfo("America/Santiago")  # clocks jump 00:00 -> 01:00
    opens = local_midnight(date(2026, 9, 6), santiago)
    assert opens.astimezone(santiago).hour == 1


def test_a_period_is_half_open_and_must_not_be_empty() -> None:
    p = Period(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC))
    assert p.contains(p.opens) and not p.contains(p.closes)
    with pytest.raises(ValueError):
        Period(p.closes, p.opens)
    with pytest.raises(ValueError):
        Period(p.opens, p.opens)


def test_a_ratio_over_nothing_is_none_not_zero() -> None:
    assert ratio(0, 0) is None
    assert ratio(3, 0) is None
    assert ratio(0, 4) == Decimal(0)
    assert ratio(2, 3) == Decimal("0.666667")


@given(st.integers(0, 1000), st.integers(1, 1000))
def test_a_ratio_is_the_quotient_to_six_places(num: int, den: int) -> None:
    got = ratio(num, den)
    assert got is not None
    assert abs(got - Decimal(num) / Decimal(den)) <= Decimal("0.0000005")


def test_percentiles_interpolate_like_percentile_cont() -> None:
    xs = [Decimal(v) for v in (1, 2, 3, 4, 10)]
    assert percentile(xs, MEDIAN) == Decimal(3)
    assert percentile(xs, P90) == Decimal("7.6")  # 4 + 0.6 * (10 - 4)
    assert percentile([Decimal(5)], P90) == Decimal(5)
    assert percentile([], MEDIAN) is None


@given(values, st.sampled_from([MEDIAN, P90, Fraction(0), Fraction(1)]))
def test_a_percentile_lies_within_the_values_and_grows_with_the_fraction(
    xs: list[Decimal], fraction: Fraction
) -> None:
    got = percentile(xs, fraction)
    if not xs:
        assert got is None
        return
    assert got is not None
    assert min(xs) <= got <= max(xs)
    if fraction == 0:
        assert got == min(xs)
    if fraction == 1:
        assert got == max(xs)
    assert percentile(xs, MEDIAN) <= percentile(xs, P90)  # type: ignore[operator]


@given(st.integers(1, 500), st.sampled_from([MEDIAN, P90]))
def test_the_ranks_are_adjacent_and_inside_the_list(n: int, fraction: Fraction) -> None:
    ranks = percentile_ranks(n, fraction)
    assert ranks is not None
    assert 0 <= ranks.low <= ranks.high <= n - 1
    assert ranks.high - ranks.low in (0, 1)
    assert 0 <= ranks.weight < 1


def _month(year: int, month: int, zone: ZoneInfo) -> Period:
    following = date(year + month // 12, month % 12 + 1, 1)
    return Period(
        local_midnight(date(year, month, 1), zone), local_midnight(following, zone)
    )


@given(ZONES, st.integers(2024, 2028), st.integers(1, 12), st.integers(0, 1000))
def test_a_whole_local_month_commits_exactly_the_monthly_volume(
    zone: ZoneInfo, year: int, month: int, per_month: int
) -> None:
    period = _month(year, month, zone)
    always = Commitment(per_month, datetime(2000, 1, 1, tzinfo=UTC), None)
    assert committed([always], period, zone) == per_month


def test_a_revision_changing_mid_month_is_prorated_by_days() -> None:
    period = _month(2026, 3, BERLIN)  # 31 days, DST on the 29th
    change = local_midnight(date(2026, 3, 11), BERLIN)  # 10 days under the first
    revisions = [
        Commitment(31, datetime(2025, 1, 1, tzinfo=UTC), change),
        Commitment(62, change, None),
    ]
    # 31 * 10/31 + 62 * 21/31 = 10 + 42
    assert committed(revisions, period, BERLIN) == 52


def test_the_short_dst_day_counts_as_a_whole_day() -> None:
    day = Period(
        local_midnight(date(2026, 3, 29), BERLIN),
        local_midnight(date(2026, 3, 30), BERLIN),
    )
    assert day.closes - day.opens == timedelta(hours=23)
    assert months_covered(day, BERLIN) == Fraction(1, 31)
    half = Period(day.opens, day.opens + timedelta(hours=11, minutes=30))
    assert months_covered(half, BERLIN) == Fraction(1, 62)


def test_no_revision_or_outside_it_commits_nothing() -> None:
    period = _month(2026, 5, BERLIN)
    assert committed([], period, BERLIN) == 0
    before = Commitment(100, datetime(2026, 1, 1, tzinfo=UTC), period.opens)
    assert committed([before], period, BERLIN) == 0


@given(ZONES, instants, instants, instants, st.integers(0, 500))
def test_the_commitment_adds_up_over_split_periods(
    zone: ZoneInfo, a: datetime, b: datetime, c: datetime, per_month: int
) -> None:
    low, mid, high = sorted((a, b, c))
    assume(low < mid < high)
    always = [Commitment(per_month, datetime(2000, 1, 1, tzinfo=UTC), None)]
    whole = committed(always, Period(low, high), zone)
    parts = committed(always, Period(low, mid), zone) + committed(
        always, Period(mid, high), zone
    )
    assert abs(whole - parts) <= Decimal("0.000002")


@given(ZONES, instants, instants, instants, st.integers(0, 500), st.integers(0, 500))
def test_a_revision_change_splits_the_commitment_between_the_two_rates(
    zone: ZoneInfo, a: datetime, b: datetime, c: datetime, first: int, second: int
) -> None:
    low, change, high = sorted((a, b, c))
    assume(low < change < high)
    period = Period(low, high)
    revisions = [
        Commitment(first, datetime(2000, 1, 1, tzinfo=UTC), change),
        Commitment(second, change, None),
    ]
    expected = first * months_covered(Period(low, change), zone) + second * (
        months_covered(Period(change, high), zone)
    )
    got = committed(revisions, period, zone)
    assert abs(got - Decimal(expected.numerator) / expected.denominator) <= Decimal(
        "0.000001"
    )
    assert got >= 0


@given(ZONES, instants, instants)
def test_day_positions_grow_with_time(zone: ZoneInfo, a: datetime, b: datetime) -> None:
    assume(a < b)
    assert day_position(a, zone) < day_position(b, zone)


def test_a_review_is_overdue_past_the_cadence_counted_from_the_last_one() -> None:
    now = datetime(2026, 6, 30, tzinfo=UTC)
    activated = datetime(2026, 5, 1, tzinfo=UTC)
    assert review_overdue(None, activated, 30, now)
    assert not review_overdue(None, activated, 90, now)
    assert not review_overdue(now - timedelta(days=10), activated, 30, now)
    assert review_overdue(now - timedelta(days=31), activated, 30, now)
    assert not review_overdue(None, None, 30, now)
    assert not review_overdue(None, activated, None, now)
