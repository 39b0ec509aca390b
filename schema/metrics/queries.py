"""`dashboard(period, personaId, timezone)`: translates arguments, calls the
metrics service once and maps its figures."""

from __future__ import annotations

from typing import cast

import strawberry
from strawberry.scalars import JSON

from schema.agreements.kinds import GoalProgress
from schema.context import Info
from schema.core.periods import PeriodInput
from schema.core.permissions import require
from schema.metrics.types import (
    Breaches,
    ConversionFigure,
    CountFigure,
    Dashboard,
    FunnelFigure,
    GoalFigure,
    MarketingCompliance,
    QualifiedByFigure,
    QualifiedLeadsFigure,
    RejectionReasonFigure,
    ReportPeriod,
    ReviewCadence,
    SalesCompliance,
    SeriesPoint,
    SlaCompliance,
    TimeToFirstTouch,
    as_float,
)
from server.domain.agreements.goals import MONEY_METRICS, GoalMetric
from server.domain.leads.qualification import QualifiedBy
from server.domain.leads.stages import LeadStage
from server.domain.metrics.series import Interval
from server.domain.waterfall.handoffs import RejectionReason
from server.services.core import ids
from server.services.metrics import dashboard as figures
from server.services.metrics import request, series
from server.services.metrics.drill import Drills, Filter
from server.services.metrics.funnel import Step
from server.services.metrics.goals import GoalFigure as GoalFigureRow
from server.services.metrics.series import SeriesMetric

strawberry.enum(SeriesMetric, name="SeriesMetric")
strawberry.enum(Interval, name="SeriesInterval")


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

    @strawberry.field(
        description="A dashboard figure per day, week (from Monday) or month, "
        "cut at local midnights of `timezone`; at most 400 buckets."
    )
    async def metric_series(
        self,
        info: Info,
        metric: SeriesMetric,
        period: PeriodInput,
        interval: Interval,
        persona_id: strawberry.ID | None = None,
        timezone: str | None = None,
    ) -> list[SeriesPoint]:
        require(info, "metricSeries")
        zone = request.reporting_zone(
            timezone, info.context.settings.reporting_timezone
        )
        points = await series.metric_series(
            metric,
            request.period(period.from_, period.to, zone),
            interval,
            zone,
            request.persona(persona_id),
        )
        return [
            SeriesPoint(
                from_=p.period.opens,
                to=p.period.closes,
                count=p.count,
                leads=as_json(p.leads) if p.leads is not None else None,
                handoffs=as_json(p.handoffs) if p.handoffs is not None else None,
            )
            for p in points
        ]


def as_json(drill: Filter) -> JSON:
    """A drill-down filter as the JSON it is sent as."""
    return cast(JSON, drill)


def leads(n: int, drill: Filter) -> CountFigure:
    return CountFigure(count=n, leads=as_json(drill))


def handoffs(n: int, drill: Filter) -> CountFigure:
    return CountFigure(count=n, handoffs=as_json(drill))


