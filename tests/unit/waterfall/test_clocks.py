"""The SLA clocks: deadlines computed once, statuses derived from timestamps."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain.agreements.calendar import BusinessCalendar, business_hours_between
from server.domain.waterfall.clocks import (
    NO_CLOCKS,
    SEVERITY,
    ClockStatus,
    SlaClocks,
    SlaTerms,
    accept_status,
    accepted_on_time,
    business_hours_taken,
    clock_status,
    compute_clocks,
    counted_touch_at,
    first_touch,
    first_touch_status,
    sla_status,
    sla_terms_from,
    touch_attempts_status,
    touch_window_end,
    worse,
)

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = BusinessCalendar(
    "Europe/Berlin", {"MON", "TUE", "WED", "THU", "FRI"}, "09:00", "17:00"
)
TERMS = SlaTerms(
    accept_within_hours=Decimal(4),
    first_touch_within_hours=Decimal(8),
    min_touch_attempts=3,
    touch_window_days=7,
    calendar=OFFICE,
    effective_from=datetime(2024, 1, 1, tzinfo=UTC),
    effective_until=datetime(2025, 1, 1, tzinfo=UTC),
)
S = ClockStatus
MICRO = timedelta(microseconds=1)


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


FRIDAY_4PM = berlin(2024, 5, 17, 16)
CLOCKS = compute_clocks(TERMS, FRIDAY_4PM)


# ---- the stored instants --------------------------------------------------------


def test_a_friday_afternoon_handoff_is_due_monday_and_at_risk_an_hour_before() -> None:
    # Given a handoff Friday 16:00 Berlin, 4 h to accept and 8 h to touch
    clocks = compute_clocks(TERMS, FRIDAY_4PM)
    # Then 75 % of each window is the at-risk instant, in business time
    assert clocks == SlaClocks(
        accept_due_at=berlin(2024, 5, 20, 12),
        accept_at_risk_at=berlin(2024, 5, 20, 11),
        first_touch_due_at=berlin(2024, 5, 20, 16),
        first_touch_at_risk_at=berlin(2024, 5, 20, 14),
    )


def test_a_friday_evening_handoff_runs_from_monday_opening() -> None:
    clocks = compute_clocks(TERMS, berlin(2024, 5, 17, 18, 30))
    assert clocks.accept_due_at == berlin(2024, 5, 20, 13)
    assert clocks.accept_at_risk_at == berlin(2024, 5, 20, 12)
    # eight hours from Monday 09:00 end exactly at Monday's closing
    assert clocks.first_touch_due_at == berlin(2024, 5, 20, 17)


def test_a_quarter_hour_window_is_at_risk_after_eleven_and_a_quarter_minutes() -> None:
    quick = SlaTerms(Decimal("0.25"), Decimal("0.25"), 1, 1, OFFICE)
    clocks = compute_clocks(quick, berlin(2024, 5, 17, 16, 50))
    assert clocks.accept_due_at == berlin(2024, 5, 20, 9, 5)
    assert clocks.accept_at_risk_at == berlin(2024, 5, 20, 9, 1) + timedelta(seconds=15)


def test_a_handoff_before_the_spring_change_is_due_in_summer_time() -> None:
    clocks = compute_clocks(TERMS, berlin(2024, 3, 29, 16))
    assert clocks.accept_due_at == datetime(2024, 4, 1, 10, tzinfo=UTC)


def test_a_round_the_clock_sla_counts_real_hours() -> None:
    always = SlaTerms(Decimal(4), Decimal(24), 1, 1, None)
    clocks = compute_clocks(always, FRIDAY_4PM)
    assert clocks.accept_due_at == FRIDAY_4PM + timedelta(hours=4)
    assert clocks.accept_at_risk_at == FRIDAY_4PM + timedelta(hours=3)
    assert clocks.first_touch_due_at == FRIDAY_4PM + timedelta(hours=24)


def test_outside_the_effective_window_there_are_no_clocks() -> None:
    start, end = TERMS.effective_from, TERMS.effective_until
    assert start is not None and end is not None
    assert compute_clocks(TERMS, start - MICRO) == NO_CLOCKS
    assert compute_clocks(TERMS, start) != NO_CLOCKS
    assert compute_clocks(TERMS, end - MICRO) != NO_CLOCKS
    assert compute_clocks(TERMS, end) == NO_CLOCKS
    assert compute_clocks(None, FRIDAY_4PM) == NO_CLOCKS
    assert accept_status(NO_CLOCKS, None, end + timedelta(days=9)) == S.NO_SLA


def test_the_at_risk_instant_leaves_exactly_a_quarter_of_the_window() -> None:
    left = business_hours_between(
        OFFICE,
        CLOCKS.accept_at_risk_at or FRIDAY_4PM,
        CLOCKS.accept_due_at or FRIDAY_4PM,
    )
    assert left == TERMS.accept_within_hours / 4


# ---- statuses -------------------------------------------------------------------


def test_an_undecided_handoff_goes_on_track_then_at_risk_then_breached() -> None:
    due, risk = CLOCKS.accept_due_at, CLOCKS.accept_at_risk_at
    assert due is not None and risk is not None
    assert accept_status(CLOCKS, None, FRIDAY_4PM) == S.ON_TRACK
    assert accept_status(CLOCKS, None, risk) == S.ON_TRACK
    assert accept_status(CLOCKS, None, risk + MICRO) == S.AT_RISK
    assert accept_status(CLOCKS, None, due) == S.AT_RISK
    assert accept_status(CLOCKS, None, due + MICRO) == S.BREACHED


def test_a_decision_by_the_due_instant_is_met_and_after_it_breached() -> None:
    due = CLOCKS.accept_due_at
    assert due is not None
    later = due + timedelta(days=3)
    assert accept_status(CLOCKS, due, later) == S.MET
    assert accept_status(CLOCKS, due + MICRO, later) == S.BREACHED
    # a decided clock no longer depends on now
    assert accept_status(CLOCKS, FRIDAY_4PM, FRIDAY_4PM) == S.MET


def test_an_auto_accept_counts_as_accepted_but_never_on_time() -> None:
    due = CLOCKS.accept_due_at
    assert accept_status(CLOCKS, FRIDAY_4PM, FRIDAY_4PM, auto_accepted=True) == (
        S.BREACHED
    )
    assert not accepted_on_time(FRIDAY_4PM, due, auto_accepted=True)
    assert accepted_on_time(FRIDAY_4PM, due, auto_accepted=False)
    assert not accepted_on_time(None, due, auto_accepted=False)
    assert accept_status(NO_CLOCKS, FRIDAY_4PM, FRIDAY_4PM, auto_accepted=True) == (
        S.NO_SLA
    )


def test_a_withdrawal_before_the_deadline_releases_the_clock() -> None:
    due = CLOCKS.accept_due_at
    assert due is not None
    late = due + timedelta(days=1)
    assert accept_status(CLOCKS, None, late, withdrawn_at=due) == S.NO_SLA
    # pulling a lead back after its deadline never erases the breach
    assert accept_status(CLOCKS, None, late, withdrawn_at=due + MICRO) == S.BREACHED


def test_a_rejection_ends_the_first_touch_obligation_but_not_a_breach() -> None:
    due = CLOCKS.first_touch_due_at
    assert due is not None
    late = due + timedelta(days=1)
    assert first_touch_status(CLOCKS, None, late, rejected_at=due) == S.NO_SLA
    assert first_touch_status(CLOCKS, None, late, rejected_at=late) == S.BREACHED
    assert first_touch_status(CLOCKS, None, late) == S.BREACHED
    assert first_touch_status(CLOCKS, due, late, rejected_at=late) == S.MET


def test_reassigning_keeps_the_roots_deadlines_and_its_breach() -> None:
    # Given a chain breached on Monday and reassigned on Tuesday
    reassigned_at = berlin(2024, 5, 21, 10)
    # When the clocks are looked up for the new handoff, they are the root's
    root = compute_clocks(TERMS, FRIDAY_4PM)
    # Then a decision by the new assignee right away is still late
    assert accept_status(root, reassigned_at, reassigned_at) == S.BREACHED
    assert compute_clocks(TERMS, reassigned_at) != root  # what must never be used


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (S.BREACHED, S.MET, S.BREACHED),
        (S.MET, S.AT_RISK, S.AT_RISK),
        (S.ON_TRACK, S.MET, S.ON_TRACK),
        (S.MET, S.MET, S.MET),
        (S.NO_SLA, S.MET, S.MET),
        (S.ON_TRACK, S.NO_SLA, S.ON_TRACK),
        (S.NO_SLA, S.NO_SLA, S.NO_SLA),
        (S.AT_RISK, S.BREACHED, S.BREACHED),
    ],
)
def test_the_sla_status_is_the_worse_of_the_two_clocks(
    first: ClockStatus, second: ClockStatus, expected: ClockStatus
) -> None:
    assert sla_status(first, second) == expected
    assert sla_status(second, first) == expected


def test_worse_is_a_total_order_from_no_sla_to_breached() -> None:
    order = [S.NO_SLA, S.MET, S.ON_TRACK, S.AT_RISK, S.BREACHED]
    assert sorted(ClockStatus, key=SEVERITY.__getitem__) == order
    for a, b in itertools.product(order, repeat=2):
        assert worse(a, b) == order[max(order.index(a), order.index(b))]


def test_a_clock_without_an_at_risk_instant_is_on_track_until_due() -> None:
    due = datetime(2024, 5, 20, 10, tzinfo=UTC)
    assert clock_status(due, None, None, due) == S.ON_TRACK
    assert clock_status(due, None, None, due + MICRO) == S.BREACHED


# ---- follow-ups -----------------------------------------------------------------


def test_a_follow_up_recorded_within_the_hour_counts_when_it_happened() -> None:
    occurred = berlin(2024, 5, 20, 11)
    assert counted_touch_at(occurred, occurred + timedelta(minutes=59)) == occurred
    assert counted_touch_at(occurred, occurred + timedelta(hours=1)) == occurred


def test_a_follow_up_recorded_more_than_an_hour_late_counts_when_recorded() -> None:
    occurred = berlin(2024, 5, 20, 11)
    recorded = occurred + timedelta(hours=1) + MICRO
    assert counted_touch_at(occurred, recorded) == recorded


def test_a_backdated_follow_up_cannot_rescue_a_first_touch_deadline() -> None:
    # Given the first touch was due Monday 16:00
    due = CLOCKS.first_touch_due_at
    assert due is not None
    # When on Tuesday a rep records a call "made" on Monday morning
    counted = counted_touch_at(berlin(2024, 5, 20, 10), berlin(2024, 5, 21, 9))
    # Then it counts on Tuesday, and the clock is breached
    assert first_touch_status(CLOCKS, counted, counted) == S.BREACHED


def test_a_follow_up_from_the_future_is_refused() -> None:
    with pytest.raises(ValueError):
        counted_touch_at(berlin(2024, 5, 20, 12), berlin(2024, 5, 20, 11))


def test_the_first_touch_is_the_earliest_counted_follow_up() -> None:
    touches = [berlin(2024, 5, 21, 9), berlin(2024, 5, 20, 15), berlin(2024, 5, 22)]
    assert first_touch(touches) == berlin(2024, 5, 20, 15)
    assert first_touch([]) is None


def test_the_touch_window_counts_local_calendar_days_across_a_clock_change() -> None:
    # Accepted Thursday 28 March 10:00 CET; seven days later is 10:00 CEST
    end = touch_window_end(OFFICE, berlin(2024, 3, 28, 10), 7)
    assert end == berlin(2024, 4, 4, 10)
    assert end - berlin(2024, 3, 28, 10) == timedelta(days=7, hours=-1)
    assert touch_window_end(None, FRIDAY_4PM, 2) == FRIDAY_4PM + timedelta(days=2)


def test_touch_attempts_are_met_once_enough_fall_inside_the_window() -> None:
    accepted = berlin(2024, 5, 20, 10)
    end = accepted + timedelta(days=7)
    two = [berlin(2024, 5, 17, 17), berlin(2024, 5, 21, 9)]  # one before acceptance
    three = [*two, end - MICRO]
    assert touch_attempts_status(TERMS, accepted, three, end) == S.MET
    assert touch_attempts_status(TERMS, accepted, two, end - MICRO) == S.ON_TRACK
    assert touch_attempts_status(TERMS, accepted, two, end) == S.BREACHED
    assert touch_attempts_status(TERMS, accepted, [*two, end], end) == S.BREACHED
    assert touch_attempts_status(TERMS, None, three, end) == S.NO_SLA
    assert touch_attempts_status(None, accepted, three, end) == S.NO_SLA


# ---- durations and terms --------------------------------------------------------


def test_business_hours_to_a_decision_are_measured_on_the_sla_calendar() -> None:
    decided = berlin(2024, 5, 20, 10, 30)
    assert business_hours_taken(TERMS, FRIDAY_4PM, decided) == Decimal("2.5")
    assert business_hours_taken(None, FRIDAY_4PM, decided) == Decimal("66.5")
    third = FRIDAY_4PM + timedelta(minutes=20)
    assert business_hours_taken(TERMS, FRIDAY_4PM, third) == Decimal("0.333333")


def test_sla_terms_read_from_stored_terms() -> None:
    terms = sla_terms_from(
        {
            "acceptWithinHours": Decimal("4"),
            "firstTouchWithinHours": 8,
            "minTouchAttempts": 3,
            "touchWindowDays": 7,
            "businessCalendar": OFFICE.as_terms(),
            "effectiveFrom": "2024-03-31",
            "effectiveUntil": "2025-01-01T00:00:00Z",
            "routing": "ROUND_ROBIN",
        }
    )
    assert terms.calendar == OFFICE
    assert terms.first_touch_within_hours == 8
    # a date starts at local midnight in the calendar's timezone
    assert terms.effective_from == datetime(2024, 3, 30, 23, tzinfo=UTC)
    assert terms.effective_until == datetime(2025, 1, 1, tzinfo=UTC)


def test_round_the_clock_terms_without_an_end_apply_from_utc_midnight() -> None:
    terms = sla_terms_from(
        {
            "acceptWithinHours": "0.5",
            "firstTouchWithinHours": "2",
            "businessCalendar": None,
            "effectiveFrom": "2024-03-31",
            "effectiveUntil": None,
        }
    )
    assert terms.calendar is None and terms.effective_until is None
    assert terms.applies_at(datetime(2024, 3, 31, tzinfo=UTC))
    assert not terms.applies_at(datetime(2024, 3, 31, tzinfo=UTC) - MICRO)


def test_windows_must_be_positive() -> None:
    with pytest.raises(ValueError):
        SlaTerms(Decimal(0), Decimal(8), 1, 1, None)
    with pytest.raises(ValueError):
        SlaTerms(Decimal(4), Decimal(8), -1, 1, None)


# ---- properties -----------------------------------------------------------------

FAST = settings(max_examples=150, deadline=None)
instants = st.datetimes(
    datetime(2024, 1, 1), datetime(2024, 12, 1), timezones=st.just(UTC)
)
windows = st.decimals(Decimal("0.0004"), Decimal(80), places=4)


@FAST
@given(instants, windows, windows)
def test_the_instants_are_ordered_and_at_risk_leaves_a_quarter(
    handoff: datetime, accept: Decimal, touch: Decimal
) -> None:
    terms = SlaTerms(accept, touch, 1, 1, OFFICE)
    clocks = compute_clocks(terms, handoff)
    pairs = [
        (clocks.accept_at_risk_at, clocks.accept_due_at, accept),
        (clocks.first_touch_at_risk_at, clocks.first_touch_due_at, touch),
    ]
    for risk, due, window in pairs:
        assert risk is not None and due is not None
        assert handoff < risk < due
        assert business_hours_between(OFFICE, risk, due) == window / 4


@FAST
@given(instants, windows, st.lists(instants, min_size=2, max_size=6))
def test_an_open_clock_only_gets_worse_as_time_passes(
    handoff: datetime, window: Decimal, moments: list[datetime]
) -> None:
    clocks = compute_clocks(SlaTerms(window, window, 1, 1, OFFICE), handoff)
    statuses = [accept_status(clocks, None, now) for now in sorted(moments)]
    severities = [SEVERITY[s] for s in statuses]
    assert severities == sorted(severities)
    assert S.MET not in statuses and S.NO_SLA not in statuses


@FAST
@given(instants, windows, instants, st.integers(0, 10 * 24 * 60))
def test_no_backdating_turns_a_late_touch_into_a_kept_one(
    handoff: datetime, window: Decimal, occurred: datetime, late_minutes: int
) -> None:
    # Given a follow-up recorded after the first-touch deadline plus the grace hour
    clocks = compute_clocks(SlaTerms(window, window, 1, 1, OFFICE), handoff)
    due = clocks.first_touch_due_at
    assert due is not None
    recorded = due + timedelta(hours=1, minutes=late_minutes) + MICRO
    claimed = min(occurred, recorded)
    # When it claims any earlier occurrence, then the clock is still breached
    counted = counted_touch_at(claimed, recorded)
    assert first_touch_status(clocks, counted, recorded) == S.BREACHED


@FAST
@given(instants, windows, instants, instants)
def test_a_release_never_improves_on_what_the_clock_showed_at_that_moment(
    handoff: datetime, window: Decimal, released: datetime, later: datetime
) -> None:
    clocks = compute_clocks(SlaTerms(window, window, 1, 1, OFFICE), handoff)
    before = accept_status(clocks, None, released)
    after = accept_status(clocks, None, max(released, later), withdrawn_at=released)
    assert (after == S.BREACHED) == (before == S.BREACHED)
