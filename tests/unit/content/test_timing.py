"""Requested and committed dates, each judged on its own."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from server.domain.content.lifecycle import ContentStatus
from server.domain.content.timing import (
    Delivered,
    DueState,
    binding_date,
    date_sort,
    judge,
    turnaround,
)

S = ContentStatus
TODAY = date(2026, 12, 4)


def test_an_open_request_past_its_date_is_overdue() -> None:
    assert judge(date(2026, 12, 3), S.IN_PROGRESS, None, TODAY) is DueState.OVERDUE


def test_an_open_request_due_within_seven_days_is_due_this_week() -> None:
    assert judge(TODAY, S.SUBMITTED, None, TODAY) is DueState.DUE_THIS_WEEK
    assert judge(date(2026, 12, 10), S.ACCEPTED, None, TODAY) is (
        DueState.DUE_THIS_WEEK
    )
    assert judge(date(2026, 12, 11), S.ACCEPTED, None, TODAY) is DueState.UPCOMING


def test_a_delivery_is_late_against_one_date_and_on_time_against_the_other() -> None:
    delivered_on = date(2026, 11, 20)
    requested, committed = date(2026, 11, 15), date(2026, 11, 20)
    assert judge(requested, S.DELIVERED, delivered_on, TODAY) is DueState.LATE
    assert judge(committed, S.DELIVERED, delivered_on, TODAY) is DueState.ON_TIME


def test_declined_and_cancelled_requests_are_judged_against_nothing() -> None:
    for status in (S.DECLINED, S.CANCELLED):
        assert judge(date(2020, 1, 1), status, None, TODAY) is DueState.NONE
    assert judge(None, S.IN_REVIEW, None, TODAY) is DueState.NONE


def test_the_committed_date_binds_once_given() -> None:
    assert binding_date(date(2026, 1, 1), None) == date(2026, 1, 1)
    assert binding_date(date(2026, 1, 1), date(2026, 2, 1)) == date(2026, 2, 1)


@given(st.dates(), st.dates())
def test_date_sort_keeps_the_order_of_dates_and_puts_no_date_last(
    a: date, b: date
) -> None:
    assert (date_sort(a) < date_sort(b)) == (a < b)
    assert date_sort(a) < date_sort(None)


def _delivered(
    kind: str, hours: float, requested: int | None, committed: int | None
) -> Delivered:
    created = datetime(2026, 11, 1, 9, tzinfo=UTC)
    done = created + timedelta(hours=hours)
    day = done.date()
    return Delivered(
        kind,
        created,
        done,
        None if requested is None else day + timedelta(days=requested),
        None if committed is None else day + timedelta(days=committed),
    )


def test_turnaround_counts_on_time_against_each_date_separately() -> None:
    rows = [
        _delivered("BATTLECARD", 10, requested=-1, committed=0),  # late vs asked
        _delivered("BATTLECARD", 30, requested=2, committed=None),
        _delivered("CASE_STUDY", 50, requested=None, committed=-2),
    ]
    overall, per_type = turnaround(rows, "UTC")
    assert overall.delivered == 3
    assert overall.median_hours == 30
    assert (overall.on_time_requested, overall.with_requested_date) == (1, 2)
    assert (overall.on_time_committed, overall.with_committed_date) == (1, 2)
    assert overall.on_time_requested_share == 0.5
    assert [t.content_type for t in per_type] == ["BATTLECARD", "CASE_STUDY"]
    assert per_type[1].on_time_committed_share == 0.0
    assert per_type[1].on_time_requested_share is None


def test_turnaround_reads_the_delivery_day_in_the_reporting_timezone() -> None:
    created = datetime(2026, 11, 1, 9, tzinfo=UTC)
    # 23:30 UTC on the 2nd is already the 3rd in Berlin.
    row = Delivered(
        "VIDEO",
        created,
        datetime(2026, 11, 2, 23, 30, tzinfo=UTC),
        date(2026, 11, 2),
        None,
    )
    assert turnaround([row], "UTC")[0].on_time_requested == 1
    assert turnaround([row], "Europe/Berlin")[0].on_time_requested == 0
