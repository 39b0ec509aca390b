"""The business calendar: worked examples, then properties checked by Hypothesis."""

from __future__ import annotations

import time as timer
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from server.domain.agreements.calendar import (
    BusinessCalendar,
    add_business_hours,
    add_business_time,
    business_hours_between,
    business_time_between,
    calendar_from_terms,
    hours_to_delta,
    is_open,
    next_opening,
)
from server.domain.agreements.calendar_terms import WEEKDAYS, calendar_problems
from server.domain.core.instants import local_instant

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
WEEK = {"MON", "TUE", "WED", "THU", "FRI"}
OFFICE = BusinessCalendar("Europe/Berlin", WEEK, "09:00", "17:00")


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def new_york(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


# ---- worked examples ------------------------------------------------------------


def test_a_friday_afternoon_handoff_of_four_hours_is_due_monday_at_noon() -> None:
    # Given Friday 16:00 in Berlin, 09:00–17:00 Mon–Fri
    # When 4 business hours are added
    due = add_business_hours(OFFICE, berlin(2024, 5, 17, 16), Decimal(4))
    # Then one hour is used on Friday and three on Monday
    assert due == berlin(2024, 5, 20, 12)
    assert due.tzinfo is UTC


def test_a_friday_evening_handoff_starts_counting_at_monday_opening() -> None:
    due = add_business_hours(OFFICE, berlin(2024, 5, 17, 18, 30), 4)
    assert due == berlin(2024, 5, 20, 13)


def test_a_deadline_that_uses_up_the_day_lands_on_its_closing_instant() -> None:
    # Given Friday 13:00, when 4 hours are added, then it is Friday 17:00 itself,
    # not Monday 09:00: the deadline reads the way people say it.
    assert add_business_hours(OFFICE, berlin(2024, 5, 17, 13), 4) == berlin(
        2024, 5, 17, 17
    )


def test_fractional_hours_are_exact() -> None:
    friday = berlin(2024, 5, 17, 16, 50)
    assert add_business_hours(OFFICE, friday, Decimal("0.25")) == berlin(
        2024, 5, 20, 9, 5
    )
    assert add_business_hours(OFFICE, friday, 0.1) == berlin(2024, 5, 17, 16, 56)
    assert add_business_hours(OFFICE, friday, Decimal("1") / 3) == berlin(
        2024, 5, 20, 9, 10
    )


def test_a_handoff_on_a_holiday_starts_the_next_working_day() -> None:
    # Given Christmas Day and Boxing Day as holidays (a Wednesday and Thursday)
    xmas = BusinessCalendar(
        "Europe/Berlin", WEEK, "09:00", "17:00", {"2024-12-25", "2024-12-26"}
    )
    # When a lead is handed off on Christmas Day morning
    due = add_business_hours(xmas, berlin(2024, 12, 25, 10), 4)
    # Then the clock starts on Friday morning
    assert due == berlin(2024, 12, 27, 13)
    assert (
        business_hours_between(xmas, berlin(2024, 12, 24), berlin(2024, 12, 28)) == 16
    )
    assert not is_open(xmas, berlin(2024, 12, 26, 12))


def test_a_deadline_crosses_into_the_new_year_over_a_holiday() -> None:
    calendar = BusinessCalendar("Europe/Berlin", WEEK, "09:00", "17:00", {"2025-01-01"})
    due = add_business_hours(calendar, berlin(2024, 12, 31, 16), 4)
    assert due == berlin(2025, 1, 2, 12)
    assert business_hours_between(calendar, berlin(2024, 12, 31, 16), due) == 4


def test_the_spring_forward_weekend_in_berlin_moves_the_deadline_in_utc() -> None:
    # Given Friday 29 March 2024 16:00 CET; clocks go forward on Sunday
    due = add_business_hours(OFFICE, berlin(2024, 3, 29, 16), 4)
    # Then Monday 12:00 is in summer time: 10:00 UTC, not 11:00
    assert due == berlin(2024, 4, 1, 12)
    assert due == datetime(2024, 4, 1, 10, tzinfo=UTC)


def test_the_fall_back_weekend_in_berlin_moves_the_deadline_in_utc() -> None:
    due = add_business_hours(OFFICE, berlin(2024, 10, 25, 16), 4)
    assert due == datetime(2024, 10, 28, 11, tzinfo=UTC)


def test_new_york_changes_its_clocks_on_other_weekends() -> None:
    office = BusinessCalendar("America/New_York", WEEK, "08:30", "17:30")
    spring = add_business_hours(office, new_york(2024, 3, 8, 16, 30), 2)
    fall = add_business_hours(office, new_york(2024, 11, 1, 16, 30), 2)
    assert spring == datetime(2024, 3, 11, 13, 30, tzinfo=UTC)  # 09:30 EDT
    assert fall == datetime(2024, 11, 4, 14, 30, tzinfo=UTC)  # 09:30 EST


def test_a_day_that_spans_a_clock_change_is_an_hour_shorter_or_longer() -> None:
    always = BusinessCalendar("Europe/Berlin", set(WEEKDAYS), "00:00", "24:00")
    assert business_hours_between(always, berlin(2024, 3, 31), berlin(2024, 4, 1)) == 23
    assert (
        business_hours_between(always, berlin(2024, 10, 27), berlin(2024, 10, 28)) == 25
    )
    # 24 business hours from Saturday noon end at Sunday 13:00 summer time
    assert add_business_hours(always, berlin(2024, 3, 30, 12), 24) == berlin(
        2024, 3, 31, 13
    )


def test_an_opening_in_the_spring_gap_moves_to_the_transition() -> None:
    # 02:30 does not exist on 31 March 2024 in Berlin: the day opens at 03:00 CEST
    night = BusinessCalendar("Europe/Berlin", set(WEEKDAYS), "02:30", "03:30")
    assert next_opening(night, berlin(2024, 3, 31, 0)) == datetime(
        2024, 3, 31, 1, tzinfo=UTC
    )
    assert business_hours_between(night, berlin(2024, 3, 31), berlin(2024, 4, 1)) == (
        Decimal("0.5")
    )


def test_an_opening_in_the_autumn_fold_is_its_first_occurrence() -> None:
    # 02:30 happens twice on 27 October 2024 in Berlin: the first is 00:30 UTC
    night = BusinessCalendar("Europe/Berlin", set(WEEKDAYS), "02:30", "03:30")
    assert next_opening(night, berlin(2024, 10, 27, 0)) == datetime(
        2024, 10, 27, 0, 30, tzinfo=UTC
    )
    assert (
        business_hours_between(night, berlin(2024, 10, 27), berlin(2024, 10, 28)) == 2
    )


def test_a_day_entirely_inside_the_gap_has_no_business_time() -> None:
    gap = BusinessCalendar("Europe/Berlin", set(WEEKDAYS), "02:00", "02:30")
    assert business_hours_between(gap, berlin(2024, 3, 31), berlin(2024, 4, 1)) == 0
    assert add_business_hours(gap, berlin(2024, 3, 31), 0.5) == berlin(
        2024, 4, 1, 2, 30
    )


def test_a_midnight_clock_change_shortens_the_first_working_hour() -> None:
    # Santiago moved from 00:00 straight to 01:00 on 8 September 2024
    chile = BusinessCalendar("America/Santiago", set(WEEKDAYS), "00:00", "08:00")
    santiago = ZoneInfo("America/Santiago")
    day = datetime(2024, 9, 8, tzinfo=santiago)
    assert next_opening(chile, day - timedelta(hours=1)) == datetime(
        2024, 9, 8, 4, tzinfo=UTC
    )
    assert business_hours_between(chile, day, day + timedelta(days=1)) == 7


def test_round_the_clock_adds_real_hours() -> None:
    start = berlin(2024, 3, 30, 22)
    assert add_business_hours(None, start, Decimal("0.25")) == start + timedelta(
        minutes=15
    )
    assert add_business_hours(None, start, 8) == berlin(2024, 3, 31, 7)
    assert business_hours_between(None, start, berlin(2024, 3, 31, 7)) == 8
    assert is_open(None, start) and next_opening(None, start) == start


def test_openings_are_open_and_closings_are_not() -> None:
    assert is_open(OFFICE, berlin(2024, 5, 17, 9))
    assert is_open(OFFICE, berlin(2024, 5, 17, 17) - timedelta(microseconds=1))
    assert not is_open(OFFICE, berlin(2024, 5, 17, 17))
    assert not is_open(OFFICE, berlin(2024, 5, 18, 12))


def test_the_next_opening_is_the_instant_itself_when_open() -> None:
    assert next_opening(OFFICE, berlin(2024, 5, 17, 10)) == berlin(2024, 5, 17, 10)
    assert next_opening(OFFICE, berlin(2024, 5, 17, 17)) == berlin(2024, 5, 20, 9)


def test_business_hours_between_counts_backwards_as_negative() -> None:
    friday, monday = berlin(2024, 5, 17, 16), berlin(2024, 5, 20, 12)
    assert business_hours_between(OFFICE, friday, monday) == 4
    assert business_hours_between(OFFICE, monday, friday) == -4
    assert business_hours_between(OFFICE, berlin(2024, 5, 18), berlin(2024, 5, 19)) == 0


def test_adding_nothing_returns_the_start_and_negative_amounts_are_refused() -> None:
    saturday = berlin(2024, 5, 18, 12)
    assert add_business_hours(OFFICE, saturday, 0) == saturday
    with pytest.raises(ValueError):
        add_business_hours(OFFICE, saturday, -1)
    with pytest.raises(ValueError):
        add_business_hours(OFFICE, saturday, float("nan"))
    with pytest.raises(TypeError):
        add_business_hours(OFFICE, saturday, True)


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError):
        add_business_hours(OFFICE, datetime(2024, 5, 17, 16), 4)
    with pytest.raises(ValueError):
        is_open(OFFICE, datetime(2024, 5, 17, 16))


