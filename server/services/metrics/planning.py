"""`goalPlan`: the planner's arithmetic (`server.domain.metrics.planner`) fed
with the rates and the average deal size given, or else those observed over a
look-back (180 days by default). One statement for what was observed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from server import db
from server.clock import clock
from server.domain.agreements.lifecycle import (
    Action,
    AgreementKind,
    PendingState,
    decide,
)
from server.domain.core.errors import ErrorCode, InvalidArguments, refuse
from server.domain.metrics.compliance import ratio
from server.domain.metrics.planner import Plan, PlanProblem, Rates, plan
from server.models.agreements import Agreement
from server.services.agreements import store
from server.services.core import ids, mutations
from server.services.core.actors import Actor
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
    rows = await db.read(
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


@dataclass(frozen=True)
class ApplyPlan:
    """`applyGoalPlan`: which draft SLA, at which version, and the plan to work
    out again inside the transaction (optionally the monthly figure the caller
    saw, so a plan that moved meanwhile is refused rather than written)."""

    agreement_id: str
    expected_version: int
    plan: PlanRequest
    expected_per_month: int | None = None


@dataclass(frozen=True)
class Applied:
    agreement: Agreement
    plan: GoalPlan


async def apply_goal_plan(actor: Actor, given: ApplyPlan) -> mutations.Outcome[Applied]:
    """Write a plan's monthly MQLs into a draft SLA's `qualifiedLeadsPerMonth`.

    Only a pending DRAFT is changed (a proposal is frozen for signing; an SLA
    without pending changes has no draft to write into). The edit is the same
    as `updateServiceLevelAgreement` with the one term changed: the lifecycle
    decides, the version moves, the audit entry records old and new value.
    Drafts have no `EventKind`, so, like every draft edit, no event is written.
    """

    async def body(tx: mutations.Tx) -> Applied:
        kind = AgreementKind.SERVICE_LEVEL_AGREEMENT
        key = ids.decode(given.agreement_id, store.TYPE_OF[kind], "agreementId")
        row = await store.load_for_update(kind, key, "agreementId")
        if row.version != given.expected_version:
            raise refuse(
                ErrorCode.CONFLICT,
                f"the agreement changed meanwhile (version {row.version}); reload it",
                "expectedVersion",
            )
        if row.pending != PendingState.DRAFT.value or row.pending_terms is None:
            raise refuse(
                ErrorCode.INVALID_TRANSITION,
                "this SLA has no draft to apply a plan to"
                + (
                    " (it is proposed: edit it back to a draft first)"
                    if row.pending == PendingState.PROPOSED.value
                    else "; start a draft first"
                ),
                "agreementId",
            )
        live = await store.live_sign_offs(row.id)
        step = decide(store.state_of(row, live), Action.EDIT, store.party_of(actor))
        try:
            found = await goal_plan(given.plan)
        except InvalidArguments as problem:
            raise refuse(ErrorCode.INVALID_INPUT, str(problem), "plan") from None
        per_month = found.plan.mqls_per_month
        if given.expected_per_month is not None and given.expected_per_month != (
            per_month
        ):
            raise refuse(
                ErrorCode.CONFLICT,
                f"the plan now gives {per_month} MQLs a month (the data moved); "
                "review it and apply again",
                "expectedQualifiedLeadsPerMonth",
            )
        terms = dict(store.terms_of(row.pending_terms) or {})
        before = terms.get("qualifiedLeadsPerMonth")
        terms["qualifiedLeadsPerMonth"] = per_month
        terms = store.read_terms(kind, terms)
        if step.void_reason is not None:
            await store.void_sign_offs(tx, live, step.void_reason)
        row.pending_terms = store.terms_text(terms)
        await store.save(tx, row, step)
        store.audit(
            tx,
            row,
            qualifiedLeadsPerMonth={"from": before, "to": per_month},
            plan=_plan_record(found),
        )
        return Applied(row, found)

    return await mutations.run(actor, "applyGoalPlan", body)


def _plan_record(found: GoalPlan) -> dict[str, Any]:
    """What the audit entry keeps of the plan applied (every step)."""
    return {
        "steps": {s.name: s.value for s in found.plan.steps},
        "months": found.plan.months,
        "mqlToSal": str(found.rates.mql_to_sal),
        "salToSql": str(found.rates.sal_to_sql),
        "sqlToWon": str(found.rates.sql_to_won),
        "averageDealSize": str(found.average_deal_size),
    }
