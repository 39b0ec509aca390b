"""`goalPlan`: the planner's arithmetic (`server.domain.metrics.planner`) fed
with the rates and the average deal size given, or else those observed over a
look-back (180 days by default). One statement for what was observed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from server import db
from server.clock import clock
from server.domain.core.errors import InvalidArguments
from server.domain.metrics.compliance import ratio
from server.domain.metrics.planner import Plan, PlanProblem, Rates, plan
from server.services.metrics.scope import decimal, number

# Each rate: of the leads entering the first stage in the look-back, the share
# that later reached the second (the same reading as the dashboard's conversion).
PAIRS = (("MQL", "SAL"), ("SAL", "SQL"), ("SQL", "WON"))
_TARGET = "CASE e.to_stage " + " ".join(f"WHEN '{a}' THEN '{b}'" for a, b in PAIRS)


@dataclass(frozen=True)
class Observed:
    opens: datetime
    closes: datetime
    mql_to_sal: Decimal | None
    sal_to_sql: Decimal | None
    sql_to_won: Decimal | None
    average_deal_size: Decimal | None


@dataclass(frozen=True)
class PlanRequest:
    revenue: Decimal
    months: int
    average_deal_size: Decimal | None = None
    mql_to_sal: Decimal | None = None
    sal_to_sql: Decimal | None = None
    sql_to_won: Decimal | None = None
    look_back_days: int = 180


@dataclass(frozen=True)
class GoalPlan:
    plan: Plan
    rates: Rates
    average_deal_size: Decimal
    observed: Observed


async def observed(days: int, now: datetime | None = None) -> Observed:
    closes = now or clock.now()
    opens = closes - timedelta(days=days)
    rows = await db.fetch(
        "SELECT e.to_stage AS stage, COUNT(DISTINCT e.lead_id) AS entered, "
        "COUNT(DISTINCT CASE WHEN EXISTS (SELECT 1 FROM stage_change n WHERE "
        f"n.lead_id = e.lead_id AND n.to_stage = {_TARGET} END AND (n.at > e.at "
        "OR (n.at = e.at AND n.id > e.id))) THEN e.lead_id END) AS reached, "
        "NULL AS cents FROM stage_change e WHERE e.to_stage IN ('MQL', 'SAL', 'SQL') "
        "AND e.at >= ? AND e.at < ? GROUP BY e.to_stage UNION ALL "
        "SELECT 'DEAL', COUNT(*), 0, SUM(CAST(ROUND(l.amount * 100) AS BIGINT)) "
        "FROM lead l WHERE l.amount IS NOT NULL AND EXISTS (SELECT 1 FROM "
        "stage_change w WHERE w.lead_id = l.id AND w.to_stage = 'WON' "
        "AND w.at >= ? AND w.at < ?)",
        opens,
        closes,
        opens,
        closes,
    )
    found = {str(r["stage"]): r for r in rows}

    def rate(stage: str) -> Decimal | None:
        row = found.get(stage)
        return ratio(number(row["reached"]), number(row["entered"])) if row else None

    deals = found.get("DEAL")
    size = None
    if deals is not None and number(deals["entered"]):
        cents = decimal(deals["cents"]) / number(deals["entered"])
        size = (cents / 100).quantize(Decimal("0.01"))
    return Observed(opens, closes, rate("MQL"), rate("SAL"), rate("SQL"), size)


async def goal_plan(request: PlanRequest) -> GoalPlan:
    if not 1 <= request.look_back_days <= 3660:
        raise InvalidArguments("lookBackDays: from 1 to 3660")
    seen = await observed(request.look_back_days)
    rates = Rates(
        _given_or_seen(request.mql_to_sal, seen.mql_to_sal, "mqlToSal"),
        _given_or_seen(request.sal_to_sql, seen.sal_to_sql, "salToSql"),
        _given_or_seen(request.sql_to_won, seen.sql_to_won, "sqlToWon"),
    )
    size = _given_or_seen(
        request.average_deal_size, seen.average_deal_size, "averageDealSize"
    )
    try:
        worked = plan(request.revenue, size, rates, request.months)
    except PlanProblem as problem:
        raise InvalidArguments(f"{problem.field}: {problem}") from None
    return GoalPlan(worked, rates, size, seen)


def _given_or_seen(given: Decimal | None, seen: Decimal | None, name: str) -> Decimal:
    if given is not None:
        return given
    if seen is None or seen == 0:
        raise InvalidArguments(
            f"{name}: nothing observed over the look-back to plan from; give it"
        )
    return seen