def test_hours_round_half_even_to_the_microsecond() -> None:
    assert hours_to_delta(Decimal("0.25")) == timedelta(minutes=15)
    assert hours_to_delta(0.1) == timedelta(minutes=6)
    assert hours_to_delta(Decimal("1e-9")) == timedelta(microseconds=4)  # 3.6 µs


def test_a_local_wall_time_becomes_its_utc_instant() -> None:
    summer = local_instant("Europe/Berlin", datetime(2024, 7, 1, 9))
    gap = local_instant("Europe/Berlin", datetime(2024, 3, 31, 2, 30))
    fold = local_instant("Europe/Berlin", datetime(2024, 10, 27, 2, 30))
    assert summer == datetime(2024, 7, 1, 7, tzinfo=UTC)
    assert gap == datetime(2024, 3, 31, 1, tzinfo=UTC)
    assert fold == datetime(2024, 10, 27, 0, 30, tzinfo=UTC)


def test_a_calendar_reads_from_stored_terms_and_compares_by_value() -> None:
    terms = {
        "timezone": "Europe/Berlin",
        "workingDays": ["FRI", "MON", "TUE", "WED", "THU"],
        "dayStart": "09:00",
        "dayEnd": "17:00",
        "holidays": [],
    }
    calendar = calendar_from_terms(terms)
    assert calendar == OFFICE and hash(calendar) == hash(OFFICE)
    assert calendar is not None and calendar.as_terms()["workingDays"] == [
        "MON",
        "TUE",
        "WED",
        "THU",
        "FRI",
    ]
    assert calendar_from_terms(None) is None


