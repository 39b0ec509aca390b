"""The one rule every input meets before it is stored: no NUL, years 1000–9999,
finite numbers; and canonical instants that are always fixed-width."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from server.domain.agreements.canonical import canonical_json, iso_instant
from server.domain.agreements.terms import parse_date, parse_instant
from server.domain.core.inputs import input_problems, instant_in_range


def test_nul_is_found_in_values_keys_and_nested_lists_with_its_path() -> None:
    value = {"a": ["ok", "b\x00"], "k\x00": 1, "c": {"d": "e\x00"}}
    assert [p for p, _ in input_problems(value, ("input",))] == [
        ("input", "a", "1"),
        ("input", "k\x00"),
        ("input", "c", "d"),
    ]


@pytest.mark.parametrize(
    "value",
    [
        datetime(999, 12, 31, 23, tzinfo=UTC),
        datetime(1000, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))),
        datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5))),
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))),
        datetime(2026, 1, 1),  # naive
    ],
)
def test_instants_outside_years_1000_to_9999_in_utc_are_refused(
    value: datetime,
) -> None:
    assert not instant_in_range(value)
    assert [p for p, _ in input_problems({"at": value})] == [("at",)]
    assert parse_instant(value) is None


@pytest.mark.parametrize(
    "value",
    [
        datetime(1000, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(1000, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=-1))),
    ],
)
def test_instants_at_the_edges_are_accepted(value: datetime) -> None:
    assert instant_in_range(value) and input_problems({"at": value}) == []


def test_dates_and_numbers_at_the_edges() -> None:
    assert input_problems([date(1000, 1, 1), date(9999, 12, 31), Decimal(1)]) == []
    bad = [date(999, 12, 31), Decimal("NaN"), Decimal("-Infinity"), float("inf")]
    assert [p for p, _ in input_problems(bad)] == [("0",), ("1",), ("2",), ("3",)]
    assert parse_date("0999-12-31") is None and parse_date("1000-01-01")


def test_the_canonical_form_of_an_instant_always_has_four_year_digits() -> None:
    assert iso_instant(datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC)) == (
        "0999-01-02T03:04:05Z"
    )
    assert canonical_json(date(999, 1, 2)) == '"0999-01-02"'
    assert iso_instant(datetime(2026, 1, 2, tzinfo=UTC)) == "2026-01-02T00:00:00Z"
