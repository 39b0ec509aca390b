"""The live lead funnel: leads per waterfall stage, now."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.core.permissions import require
from schema.leads.types import LeadStage
from server.domain.leads.stages import LeadStage as DomainLeadStage
from server.services.leads import funnel


@strawberry.type
class FunnelStage:
    stage: LeadStage
    count: int


@strawberry.type
class FunnelQueries:
    @strawberry.field(
        description="Leads per stage now, in waterfall order (counters, not a scan)."
    )
    async def lead_funnel(self, info: Info) -> list[FunnelStage]:
        require(info, "leadFunnel")
        counts = await funnel.funnel()
        return [
            FunnelStage(stage=DomainLeadStage(s), count=n) for s, n in counts.items()
        ]