def test_a_calendar_ending_at_midnight_runs_to_the_next_day() -> None:
    late = BusinessCalendar("Europe/Berlin", {"FRI"}, "20:00", "24:00")
    assert add_business_hours(late, berlin(2024, 5, 17, 12), 4) == berlin(
        2024, 5, 18, 0
    )
    assert not is_open(late, berlin(2024, 5, 18, 0))


def test_ten_thousand_business_hours_take_microseconds_not_a_loop_per_hour() -> None:
    start = berlin(2024, 5, 17, 16)
    first = add_business_hours(OFFICE, start, 10_000)  # builds the year tables once
    began = timer.perf_counter()
    for _ in range(100):
        assert add_business_hours(OFFICE, start, 10_000) == first
    assert timer.perf_counter() - began < 0.25  # about 1 ms here; a loop is 100×
    assert business_hours_between(OFFICE, start, first) == 10_000


# ---- validation -----------------------------------------------------------------


def test_a_valid_calendar_has_no_problems() -> None:
    assert calendar_problems(OFFICE.as_terms()) == []


def test_every_calendar_problem_is_reported_with_its_path() -> None:
    problems = calendar_problems(
        {
            "timezone": "Mars/Olympus",
            "workingDays": ["MON", "FUN"],
            "dayStart": "9:00",
            "dayEnd": "25:00",
            "holidays": ["2024-02-30", "2024-12-25", "24/12/2024"],
        },
        ("terms", "businessCalendar"),
    )
    paths = [path for path, _ in problems]
    base = ("terms", "businessCalendar")
    assert paths == [
        (*base, "timezone"),
        (*base, "workingDays", "1"),
        (*base, "dayStart"),
        (*base, "dayEnd"),
        (*base, "holidays", "0"),
        (*base, "holidays", "2"),
    ]
    assert "FUN" in problems[1][1]


