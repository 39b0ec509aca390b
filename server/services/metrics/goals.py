"""Progress of the goals in force (SPEC §2.2): computed metrics measured in the
database over each goal's own period, MANUAL ones from their latest
measurement; the pace rules are `server.domain.agreements.goals`.

What each computed metric counts over [periodStart, periodEnd] (local dates):
- QUALIFIED_LEADS: distinct leads that qualified (as `qualifiedLeads`).
- NEW_CUSTOMERS: distinct leads that reached WON for the first time.
- PIPELINE_VALUE: the `amount` of distinct leads that entered OPPORTUNITY.
- WON_REVENUE: the `amount` of distinct leads that entered WON.
- RECURRING_REVENUE: WON_REVENUE of the leads whose deal is `recurring`.
Amounts are the leads' current ones (a deal's amount is corrected in place).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from server import db
from server.domain.agreements.goals import (
    GoalMetric,
    Progress,
    goal_progress,
    period_bounds,
)
from server.domain.agreements.lifecycle import AgreementKind, AgreementStatus
from server.domain.leads.stages import LeadStage
from server.services.agreements.store import terms_of
from server.services.metrics.qualified import VIAS
from server.services.metrics.scope import decimal


@dataclass(frozen=True)
class GoalFigure:
    goal_id: int
    metric: str
    progress: Progress


def _entered(stage: str) -> str:
    return (
        "EXISTS (SELECT 1 FROM stage_change e WHERE e.lead_id = l.id "
        f"AND e.to_stage = '{stage}' AND e.at >= ? AND e.at < ?)"
    )


_QUALIFIED = (
    "SELECT COUNT(DISTINCT sc.lead_id) FROM stage_change sc WHERE sc.to_stage = "
    f"'{LeadStage.MQL.value}' AND sc.via IN ('{VIAS[0]}', '{VIAS[1]}') "
    "AND sc.at >= ? AND sc.at < ?"
)
_WON = LeadStage.WON.value
_CENTS = "SELECT SUM(CAST(ROUND(l.amount * 100) AS BIGINT)) FROM lead l WHERE "
MEASURES: dict[str, str] = {
    GoalMetric.QUALIFIED_LEADS: _QUALIFIED,
    GoalMetric.NEW_CUSTOMERS: (
        "SELECT COUNT(DISTINCT sc.lead_id) FROM stage_change sc WHERE "
        f"sc.to_stage = '{_WON}' AND sc.at >= ? AND sc.at < ? AND NOT EXISTS "
        "(SELECT 1 FROM stage_change p WHERE p.lead_id = sc.lead_id AND "
        f"p.to_stage = '{_WON}' AND (p.at < sc.at OR (p.at = sc.at AND p.id < sc.id)))"
    ),
    GoalMetric.PIPELINE_VALUE: (_CENTS + _entered(LeadStage.OPPORTUNITY.value)),
    GoalMetric.WON_REVENUE: _CENTS + _entered(_WON),
    GoalMetric.RECURRING_REVENUE: (_CENTS + "l.recurring = TRUE AND " + _entered(_WON)),
    GoalMetric.MANUAL: (
        "SELECT m.value FROM goal_measurement m WHERE m.goal_id = ? "
        "ORDER BY m.as_of DESC, m.id DESC LIMIT 1"
    ),
}


def measure(
    metric: str, goal_id: int, opens: datetime, closes: datetime
) -> tuple[str, list[Any]]:
    """A scalar subquery measuring one goal, with its parameters."""
    if metric == GoalMetric.MANUAL:
        return MEASURES[metric], [goal_id]
    return MEASURES[metric], [opens, closes]


async def goals_in_force() -> list[tuple[int, dict[str, Any]]]:
    rows = await db.read(
        "SELECT id, terms FROM agreement WHERE kind = ? AND status = ? ORDER BY id",
        AgreementKind.GOAL.value,
        AgreementStatus.ACTIVE.value,
    )
    return [(int(r["id"]), terms_of(r["terms"]) or {}) for r in rows]


async def goal_figures(now: datetime, zone: ZoneInfo) -> list[GoalFigure]:
    """Every goal in force with its progress. Two statements whatever the
    number of goals: the goals, then one measure per goal side by side."""
    goals = await goals_in_force()
    values = await measure_goals(goals, zone)
    return [
        GoalFigure(
            goal_id, terms["metric"], goal_progress(terms, values[goal_id], now, zone)
        )
        for goal_id, terms in goals
    ]


MONEY = frozenset(
    {GoalMetric.PIPELINE_VALUE, GoalMetric.WON_REVENUE, GoalMetric.RECURRING_REVENUE}
)


def _value(metric: str, raw: Any) -> Decimal:
    """Money is summed in cents (exact on both databases: SQLite keeps
    decimals as text and would sum them as floats)."""
    value = decimal(raw)
    return value / 100 if metric in MONEY else value


def _plain(value: Decimal) -> Decimal:
    """Without trailing zeros and never in exponent form (279900, 6.9)."""
    if value == value.to_integral():
        return value.quantize(Decimal(1))
    return Decimal(format(value.normalize(), "f"))


async def measure_goals(
    goals: Sequence[tuple[int, Mapping[str, Any]]], zone: ZoneInfo
) -> dict[int, Decimal]:
    """Goals' current values, each over its own period, in one statement
    whatever their number: what
    `server.services.agreements.goals.computed_progresses` reads."""
    if not goals:
        return {}
    metric_of = {goal_id: str(terms["metric"]) for goal_id, terms in goals}
    parts: list[str] = []
    params: list[Any] = []
    for goal_id, terms in goals:
        opens, closes = period_bounds(
            date.fromisoformat(terms["periodStart"]),
            date.fromisoformat(terms["periodEnd"]),
            zone,
        )
        sql, args = measure(str(terms["metric"]), goal_id, opens, closes)
        parts.append(f"SELECT CAST(? AS INTEGER) AS goal_id, ({sql}) AS value")
        params += [goal_id, *args]
    rows = await db.read(" UNION ALL ".join(parts), *params)
    return {
        int(r["goal_id"]): _plain(_value(metric_of[int(r["goal_id"])], r["value"]))
        for r in rows
    }
