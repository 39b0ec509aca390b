"""The dashboard (SPEC §2.6): every figure over a period, for one persona or
all, read in a fixed number of SQL statements whatever the data."""

from __future__ import annotations

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
    ``now`` defaults to the clock's."""
    now = clock.now() if now is None else now
    scope = Scope(period, persona_id, zone, now)
    counted = await chains.chain_counts(scope)
    revisions = await sla.sla_revisions()
    return Dashboard(
        scope=scope,
        qualified=await qualified.qualified_leads(scope),
        chains=counted,
        rejection_reasons=await chains.rejection_reasons(scope),
        first_touch=await chains.first_touch(scope, counted),
        marketing=Marketing(
            sla.marketing_committed(scope, revisions), counted.delivered
        ),
        sales=await sla.sales(scope),
        funnel=await funnel.funnel_at_end(scope),
        conversion=await funnel.conversion(scope),
        goals=await goals.goal_figures(now, zone),
        review=await reviews.review_cadence(now),
    )