@pytest.mark.parametrize(
    ("changes", "path", "words"),
    [
        ({"timezone": "localtime"}, ("timezone",), "unknown timezone"),
        ({"timezone": "../etc/passwd"}, ("timezone",), "unknown timezone"),
        ({"timezone": None}, ("timezone",), "IANA"),
        ({"workingDays": []}, ("workingDays",), "at least one"),
        ({"workingDays": "MON"}, ("workingDays",), "at least one"),
        ({"dayStart": "17:00"}, ("dayEnd",), "later than dayStart"),
        ({"dayStart": "24:00"}, ("dayStart",), "HH:MM"),
        ({"dayEnd": "00:00", "dayStart": "00:00"}, ("dayEnd",), "later"),
        ({"holidays": "2024-12-25"}, ("holidays",), "list of dates"),
        ({"holidays": ["2024-W01-1"]}, ("holidays", "0"), "YYYY-MM-DD"),
    ],
)
def test_a_bad_calendar_field_is_explained(
    changes: dict[str, object], path: tuple[str, ...], words: str
) -> None:
    problems = calendar_problems({**OFFICE.as_terms(), **changes})
    assert len(problems) == 1
    assert problems[0][0] == path and words in problems[0][1]


def test_an_invalid_calendar_cannot_be_built() -> None:
    with pytest.raises(ValueError, match="dayEnd"):
        BusinessCalendar("Europe/Berlin", WEEK, "17:00", "09:00")


# ---- a reference implementation, one day at a time ------------------------------


def reference_instant(zone: ZoneInfo, wall: datetime) -> datetime:
    """Gaps move forward to the first existing wall minute; folds take the first."""
    while True:
        aware = wall.replace(tzinfo=zone)
        utc = aware.astimezone(UTC)
        if utc.astimezone(zone).replace(tzinfo=None) == wall:
            return utc
        wall = wall.replace(second=0, microsecond=0) + timedelta(minutes=1)


def reference_intervals(
    calendar: BusinessCalendar, first: date
) -> Iterator[tuple[datetime, datetime]]:
    """The opening intervals from the local date `first` on, computed naively."""
    start = time.fromisoformat(calendar.day_start)
    to_midnight = calendar.day_end == "24:00"
    end = time(0) if to_midnight else time.fromisoformat(calendar.day_end)
    for n in range(3000):
        day = first + timedelta(days=n)
        if WEEKDAYS[day.weekday()] not in calendar.working_days:
            continue
        if day.isoformat() in calendar.holidays:
            continue
        close_day = day + timedelta(days=1) if to_midnight else day
        opening = reference_instant(calendar.zone, datetime.combine(day, start))
        closing = reference_instant(calendar.zone, datetime.combine(close_day, end))
        if closing > opening:
            yield opening, closing


def reference_add(
    calendar: BusinessCalendar, start: datetime, amount: timedelta
) -> datetime:
    first = start.astimezone(calendar.zone).date() - timedelta(days=1)
    for opening, closing in reference_intervals(calendar, first):
        if closing <= start:
            continue
        begin = max(start, opening)
        if begin + amount <= closing:
            return begin + amount
        amount -= closing - begin
    raise AssertionError("the reference ran out of days")


# ---- properties -----------------------------------------------------------------

