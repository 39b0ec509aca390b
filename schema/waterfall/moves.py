"""Stage moves by hand: `moveLeadStage` and `closeLead` (sales and marketing move a
lead through the waterfall; the use case closes its open handoff when needed)."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum

import strawberry

from schema.context import Info
from schema.core.permissions import actor_of
from schema.leads.mutations import LeadPayload, lead_payload
from schema.leads.types import LeadStage
from server.domain.leads.stages import Via
from server.services.waterfall import moves as lead_stages


@strawberry.input
class MoveLeadStageInput:
    lead_id: strawberry.ID
    stage: LeadStage
    reason: str | None = None
    amount: Decimal | None = None
    recurring: bool | None = None
    expected_version: int | None = None


@strawberry.enum
class CloseOutcome(Enum):
    WON = "WON"
    LOST = "LOST"


@strawberry.input
class CloseLeadInput:
    lead_id: strawberry.ID
    outcome: CloseOutcome
    amount: Decimal | None = None
    recurring: bool | None = None
    reason: str | None = None
    expected_version: int | None = None


@strawberry.type
class StageMoveMutations:
    @strawberry.mutation
    async def move_lead_stage(
        self, info: Info, input: MoveLeadStageInput
    ) -> LeadPayload:
        request = lead_stages.StageRequest(
            lead_id=input.lead_id,
            stage=input.stage.value,
            reason=input.reason,
            amount=input.amount,
            recurring=input.recurring,
            expected_version=input.expected_version,
        )
        return lead_payload(await lead_stages.move_lead_stage(actor_of(info), request))

    @strawberry.mutation(description="End a lead as WON or LOST (sales).")
    async def close_lead(self, info: Info, input: CloseLeadInput) -> LeadPayload:
        request = lead_stages.StageRequest(
            lead_id=input.lead_id,
            stage=input.outcome.value,
            reason=input.reason,
            amount=input.amount,
            recurring=input.recurring,
            expected_version=input.expected_version,
            via=Via.CLOSE,
        )
        return lead_payload(await lead_stages.move_lead_stage(actor_of(info), request))
