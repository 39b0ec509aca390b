"""Goal progress: managers record measurements of manual goals; progress is read
against the expected pace in the reporting timezone.

Computed metrics (qualified leads, new customers, pipeline, won and recurring
revenue) are fed by the leads and metrics capabilities; until they exist a goal
on a computed metric reports no progress rather than a made-up zero.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from server.clock import clock
from server.domain.agreements.canonical import canonical_number
from server.domain.agreements.goals import GoalMetric, Progress, goal_progress
from server.domain.agreements.lifecycle import AgreementKind, AgreementStatus
from server.domain.agreements.terms import parse_decimal
from server.domain.core.errors import ErrorCode, refuse
from server.domain.core.inputs import INSTANT_WANTED, instant_in_range
from server.models.agreements import Agreement, GoalMeasurement
from server.services.agreements import store
from server.services.core import ids, mutations
from server.services.core.actors import Actor

FUTURE_SLACK = timedelta(minutes=5)
MAX_VALUE = Decimal(10) ** 15
MAX_NOTE = 2000


@dataclass(frozen=True)
class Measurement:
    goal_id: str
    value: Any
    as_of: datetime | None = None
    note: str = ""


@dataclass(frozen=True)
class Recorded:
    goal: Agreement
    measurement: GoalMeasurement


async def record_goal_progress(
    actor: Actor, given: Measurement
) -> mutations.Outcome[Recorded]:
    """Record a manual goal's value as of an instant (a measurement, not an
    increment); the latest measurement is the goal's current value."""

    async def body(tx: mutations.Tx) -> Recorded:
        key = ids.decode(given.goal_id, "Goal", "goalId")
        goal = await store.load_for_update(AgreementKind.GOAL, key, "goalId")
        _check_goal(goal)
        value = _value(given.value)
        as_of = _as_of(given.as_of, tx.now)
        note = given.note.strip()
        if len(note) > MAX_NOTE:
            raise refuse(
                ErrorCode.INVALID_INPUT, f"use at most {MAX_NOTE} characters", "note"
            )
        row = await GoalMeasurement.create(
            goal_id=goal.id,
            value=value,
            as_of=as_of,
            note=note,
            recorded_by_id=actor.user_id,
            recorded_at=tx.now,
        )
        tx.audit("Goal", goal.id, value=str(value), asOf=as_of.isoformat(), note=note)
        return Recorded(goal, row)

    return await mutations.run(actor, "recordGoalProgress", body)


def _check_goal(goal: Agreement) -> None:
    if goal.status != AgreementStatus.ACTIVE.value:
        raise refuse(
            ErrorCode.INVALID_TRANSITION,
            "progress is recorded against a goal in force",
            "goalId",
        )
    terms = store.terms_of(goal.terms) or {}
    if terms.get("metric") != GoalMetric.MANUAL.value:
        raise refuse(
            ErrorCode.INVALID_INPUT,
            "this goal's metric is computed; only MANUAL goals take measurements",
            "goalId",
        )


def _value(raw: Any) -> Decimal:
    value = parse_decimal(raw)
    if value is None or not 0 <= value <= MAX_VALUE:
        raise refuse(ErrorCode.INVALID_INPUT, "give a number from 0 to 10^15", "value")
    if value != value.quantize(Decimal("0.000001")):
        raise refuse(ErrorCode.INVALID_INPUT, "use at most 6 decimal places", "value")
    return value


def _as_of(raw: datetime | None, now: datetime) -> datetime:
    if raw is None:
        return now
    if not instant_in_range(raw):
        raise refuse(ErrorCode.INVALID_INPUT, INSTANT_WANTED, "asOf")
    if raw > now + FUTURE_SLACK:
        raise refuse(ErrorCode.INVALID_INPUT, "asOf cannot be in the future", "asOf")
    return raw


def measured_value(row: GoalMeasurement) -> Decimal:
    """The stored value without the column's trailing zeros (130, not 130.000000)."""
    return Decimal(canonical_number(row.value))


def progress_of(
    goal: Agreement, latest: GoalMeasurement | None, timezone: str
) -> Progress | None:
    """Progress of a goal in force on a MANUAL metric; None otherwise (computed
    metrics arrive with the metrics capability)."""
    terms = store.terms_of(goal.terms)
    if goal.status != AgreementStatus.ACTIVE.value or terms is None:
        return None
    if terms["metric"] != GoalMetric.MANUAL.value:
        return None
    current = measured_value(latest) if latest is not None else Decimal(0)
    return goal_progress(terms, current, clock.now(), ZoneInfo(timezone))


# Computed metrics are measured by the metrics capability, which comes later:
# it is installed here by `server/wiring.py` (`install_goal_measure`). It
# measures many goals at once, in one statement whatever their number.
GoalMeasure = Callable[
    [Sequence[tuple[int, Mapping[str, Any]]], ZoneInfo], Awaitable[dict[int, Decimal]]
]
_measures: list[GoalMeasure] = []


def install_goal_measure(measure: GoalMeasure) -> None:
    """How computed goals' current values are measured (one reader)."""
    _measures[:] = [measure]


def computed_terms(goal: Agreement) -> dict[str, Any] | None:
    """The terms of a goal in force on a computed metric (None for MANUAL
    ones, goals not in force, or before the metrics capability is wired)."""
    terms = store.terms_of(goal.terms)
    if goal.status != AgreementStatus.ACTIVE.value or terms is None:
        return None
    if terms["metric"] == GoalMetric.MANUAL.value or not _measures:
        return None
    return terms


async def computed_progresses(
    goals: Sequence[tuple[int, Mapping[str, Any]]], timezone: str
) -> dict[int, Progress]:
    """Progress of goals in force on computed metrics, measured together."""
    if not goals or not _measures:
        return {}
    zone = ZoneInfo(timezone)
    values = await _measures[0](goals, zone)
    now = clock.now()
    return {key: goal_progress(terms, values[key], now, zone) for key, terms in goals}


async def computed_progress(goal: Agreement, timezone: str) -> Progress | None:
    """One goal's `computed_progresses`."""
    terms = computed_terms(goal)
    if terms is None:
        return None
    found = await computed_progresses([(goal.id, terms)], timezone)
    return found.get(goal.id)