FAST = settings(max_examples=120, deadline=None)
ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "UTC",
    "Asia/Kolkata",
    "Australia/Lord_Howe",  # a 30-minute DST shift
    "America/Santiago",  # clock changes at midnight
]
# Clock changes in 2024 and 2025 that the instants crowd around.
CHANGES = [
    datetime(2024, 3, 10, 7, tzinfo=UTC),  # New York spring
    datetime(2024, 3, 31, 1, tzinfo=UTC),  # Berlin spring
    datetime(2024, 9, 8, 4, tzinfo=UTC),  # Santiago spring
    datetime(2024, 10, 27, 1, tzinfo=UTC),  # Berlin autumn
    datetime(2024, 11, 3, 6, tzinfo=UTC),  # New York autumn
    datetime(2025, 4, 5, 15, tzinfo=UTC),  # Lord Howe autumn
    datetime(2025, 10, 4, 15, 30, tzinfo=UTC),  # Lord Howe spring
]
TIMES_OF_DAY = [0, 60, 120, 150, 180, 480, 540, 1020, 1080, 1380]


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    zone = draw(st.sampled_from(ZONES))
    days = draw(st.sets(st.sampled_from(WEEKDAYS), min_size=1))
    start = draw(st.sampled_from(TIMES_OF_DAY) | st.integers(0, 1380))
    end = draw(st.integers(start + 60, 1440) | st.just(1440))
    holidays = draw(
        st.sets(st.dates(date(2024, 1, 1), date(2025, 12, 31)), max_size=40)
    )
    return BusinessCalendar(
        zone,
        days,
        f"{start // 60:02d}:{start % 60:02d}",
        "24:00" if end == 1440 else f"{end // 60:02d}:{end % 60:02d}",
        {d.isoformat() for d in holidays},
    )


instants = st.one_of(
    st.datetimes(datetime(2024, 1, 1), datetime(2025, 12, 1), timezones=st.just(UTC)),
    st.builds(
        lambda change, minutes: change + timedelta(minutes=minutes),
        st.sampled_from(CHANGES),
        st.integers(-4 * 24 * 60, 4 * 24 * 60),
    ),
)
# Whole ten-thousandths of an hour are whole microseconds, so sums stay exact.
amounts = st.decimals(Decimal("0.0001"), Decimal(60), places=4).map(hours_to_delta)


@FAST
@given(calendars(), instants, amounts)
def test_adding_agrees_with_a_day_by_day_reference(
    calendar: BusinessCalendar, start: datetime, amount: timedelta
) -> None:
    assert add_business_time(calendar, start, amount) == reference_add(
        calendar, start, amount
    )


# Around the local hours at which Berlin and New York change their clocks.
NIGHT = ["00:30", "01:00", "01:30", "02:00", "02:15", "02:30", "03:00", "03:30"]


@st.composite
def night_calendars(draw: st.DrawFn) -> BusinessCalendar:
    """Every day open, opening or closing inside a clock change's gap or fold."""
    zone = draw(st.sampled_from(["Europe/Berlin", "America/New_York"]))
    start, end = sorted(
        draw(st.lists(st.sampled_from(NIGHT), min_size=2, max_size=2, unique=True))
    )
    return BusinessCalendar(zone, set(WEEKDAYS), start, end)


@FAST
@given(
    night_calendars(),
    st.sampled_from(CHANGES[:2] + CHANGES[3:5]),
    st.integers(-36 * 60, 12 * 60),
    amounts,
)
def test_openings_in_gaps_and_folds_agree_with_the_reference(
    calendar: BusinessCalendar, change: datetime, minutes: int, amount: timedelta
) -> None:
    start = change + timedelta(minutes=minutes)
    assert add_business_time(calendar, start, amount) == reference_add(
        calendar, start, amount
    )


@FAST
@given(calendars(), instants, instants, amounts)
def test_adding_is_monotone_in_the_start(
    calendar: BusinessCalendar, one: datetime, other: datetime, amount: timedelta
) -> None:
    early, late = sorted((one, other))
    assert add_business_time(calendar, early, amount) <= add_business_time(
        calendar, late, amount
    )


@FAST
@given(calendars(), instants, amounts, amounts)
def test_adding_is_strictly_monotone_in_the_amount(
    calendar: BusinessCalendar, start: datetime, one: timedelta, other: timedelta
) -> None:
    assume(one != other)
    small, large = sorted((one, other))
    assert add_business_time(calendar, start, small) < add_business_time(
        calendar, start, large
    )


@FAST
@given(calendars(), instants, amounts, amounts)
def test_adding_is_additive(
    calendar: BusinessCalendar, start: datetime, first: timedelta, second: timedelta
) -> None:
    in_two_steps = add_business_time(
        calendar, add_business_time(calendar, start, first), second
    )
    assert in_two_steps == add_business_time(calendar, start, first + second)


