"""Goal terms and goal progress against the expected pace (SPEC §2.2)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from server.domain.agreements.terms import Reader, finish

MAX_TARGET = Decimal(10) ** 15


class GoalKind(StrEnum):
    MARKET_SHARE = "MARKET_SHARE"
    NET_NEW_ACQUISITION = "NET_NEW_ACQUISITION"
    RECURRING_REVENUE = "RECURRING_REVENUE"
    CHURN_REDUCTION = "CHURN_REDUCTION"
    CUSTOMER_LIFETIME_VALUE = "CUSTOMER_LIFETIME_VALUE"
    OTHER = "OTHER"


class GoalMetric(StrEnum):
    QUALIFIED_LEADS = "QUALIFIED_LEADS"
    NEW_CUSTOMERS = "NEW_CUSTOMERS"
    PIPELINE_VALUE = "PIPELINE_VALUE"
    WON_REVENUE = "WON_REVENUE"
    RECURRING_REVENUE = "RECURRING_REVENUE"
    MANUAL = "MANUAL"


# Metrics measured in ACCORD_CURRENCY (the others count leads, or are MANUAL,
# whose unit the goal's terms say).
MONEY_METRICS = frozenset(
    {GoalMetric.PIPELINE_VALUE, GoalMetric.WON_REVENUE, GoalMetric.RECURRING_REVENUE}
)


class GoalDirection(StrEnum):
    INCREASE = "INCREASE"
    DECREASE = "DECREASE"


class PaceStatus(StrEnum):
    AHEAD = "AHEAD"
    ON_TRACK = "ON_TRACK"
    BEHIND = "BEHIND"
    AT_RISK = "AT_RISK"


def read_goal_terms(
    raw: Mapping[str, Any], path: tuple[str, ...] = ("terms",)
) -> dict[str, Any]:
    """Title, kind, metric, direction, a positive target and a period whose end
    (inclusive) is not before its start."""
    r = Reader(raw, path)
    terms: dict[str, Any] = {
        "title": r.text("title"),
        "kind": r.choice("kind", GoalKind),
        "description": r.text("description", max_length=5000, required=False),
        "metric": r.choice("metric", GoalMetric),
        "direction": r.choice("direction", GoalDirection, GoalDirection.INCREASE),
        "target": r.decimal("target", above=0, high=MAX_TARGET),
        "unit": r.text("unit", max_length=40, required=False),
        "periodStart": r.date("periodStart"),
        "periodEnd": r.date("periodEnd"),
    }
    start, end = terms["periodStart"], terms["periodEnd"]
    if start and end and end < start:
        r.fail("periodEnd", "the period ends before it starts")
    return finish(r, terms)


@dataclass(frozen=True)
class Progress:
    current: Decimal
    target: Decimal
    ratio: Decimal
    expected_ratio: Decimal
    status: PaceStatus
    ended: bool


def period_bounds(start: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The half-open period from the start date's midnight to the midnight after
    the end date, in the reporting timezone (DST-correct)."""
    opens = datetime.combine(start, time(), zone)
    closes = datetime.combine(end + timedelta(days=1), time(), zone)
    return opens, closes


def expected_ratio(opens: datetime, closes: datetime, now: datetime) -> Decimal:
    """The elapsed share of the period, between 0 and 1."""
    total = (closes - opens).total_seconds()
    elapsed = (now - opens).total_seconds()
    share = Decimal(elapsed) / Decimal(total)
    return min(max(share, Decimal(0)), Decimal(1))


def pace_status(ratio: Decimal, expected: Decimal, direction: str) -> PaceStatus:
    """AHEAD at ≥ 110 % of the expected pace, BEHIND under 90 %, AT_RISK under
    70 %, else ON_TRACK; ON_TRACK before any time has elapsed.

    For a DECREASE goal the ratio is the share of the allowance used up, so the
    pace is the other way round: using less than the elapsed share is ahead.
    """
    if expected <= 0:
        return PaceStatus.ON_TRACK
    if direction == GoalDirection.DECREASE:
        ahead, on_track, behind = (
            ratio * Decimal("1.1") <= expected,
            ratio * Decimal("0.9") <= expected,
            ratio * Decimal("0.7") <= expected,
        )
    else:
        ahead, on_track, behind = (
            ratio >= expected * Decimal("1.1"),
            ratio >= expected * Decimal("0.9"),
            ratio >= expected * Decimal("0.7"),
        )
    if ahead:
        return PaceStatus.AHEAD
    if on_track:
        return PaceStatus.ON_TRACK
    return PaceStatus.BEHIND if behind else PaceStatus.AT_RISK


def goal_progress(
    terms: Mapping[str, Any], current: Decimal, now: datetime, zone: ZoneInfo
) -> Progress:
    """Progress of a goal in force from its latest measurement."""
    target = Decimal(str(terms["target"]))
    opens, closes = period_bounds(
        date.fromisoformat(terms["periodStart"]),
        date.fromisoformat(terms["periodEnd"]),
        zone,
    )
    expected = expected_ratio(opens, closes, now)
    ratio = current / target
    return Progress(
        current=current,
        target=target,
        ratio=ratio,
        expected_ratio=expected,
        status=pace_status(ratio, expected, terms["direction"]),
        ended=now >= closes,
    )