def dashboard_type(d: figures.Dashboard) -> Dashboard:
    scope, drills = d.scope, Drills(d.scope)
    chains = d.chains
    return Dashboard(
        period=ReportPeriod(
            from_=scope.opens, to=scope.closes, timezone=scope.zone.key
        ),
        persona_id=strawberry.ID(ids.encode("Persona", scope.persona_id))
        if scope.persona_id is not None
        else None,
        qualified_leads=_qualified(d, drills),
        delivered=leads(chains.delivered, drills.delivered(False)),
        delivered_manual=leads(chains.delivered_manual, drills.delivered(True)),
        handoffs=handoffs(chains.handoffs, drills.chains()),
        accepted=handoffs(chains.accepted, drills.chains(chainOutcomes=["ACCEPTED"])),
        rejected=handoffs(chains.rejected, drills.chains(chainOutcomes=["REJECTED"])),
        auto_accepted=handoffs(chains.auto_accepted, drills.chains(autoAccepted=True)),
        acceptance_rate=as_float(chains.acceptance_rate),
        rejection_reasons=[
            RejectionReasonFigure(
                count=n,
                reason=RejectionReason(reason),
                handoffs=as_json(drills.chains(rejectionReasons=[reason])),
            )
            for reason, n in sorted(
                d.rejection_reasons.items(), key=lambda item: (-item[1], item[0])
            )
        ],
        time_to_first_touch=TimeToFirstTouch(
            median_hours=as_float(d.first_touch.median_hours),
            p90_hours=as_float(d.first_touch.p90_hours),
            median_business_hours=as_float(d.first_touch.median_business_hours),
            untouched=handoffs(d.first_touch.untouched, drills.untouched()),
        ),
        sla_compliance=_compliance(d, drills),
        funnel=[
            FunnelFigure(
                count=n, stage=LeadStage(stage), leads=as_json(drills.funnel(stage))
            )
            for stage, n in d.funnel.items()
        ],
        conversion=[_step(step, drills) for step in d.conversion],
        goals=[_goal(g) for g in d.goals],
        review_overdue=d.review.overdue,
        review_cadence=ReviewCadence(
            overdue=d.review.overdue,
            cadence_days=d.review.cadence_days,
            last_review_at=d.review.last_review_at,
            counted_from=d.review.counted_from,
        ),
    )


def _qualified(d: figures.Dashboard, drills: Drills) -> QualifiedLeadsFigure:
    return QualifiedLeadsFigure(
        count=d.qualified.total,
        leads=as_json(drills.qualified()),
        by_qualified_by=[
            QualifiedByFigure(
                count=n,
                qualified_by=QualifiedBy(by),
                leads=as_json(drills.qualified(by)),
            )
            for by, n in d.qualified.by.items()
        ],
    )


def _compliance(d: figures.Dashboard, drills: Drills) -> SlaCompliance:
    sales = d.sales
    breached_accept = handoffs(sales.accept_breached, drills.accept_clock("BREACHED"))
    breached_touch = handoffs(sales.breached, drills.touch_clock("BREACHED"))
    return SlaCompliance(
        marketing=MarketingCompliance(
            committed=float(d.marketing.committed),
            delivered=leads(d.marketing.delivered, drills.delivered(False)),
            ratio=as_float(d.marketing.ratio),
        ),
        sales=SalesCompliance(
            due=handoffs(sales.due, drills.touch_clock("MET", "BREACHED")),
            met=handoffs(sales.met, drills.touch_clock("MET")),
            breached=breached_touch,
            ratio=as_float(sales.ratio),
            accept_due=handoffs(
                sales.accept_due, drills.accept_clock("MET", "BREACHED")
            ),
            accept_on_time=handoffs(sales.accept_on_time, drills.accept_clock("MET")),
            accept_on_time_ratio=as_float(sales.accept_on_time_ratio),
            touch_attempts_due=handoffs(sales.attempts_due, drills.attempts()),
            touch_attempts_met=handoffs(sales.attempts_met, drills.attempts(True)),
            touch_attempts_met_ratio=as_float(sales.touch_attempts_met_ratio),
        ),
        breaches=Breaches(
            accept=breached_accept,
            first_touch=breached_touch,
            total=sales.accept_breached + sales.breached,
        ),
    )


def _step(step: Step, drills: Drills) -> ConversionFigure:
    return ConversionFigure(
        stage=LeadStage(step.stage),
        next_stage=LeadStage(step.next_stage),
        entered=leads(step.entered, drills.entered(step.stage)),
        advanced=leads(step.advanced, drills.entered(step.stage, True)),
        rate=as_float(step.rate),
    )


def _goal(g: GoalFigureRow) -> GoalFigure:
    return GoalFigure(
        metric=GoalMetric(g.metric),
        progress=GoalProgress(
            current=g.progress.current,
            target=g.progress.target,
            ratio=float(g.progress.ratio),
            expected_ratio=float(g.progress.expected_ratio),
            status=g.progress.status,
            ended=g.progress.ended,
            measured_at=None,
            _money=g.metric in {m.value for m in MONEY_METRICS},
        ),
        _goal_id=g.goal_id,
    )