@FAST
@given(calendars(), instants, amounts)
def test_a_result_is_inside_business_hours_or_at_a_closing(
    calendar: BusinessCalendar, start: datetime, amount: timedelta
) -> None:
    due = add_business_time(calendar, start, amount)
    just_before = due - timedelta(microseconds=1)
    local_day = just_before.astimezone(calendar.zone).date()
    # business time ran up to the result: it lies in (opening, closing]
    assert is_open(calendar, just_before)
    assert due.tzinfo is UTC
    assert local_day.isoformat() not in calendar.holidays
    assert WEEKDAYS[local_day.weekday()] in calendar.working_days


@FAST
@given(calendars(), instants, amounts)
def test_business_time_between_inverts_adding(
    calendar: BusinessCalendar, start: datetime, amount: timedelta
) -> None:
    due = add_business_time(calendar, start, amount)
    assert business_time_between(calendar, start, due) == amount


@FAST
@given(calendars(), instants, instants, amounts)
def test_adding_the_time_between_reaches_any_instant_inside_business_hours(
    calendar: BusinessCalendar, start: datetime, anchor: datetime, amount: timedelta
) -> None:
    # Given an end in (opening, closing] of some day, after the start
    end = add_business_time(calendar, anchor, amount)
    assume(start < end)
    # When the business time between them is added to the start, it reaches the end
    elapsed = business_time_between(calendar, start, end)
    assert add_business_time(calendar, start, elapsed) == end


@FAST
@given(calendars(), instants, instants, instants)
def test_business_time_between_adds_up_over_consecutive_spans(
    calendar: BusinessCalendar, one: datetime, two: datetime, three: datetime
) -> None:
    a, b, c = sorted((one, two, three))
    whole = business_time_between(calendar, a, c)
    assert whole == business_time_between(calendar, a, b) + business_time_between(
        calendar, b, c
    )
    assert timedelta(0) <= whole <= c - a


@FAST
@given(
    st.sampled_from(["Europe/Berlin", "America/New_York"]),
    st.sampled_from(CHANGES[:5]),
    st.integers(-3 * 24, 3 * 24),
    st.decimals(Decimal("0.0001"), Decimal(40), places=4),
)
def test_a_nine_to_five_deadline_keeps_its_local_wall_time_across_clock_changes(
    zone: str, change: datetime, hours_before: int, hours: Decimal
) -> None:
    # Given an office whose hours never contain a clock change, starting near one
    office = BusinessCalendar(zone, WEEK, "09:00", "17:00")
    start = change - timedelta(hours=hours_before)
    due = add_business_hours(office, start, hours)
    # Then the same computation on local wall clocks (no DST at all) agrees
    wall = BusinessCalendar("UTC", WEEK, "09:00", "17:00")
    local = start.astimezone(ZoneInfo(zone)).replace(tzinfo=UTC)
    expected = add_business_hours(wall, local, hours).replace(tzinfo=ZoneInfo(zone))
    assert due == expected.astimezone(UTC)


@FAST
@given(calendars(), st.dates(date(2024, 1, 1), date(2025, 12, 31)), amounts)
def test_a_holiday_has_no_business_time_and_is_skipped(
    calendar: BusinessCalendar, holiday: date, amount: timedelta
) -> None:
    closed = BusinessCalendar(
        calendar.timezone,
        calendar.working_days,
        calendar.day_start,
        calendar.day_end,
        {*calendar.holidays, holiday.isoformat()},
    )
    midnight = local_instant(calendar.timezone, datetime.combine(holiday, time()))
    next_midnight = local_instant(
        calendar.timezone, datetime.combine(holiday + timedelta(days=1), time())
    )
    assert business_time_between(closed, midnight, next_midnight) == timedelta(0)
    due = add_business_time(closed, midnight, amount)
    assert due > next_midnight
    assert due.astimezone(closed.zone).date() != holiday


@FAST
@given(instants, amounts)
def test_round_the_clock_is_plain_arithmetic(
    start: datetime, amount: timedelta
) -> None:
    assert add_business_time(None, start, amount) == start + amount
    assert business_time_between(None, start, start + amount) == amount
