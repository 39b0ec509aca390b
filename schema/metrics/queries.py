"""`dashboard(period, personaId, timezone)`: translates arguments, calls the
metrics service once and maps its figures."""

from __future__ import annotations

import strawberry

from schema.agreements.kinds import GoalProgress
from schema.context import Info
from schema.core.permissions import require
from schema.metrics.types import (
    Breaches,
    ConversionFigure,
    CountFigure,
    Dashboard,
    FunnelFigure,
    GoalFigure,
    MarketingCompliance,
    PeriodInput,
    QualifiedByFigure,
    QualifiedLeadsFigure,
    RejectionReasonFigure,
    ReportPeriod,
    ReviewCadence,
    SalesCompliance,
    SlaCompliance,
    TimeToFirstTouch,
    as_float,
)
from server.domain.agreements.goals import GoalMetric
from server.domain.leads.qualification import QualifiedBy
from server.domain.leads.stages import LeadStage
from server.domain.waterfall.handoffs import RejectionReason
from server.services.core import ids
from server.services.metrics import dashboard as figures
from server.services.metrics import request


@strawberry.type
class MetricsQueries:
    @strawberry.field(
        description="Two-sided accountability over a half-open period (SPEC "
        "§2.6); dates are read in `timezone` (default the reporting timezone)."
    )
    async def dashboard(
        self,
        info: Info,
        period: PeriodInput,
        persona_id: strawberry.ID | None = None,
        timezone: str | None = None,
    ) -> Dashboard:
        require(info, "dashboard")
        zone = request.reporting_zone(
            timezone, info.context.settings.reporting_timezone
        )
        found = await figures.dashboard(
            request.period(period.from_, period.to, zone),
            request.persona(persona_id),
            zone,
        )
        return dashboard_type(found)


def count(n: int) -> CountFigure:
    return CountFigure(count=n)


def dashboard_type(d: figures.Dashboard) -> Dashboard:
    scope, chains, sales = d.scope, d.chains, d.sales
    return Dashboard(
        period=ReportPeriod(
            from_=scope.opens, to=scope.closes, timezone=scope.zone.key
        ),
        persona_id=strawberry.ID(ids.encode("Persona", scope.persona_id))
        if scope.persona_id is not None
        else None,
        qualified_leads=QualifiedLeadsFigure(
            count=d.qualified.total,
            by_qualified_by=[
                QualifiedByFigure(count=n, qualified_by=QualifiedBy(by))
                for by, n in d.qualified.by.items()
            ],
        ),
        delivered=count(chains.delivered),
        delivered_manual=count(chains.delivered_manual),
        handoffs=count(chains.handoffs),
        accepted=count(chains.accepted),
        rejected=count(chains.rejected),
        auto_accepted=count(chains.auto_accepted),
        acceptance_rate=as_float(chains.acceptance_rate),
        rejection_reasons=[
            RejectionReasonFigure(count=n, reason=RejectionReason(reason))
            for reason, n in sorted(
                d.rejection_reasons.items(), key=lambda item: (-item[1], item[0])
            )
        ],
        time_to_first_touch=TimeToFirstTouch(
            median_hours=as_float(d.first_touch.median_hours),
            p90_hours=as_float(d.first_touch.p90_hours),
            median_business_hours=as_float(d.first_touch.median_business_hours),
            untouched=count(d.first_touch.untouched),
        ),
        sla_compliance=SlaCompliance(
            marketing=MarketingCompliance(
                committed=float(d.marketing.committed),
                delivered=count(d.marketing.delivered),
                ratio=as_float(d.marketing.ratio),
            ),
            sales=SalesCompliance(
                due=count(sales.due),
                met=count(sales.met),
                breached=count(sales.breached),
                ratio=as_float(sales.ratio),
                accept_due=count(sales.accept_due),
                accept_on_time=count(sales.accept_on_time),
                accept_on_time_ratio=as_float(sales.accept_on_time_ratio),
                touch_attempts_due=count(sales.attempts_due),
                touch_attempts_met=count(sales.attempts_met),
                touch_attempts_met_ratio=as_float(sales.touch_attempts_met_ratio),
            ),
            breaches=Breaches(
                accept=count(sales.accept_breached),
                first_touch=count(sales.breached),
                total=sales.accept_breached + sales.breached,
            ),
        ),
        funnel=[
            FunnelFigure(count=n, stage=LeadStage(stage))
            for stage, n in d.funnel.items()
        ],
        conversion=[
            ConversionFigure(
                stage=LeadStage(step.stage),
                next_stage=LeadStage(step.next_stage),
                entered=count(step.entered),
                advanced=count(step.advanced),
                rate=as_float(step.rate),
            )
            for step in d.conversion
        ],
        goals=[
            GoalFigure(
                metric=GoalMetric(g.metric),
                progress=GoalProgress(
                    current=g.progress.current,
                    target=g.progress.target,
                    ratio=float(g.progress.ratio),
                    expected_ratio=float(g.progress.expected_ratio),
                    status=g.progress.status,
                    ended=g.progress.ended,
                    measured_at=None,
                ),
                _goal_id=g.goal_id,
            )
            for g in d.goals
        ],
        review_overdue=d.review.overdue,
        review_cadence=ReviewCadence(
            overdue=d.review.overdue,
            cadence_days=d.review.cadence_days,
            last_review_at=d.review.last_review_at,
            counted_from=d.review.counted_from,
        ),
    )
