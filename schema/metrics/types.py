"""The dashboard's GraphQL types (SPEC §2.6). Counts are figures: the number
and, as the drill-down, the filter of the `leads` or `handoffs` list that
shows exactly its records."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry
from strawberry.scalars import JSON

from schema.agreements.kinds import Goal, GoalProgress
from schema.agreements.terms import GoalMetric
from schema.context import Info
from schema.leads.types import LeadStage, QualifiedBy
from schema.waterfall.types import RejectionReason


@strawberry.type(description="The period as read, in UTC instants.")
class ReportPeriod:
    from_: datetime = strawberry.field(name="from")
    to: datetime
    timezone: str


@strawberry.type(
    description="A count of records and, as its drill-down, the `filter` of "
    "the `leads` or `handoffs` list that shows exactly them (one is set)."
)
class CountFigure:
    count: int
    leads: JSON | None = strawberry.field(
        default=None, description="The `leads` list's filter."
    )
    handoffs: JSON | None = strawberry.field(
        default=None, description="The `handoffs` list's filter."
    )


@strawberry.type
class QualifiedByFigure(CountFigure):
    qualified_by: QualifiedBy


@strawberry.type(description="Distinct leads that qualified in the period.")
class QualifiedLeadsFigure(CountFigure):
    by_qualified_by: list[QualifiedByFigure] = strawberry.field(
        description="Per `qualifiedBy` (a lead qualifying twice, differently, "
        "is in both)."
    )


@strawberry.type
class RejectionReasonFigure(CountFigure):
    reason: RejectionReason


@strawberry.type(description="Over the chains created in the period.")
class TimeToFirstTouch:
    median_hours: float | None
    p90_hours: float | None
    median_business_hours: float | None = strawberry.field(
        description="On the chain's SLA calendar (round the clock without one)."
    )
    untouched: CountFigure = strawberry.field(
        description="Chains still owing a first touch (neither withdrawn nor "
        "rejected), counted, not dropped."
    )


@strawberry.type
class MarketingCompliance:
    committed: float = strawberry.field(
        description="`qualifiedLeadsPerMonth` prorated by days over the time "
        "each SLA revision applied in the period (zero without one)."
    )
    delivered: CountFigure
    ratio: float | None


@strawberry.type(
    description="Chains whose deadline fell in the period and has passed; "
    "`due`, `met`, `breached` and `ratio` are the first-touch clock's."
)
class SalesCompliance:
    due: CountFigure
    met: CountFigure
    breached: CountFigure
    ratio: float | None
    accept_due: CountFigure
    accept_on_time: CountFigure
    accept_on_time_ratio: float | None
    touch_attempts_due: CountFigure = strawberry.field(
        description="Accepted chains whose touch-attempts window closed in the period."
    )
    touch_attempts_met: CountFigure
    touch_attempts_met_ratio: float | None


@strawberry.type(description="Clocks breached among the sales figures.")
class Breaches:
    accept: CountFigure
    first_touch: CountFigure
    total: int


@strawberry.type
class SlaCompliance:
    marketing: MarketingCompliance
    sales: SalesCompliance
    breaches: Breaches


@strawberry.type
class FunnelFigure(CountFigure):
    stage: LeadStage


@strawberry.type(
    description="Of the leads entering `stage` in the period, those that later "
    "reached `nextStage`."
)
class ConversionFigure:
    stage: LeadStage
    next_stage: LeadStage
    entered: CountFigure
    advanced: CountFigure
    rate: float | None


@strawberry.type
class GoalFigure:
    metric: GoalMetric
    progress: GoalProgress
    _goal_id: strawberry.Private[int]

    @strawberry.field
    async def goal(self, info: Info) -> Goal | None:
        from schema.agreements.kinds import agreement_type

        row = await info.context.loader("agreement").load(self._goal_id)
        found = agreement_type(row) if row is not None else None
        return found if isinstance(found, Goal) else None


@strawberry.type
class ReviewCadence:
    overdue: bool
    cadence_days: int | None
    last_review_at: datetime | None = strawberry.field(
        description="The last completed LEAD_REVIEW meeting."
    )
    counted_from: datetime | None = strawberry.field(
        description="The last review, or the SLA's first activation without one."
    )


@strawberry.type
class Dashboard:
    period: ReportPeriod
    persona_id: strawberry.ID | None
    qualified_leads: QualifiedLeadsFigure
    delivered: CountFigure = strawberry.field(
        description="Distinct leads whose chain was created in the period, "
        "qualified by ACTIVITY or MODEL_CHANGE, not withdrawn."
    )
    delivered_manual: CountFigure = strawberry.field(
        description="As `delivered`, for leads qualified by hand or handed off "
        "unqualified (override); never counted toward the commitment."
    )
    handoffs: CountFigure = strawberry.field(description="Chains created.")
    accepted: CountFigure
    rejected: CountFigure
    auto_accepted: CountFigure
    acceptance_rate: float | None = strawberry.field(
        description="accepted ÷ decided, over chains created in the period."
    )
    rejection_reasons: list[RejectionReasonFigure]
    time_to_first_touch: TimeToFirstTouch
    sla_compliance: SlaCompliance
    funnel: list[FunnelFigure] = strawberry.field(
        description="Leads per stage at the end of the period (persona: now)."
    )
    conversion: list[ConversionFigure]
    goals: list[GoalFigure]
    review_overdue: bool
    review_cadence: ReviewCadence


def as_float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@strawberry.type(description="One bucket of a series: [from, to) and its count.")
class SeriesPoint(CountFigure):
    from_: datetime = strawberry.field(name="from")
    to: datetime
