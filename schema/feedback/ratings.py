"""Lead-quality feedback (SPEC §2.7): the `LeadFeedback` type, `node` for it,
and `submitLeadFeedback`."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import strawberry

from schema.context import Context, Info
from schema.core.errors import UserError, user_errors
from schema.core.permissions import actor_of
from schema.core.relay import Node, NodeType
from schema.leads.types import Lead, lead_type
from schema.people.users import User, user_by_key
from schema.waterfall.types import HandoffRejection, RejectionReason, rejection_of
from server.domain.waterfall import handoffs as rules
from server.services.core import ids
from server.services.core.mutations import Outcome
from server.services.feedback import ratings as lead_feedback
from server.services.leads import reads as lead_reads

if TYPE_CHECKING:
    from server import models


@strawberry.type(description="A sales user's rating of a lead's quality.")
class LeadFeedback(Node):
    id: strawberry.ID
    rating: int = strawberry.field(description="1 (poor) to 5 (excellent).")
    reasons: list[RejectionReason]
    comment: str | None
    created_at: datetime
    updated_at: datetime
    version: int
    _key: strawberry.Private[int]
    _lead: strawberry.Private[int]
    _user: strawberry.Private[int]

    @strawberry.field
    async def user(self, info: Info) -> User | None:
        return await user_by_key(info, self._user)

    @strawberry.field
    async def lead(self, info: Info) -> Lead | None:
        row = await info.context.loader("lead").load(self._lead)
        return lead_type(row) if row else None

    @strawberry.field(
        description="The author's own latest rejection of the lead's handoffs, "
        "shown beside the feedback (its reason is not counted again)."
    )
    async def rejection(self, info: Info) -> HandoffRejection | None:
        handoffs = await info.context.loader("lead_handoffs").load(self._lead)
        return latest_rejection(handoffs, self._user)


def latest_rejection(
    handoffs: list[models.Handoff], user_key: int
) -> HandoffRejection | None:
    """`LeadFeedback.rejection`: the user's latest rejection among a lead's
    handoffs (oldest first)."""
    for row in reversed(handoffs):
        if row.status == rules.HandoffStatus.REJECTED and (
            row.decided_by_id == user_key
        ):
            return rejection_of(row)
    return None


def feedback_type(row: models.LeadFeedback) -> LeadFeedback:
    return LeadFeedback(
        id=strawberry.ID(ids.encode("LeadFeedback", row.id)),
        rating=row.rating,
        reasons=[rules.RejectionReason(r) for r in row.reasons],
        comment=row.comment,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
        _key=row.id,
        _lead=row.lead_id,
        _user=row.user_id,
    )


@strawberry.input
class SubmitLeadFeedbackInput:
    lead_id: strawberry.ID
    rating: int = strawberry.field(description="1 (poor) to 5 (excellent).")
    reasons: list[RejectionReason] = strawberry.field(
        default_factory=list, description="What was wrong with the lead, if anything."
    )
    comment: str | None = None
    idempotency_key: str | None = None


@strawberry.type
class SubmitLeadFeedbackPayload:
    feedback: LeadFeedback | None
    lead: Lead | None
    user_errors: list[UserError]


@strawberry.type
class FeedbackMutations:
    @strawberry.mutation(
        description="Rate a handed-off lead; a second submission edits your first."
    )
    async def submit_lead_feedback(
        self, info: Info, input: SubmitLeadFeedbackInput
    ) -> SubmitLeadFeedbackPayload:
        request = lead_feedback.FeedbackRequest(
            lead_id=input.lead_id,
            rating=input.rating,
            reasons=tuple(r.value for r in input.reasons),
            comment=input.comment,
            idempotency_key=input.idempotency_key,
        )
        outcome = await lead_feedback.submit_lead_feedback(actor_of(info), request)
        return await _payload(outcome)


async def _payload(outcome: Outcome[Any]) -> SubmitLeadFeedbackPayload:
    found = outcome.result
    lead = None
    if found is not None:
        lead = (await lead_reads.leads_by_ids([found.lead_id])).get(found.lead_id)
    return SubmitLeadFeedbackPayload(
        feedback=feedback_type(found) if found else None,
        lead=lead_type(lead) if lead else None,
        user_errors=user_errors(outcome.errors),
    )


async def _fetch_feedback(context: Context, keys: list[int]) -> dict[int, Any]:
    if context.actor is None:
        return {}
    rows = await lead_feedback.feedback_by_ids(keys)
    return {k: feedback_type(v) for k, v in rows.items()}


NODE_TYPES = {"LeadFeedback": NodeType(_fetch_feedback)}


async def feedback_of_lead(info: Info, lead_key: int) -> list[LeadFeedback]:
    """`Lead.feedback`: sales' lead-quality feedback, oldest first."""
    rows = await info.context.loader("lead_feedback").load(lead_key)
    return [feedback_type(r) for r in rows]
