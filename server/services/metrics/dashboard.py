"""The dashboard (SPEC §2.6): every figure over a period, for one persona or
all, read in a fixed number of SQL statements whatever the data."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from server.clock import clock
from server.domain.core.periods import Period
from server.domain.metrics.compliance import ratio
from server.services.metrics import chains, funnel, goals, qualified, reviews, sla
from server.services.metrics.chains import Chains, FirstTouch
from server.services.metrics.funnel import Step
from server.services.metrics.goals import GoalFigure
from server.services.metrics.qualified import Qualified
from server.services.metrics.reviews import ReviewCadence
from server.services.metrics.scope import Scope
from server.services.metrics.sla import Sales


@dataclass(frozen=True)
class Marketing:
    committed: Decimal
    delivered: int

    @property
    def ratio(self) -> Decimal | None:
        return ratio(self.delivered, self.committed)


@dataclass(frozen=True)
class Dashboard:
    scope: Scope
    qualified: Qualified
    chains: Chains
    rejection_reasons: dict[str, int]
    first_touch: FirstTouch
    marketing: Marketing
    sales: Sales
    funnel: dict[str, int]
    conversion: list[Step]
    goals: list[GoalFigure]
    review: ReviewCadence


async def dashboard(
    period: Period, persona_id: int | None, zone: ZoneInfo, now: datetime | None = None
) -> Dashboard:
    """13 statements (12 with no goal in force; the last lead review is one);
    ``now`` defaults to the clock's.

    No statement needs another's answer, so they run side by side (on
    SQLite's read connections, `server.sqlite`; on PostgreSQL's pool), the
    longest first; in a transaction they take turns on its connection."""
    now = clock.now() if now is None else now
    scope = Scope(period, persona_id, zone, now)
    async with asyncio.TaskGroup() as group:
        at_end = group.create_task(funnel.funnel_at_end(scope))
        steps = group.create_task(funnel.conversion(scope))
        sales = group.create_task(sla.sales(scope))
        times = group.create_task(chains.touch_times(scope))
        counts = group.create_task(chains.chain_counts(scope))
        reasons = group.create_task(chains.rejection_reasons(scope))
        qualifications = group.create_task(qualified.qualified_leads(scope))
        revisions = group.create_task(sla.sla_revisions())
        figures = group.create_task(goals.goal_figures(now, zone))
        review = group.create_task(reviews.review_cadence(now))
    counted = counts.result()
    return Dashboard(
        scope=scope,
        qualified=qualifications.result(),
        chains=counted,
        rejection_reasons=reasons.result(),
        first_touch=chains.first_touch(times.result(), counted),
        marketing=Marketing(
            sla.marketing_committed(scope, revisions.result()), counted.delivered
        ),
        sales=sales.result(),
        funnel=at_end.result(),
        conversion=steps.result(),
        goals=figures.result(),
        review=review.result(),
    )
