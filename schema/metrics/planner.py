"""`goalPlan(input)`: a revenue target worked back to monthly MQLs (SPEC §2.2)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry

from schema.agreements.kinds import ServiceLevelAgreement, agreement_type
from schema.context import Info
from schema.core.errors import UserError, user_errors
from schema.core.money import Money, money
from schema.core.permissions import actor_of, require
from server.services.metrics import planning


@strawberry.input
class GoalPlanInput:
    revenue: Decimal = strawberry.field(description="The target, in ACCORD_CURRENCY.")
    months: int = strawberry.field(description="Months to reach it in.")
    average_deal_size: Decimal | None = strawberry.field(
        default=None, description="Leave out for the one observed."
    )
    mql_to_sal: Decimal | None = strawberry.field(
        default=None, description="A share (0–1]; leave out for the one observed."
    )
    sal_to_sql: Decimal | None = None
    sql_to_won: Decimal | None = None
    look_back_days: int = strawberry.field(
        default=180, description="How far back rates and deal size are observed."
    )


@strawberry.type
class GoalPlanStep:
    name: str = strawberry.field(
        description="revenue, deals, sqls, sals or mqls, in that order."
    )
    divisor: Decimal | None = strawberry.field(
        description="What the previous step was divided by (null for revenue)."
    )
    exact: float
    value: int = strawberry.field(description="Rounded up to whole records.")


@strawberry.type
class ObservedRates:
    from_: datetime = strawberry.field(name="from")
    to: datetime
    mql_to_sal: float | None
    sal_to_sql: float | None
    sql_to_won: float | None
    average_deal_size: Decimal | None = strawberry.field(
        description="In ACCORD_CURRENCY."
    )

    @strawberry.field(description="averageDealSize with its currency.")
    def average_deal_size_money(self, info: Info) -> Money | None:
        return money(info, self.average_deal_size)


@strawberry.type
class GoalPlan:
    steps: list[GoalPlanStep]
    months: int
    qualified_leads_per_month: int = strawberry.field(
        description="MQLs a month: what `applyGoalPlan` writes into a draft SLA."
    )
    mql_to_sal: Decimal
    sal_to_sql: Decimal
    sql_to_won: Decimal
    average_deal_size: Decimal = strawberry.field(description="In ACCORD_CURRENCY.")
    observed: ObservedRates

    @strawberry.field(description="averageDealSize with its currency.")
    def average_deal_size_money(self, info: Info) -> Money:
        return Money(
            amount=self.average_deal_size, currency=info.context.settings.currency
        )


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@strawberry.type
class PlannerQueries:
    @strawberry.field(
        description="Work a revenue target back to monthly MQLs, from the rates "
        "given or those observed over the look-back, every step shown."
    )
    async def goal_plan(self, info: Info, input: GoalPlanInput) -> GoalPlan:
        require(info, "goalPlan")
        return plan_type(await planning.goal_plan(request_of(input)))


def request_of(input: GoalPlanInput) -> planning.PlanRequest:
    return planning.PlanRequest(
        revenue=input.revenue,
        months=input.months,
        average_deal_size=input.average_deal_size,
        mql_to_sal=input.mql_to_sal,
        sal_to_sql=input.sal_to_sql,
        sql_to_won=input.sql_to_won,
        look_back_days=input.look_back_days,
    )


def plan_type(found: planning.GoalPlan) -> GoalPlan:
    seen = found.observed
    return GoalPlan(
        steps=[
            GoalPlanStep(
                name=s.name,
                divisor=s.divisor,
                exact=float(s.exact),
                value=s.value,
            )
            for s in found.plan.steps
        ],
        months=found.plan.months,
        qualified_leads_per_month=found.plan.mqls_per_month,
        mql_to_sal=found.rates.mql_to_sal,
        sal_to_sql=found.rates.sal_to_sql,
        sql_to_won=found.rates.sql_to_won,
        average_deal_size=found.average_deal_size,
        observed=ObservedRates(
            from_=seen.opens,
            to=seen.closes,
            mql_to_sal=_float(seen.mql_to_sal),
            sal_to_sql=_float(seen.sal_to_sql),
            sql_to_won=_float(seen.sql_to_won),
            average_deal_size=seen.average_deal_size,
        ),
    )


@strawberry.input
class ApplyGoalPlanInput:
    service_level_agreement_id: strawberry.ID = strawberry.field(
        description="The SLA whose pending draft takes the plan."
    )
    expected_version: int
    plan: GoalPlanInput = strawberry.field(
        description="The plan, worked out again when it is applied."
    )
    expected_qualified_leads_per_month: int | None = strawberry.field(
        default=None,
        description="The monthly MQLs the caller saw: CONFLICT when the plan "
        "now gives another figure (the observed rates moved).",
    )


@strawberry.type
class ApplyGoalPlanPayload:
    service_level_agreement: ServiceLevelAgreement | None
    goal_plan: GoalPlan | None
    user_errors: list[UserError]


@strawberry.type
class PlannerMutations:
    @strawberry.mutation(
        description="Write a goal plan's monthly MQLs into a draft SLA's "
        "`qualifiedLeadsPerMonth`: an edit of the draft, as "
        "`updateServiceLevelAgreement` makes."
    )
    async def apply_goal_plan(
        self, info: Info, input: ApplyGoalPlanInput
    ) -> ApplyGoalPlanPayload:
        outcome = await planning.apply_goal_plan(
            actor_of(info),
            planning.ApplyPlan(
                agreement_id=str(input.service_level_agreement_id),
                expected_version=input.expected_version,
                plan=request_of(input.plan),
                expected_per_month=input.expected_qualified_leads_per_month,
            ),
        )
        done = outcome.result
        sla: Any = agreement_type(done.agreement) if done else None
        return ApplyGoalPlanPayload(
            service_level_agreement=sla,
            goal_plan=plan_type(done.plan) if done else None,
            user_errors=user_errors(outcome.errors),
        )
