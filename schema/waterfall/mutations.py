"""Handoff mutations: hand off, accept, reject, reassign, record follow-ups."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from schema.context import Info
from schema.core.errors import UserError, user_errors
from schema.core.permissions import actor_of
from schema.leads.types import Lead, lead_type
from schema.waterfall.types import (
    FollowUp,
    FollowUpChannel,
    FollowUpOutcome,
    Handoff,
    RejectionDisposition,
    RejectionReason,
    follow_up_type,
    handoff_type,
)
from server.services.core.mutations import Outcome
from server.services.leads import reads as lead_reads
from server.services.waterfall import follow_ups, handoffs
from server.services.waterfall import reads as handoff_reads


@strawberry.input
class HandoffLeadInput:
    lead_id: strawberry.ID
    assignee_id: strawberry.ID | None = strawberry.field(
        default=None, description="Leave out to route by the SLA's policy."
    )
    note: str | None = None
    override_reason: str | None = strawberry.field(
        default=None,
        description="A marketing manager's reason to hand off an unqualified lead.",
    )
    idempotency_key: str | None = None


@strawberry.input
class AcceptHandoffInput:
    handoff_id: strawberry.ID


@strawberry.input
class RejectHandoffInput:
    handoff_id: strawberry.ID
    reason: RejectionReason
    comment: str | None = None
    disposition: RejectionDisposition


@strawberry.input
class ReassignHandoffInput:
    handoff_id: strawberry.ID
    assignee_id: strawberry.ID | None = strawberry.field(
        default=None, description="Leave out to route to the next in the pool."
    )
    note: str | None = None


@strawberry.input
class RecordFollowUpInput:
    lead_id: strawberry.ID
    channel: FollowUpChannel
    outcome: FollowUpOutcome
    occurred_at: datetime | None = strawberry.field(
        default=None, description="Defaults to now."
    )
    note: str | None = None
    idempotency_key: str | None = None


@strawberry.type
class HandoffPayload:
    handoff: Handoff | None = strawberry.field(
        description="With ALREADY_HANDED_OFF: the existing open handoff."
    )
    user_errors: list[UserError]


@strawberry.type
class RecordFollowUpPayload:
    follow_up: FollowUp | None
    lead: Lead | None
    user_errors: list[UserError]


def _payload(outcome: Outcome[handoffs.HandoffRecord]) -> HandoffPayload:
    found = outcome.result
    return HandoffPayload(
        handoff=handoff_type(found.handoff, found.chain, handoff_reads.now())
        if found
        else None,
        user_errors=user_errors(outcome.errors),
    )


@strawberry.type
class HandoffMutations:
    @strawberry.mutation(description="Hand a qualified lead to sales, on the clock.")
    async def handoff_lead(self, info: Info, input: HandoffLeadInput) -> HandoffPayload:
        request = handoffs.HandoffRequest(
            lead_id=input.lead_id,
            assignee_id=input.assignee_id,
            note=input.note,
            override_reason=input.override_reason,
            idempotency_key=input.idempotency_key,
        )
        return _payload(await handoffs.handoff_lead(actor_of(info), request))

    @strawberry.mutation
    async def accept_handoff(
        self, info: Info, input: AcceptHandoffInput
    ) -> HandoffPayload:
        outcome = await handoffs.accept_handoff(actor_of(info), input.handoff_id)
        return _payload(outcome)

    @strawberry.mutation
    async def reject_handoff(
        self, info: Info, input: RejectHandoffInput
    ) -> HandoffPayload:
        rejection = handoffs.Rejection(
            input.reason.value, input.comment, input.disposition.value
        )
        outcome = await handoffs.reject_handoff(
            actor_of(info), input.handoff_id, rejection
        )
        return _payload(outcome)

    @strawberry.mutation(description="Give a pending handoff to someone else.")
    async def reassign_handoff(
        self, info: Info, input: ReassignHandoffInput
    ) -> HandoffPayload:
        outcome = await handoffs.reassign_handoff(
            actor_of(info), input.handoff_id, input.assignee_id, input.note
        )
        return _payload(outcome)

    @strawberry.mutation
    async def record_follow_up(
        self, info: Info, input: RecordFollowUpInput
    ) -> RecordFollowUpPayload:
        request = follow_ups.FollowUpRequest(
            lead_id=input.lead_id,
            channel=input.channel.value,
            outcome=input.outcome.value,
            occurred_at=input.occurred_at,
            note=input.note,
            idempotency_key=input.idempotency_key,
        )
        outcome = await follow_ups.record_follow_up(actor_of(info), request)
        return await _recorded(outcome)


async def _recorded(outcome: Outcome[Any]) -> RecordFollowUpPayload:
    found = outcome.result
    lead = None
    if found is not None:
        lead = (await lead_reads.leads_by_ids([found.follow_up.lead_id])).get(
            found.follow_up.lead_id
        )
    return RecordFollowUpPayload(
        follow_up=follow_up_type(found.follow_up) if found else None,
        lead=lead_type(lead) if lead else None,
        user_errors=user_errors(outcome.errors),
    )
