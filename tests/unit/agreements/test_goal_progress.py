"""Goal progress against the expected pace, in the reporting timezone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from server.domain.agreements.goals import (
    PaceStatus,
    goal_progress,
    pace_status,
    period_bounds,
)

BERLIN = ZoneInfo("Europe/Berlin")
TERMS = {
    "target": "100",
    "direction": "INCREASE",
    "periodStart": "2026-01-01",
    "periodEnd": "2026-01-10",
}


@pytest.mark.parametrize(
    ("ratio", "status"),
    [
        ("0.55", PaceStatus.AHEAD),  # 110 % of the expected 50 %
        ("0.549", PaceStatus.ON_TRACK),
        ("0.45", PaceStatus.ON_TRACK),  # exactly 90 %
        ("0.449", PaceStatus.BEHIND),
        ("0.35", PaceStatus.BEHIND),  # exactly 70 %
        ("0.349", PaceStatus.AT_RISK),
        ("0", PaceStatus.AT_RISK),
    ],
)
def test_the_status_compares_the_ratio_with_the_expected_pace(
    ratio: str, status: PaceStatus
) -> None:
    assert pace_status(Decimal(ratio), Decimal("0.5"), "INCREASE") is status


def test_before_any_time_has_elapsed_a_goal_is_on_track() -> None:
    assert pace_status(Decimal(0), Decimal(0), "INCREASE") is PaceStatus.ON_TRACK
    before = datetime(2025, 12, 31, tzinfo=UTC)
    progress = goal_progress(TERMS, Decimal(0), before, BERLIN)
    assert progress.expected_ratio == 0 and progress.status is PaceStatus.ON_TRACK


def test_a_decrease_goal_is_ahead_while_it_uses_less_than_the_elapsed_share() -> None:
    expected = Decimal("0.5")
    assert pace_status(Decimal("0.2"), expected, "DECREASE") is PaceStatus.AHEAD
    assert pace_status(Decimal("0.5"), expected, "DECREASE") is PaceStatus.ON_TRACK
    assert pace_status(Decimal("0.6"), expected, "DECREASE") is PaceStatus.BEHIND
    assert pace_status(Decimal("0.9"), expected, "DECREASE") is PaceStatus.AT_RISK


def test_the_period_runs_from_local_midnight_to_the_midnight_after_its_end() -> None:
    opens, closes = period_bounds(date(2026, 3, 1), date(2026, 3, 31), BERLIN)
    assert opens == datetime(2026, 2, 28, 23, tzinfo=UTC)
    # the clocks go forward on 29 March, so the period is an hour shorter
    assert closes == datetime(2026, 3, 31, 22, tzinfo=UTC)


def test_half_way_through_with_half_the_target_is_on_track() -> None:
    opens, closes = period_bounds(date(2026, 1, 1), date(2026, 1, 10), BERLIN)
    half_way = opens + (closes - opens) / 2
    progress = goal_progress(TERMS, Decimal(50), half_way, BERLIN)
    assert (progress.ratio, progress.expected_ratio) == (Decimal("0.5"), Decimal("0.5"))
    assert progress.status is PaceStatus.ON_TRACK and not progress.ended


def test_a_goal_past_its_period_reports_as_ended() -> None:
    after = datetime(2026, 2, 1, tzinfo=UTC)
    progress = goal_progress(TERMS, Decimal(120), after, BERLIN)
    assert progress.ended and progress.expected_ratio == 1
    assert progress.status is PaceStatus.AHEAD
