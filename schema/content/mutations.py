"""The content mutations: each parses its input, calls one use case and maps
the outcome."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

import strawberry

from schema.content.types import (
    ContentAsset,
    ContentComment,
    ContentPriority,
    ContentRequest,
    ContentStatus,
    ContentType,
    asset_type,
    comment_type,
    request_type,
)
from schema.context import Info
from schema.core.errors import UserError, user_errors
from schema.core.permissions import actor_of
from schema.leads.types import LeadStage
from server.services.content import ratings, requests, workflow
from server.services.core.mutations import Outcome


def _zone(info: Info) -> str:
    return info.context.settings.reporting_timezone


@strawberry.type
class ContentRequestPayload:
    content_request: ContentRequest | None
    user_errors: list[UserError]


def _payload(info: Info, outcome: Outcome[Any]) -> ContentRequestPayload:
    found = outcome.result
    return ContentRequestPayload(
        content_request=request_type(found, info.context)
        if found is not None
        else None,
        user_errors=user_errors(outcome.errors),
    )


@strawberry.input
class RequestContentInput:
    title: str
    content_type: ContentType
    priority: ContentPriority = ContentPriority.MEDIUM
    description: str | None = None
    persona_id: strawberry.ID | None = None
    lead_stage: LeadStage | None = None
    requested_due_date: date | None = None
    idempotency_key: str | None = None


@strawberry.input(description="Absent fields stay; a null requestedDueDate clears it.")
class UpdateContentRequestInput:
    id: strawberry.ID
    expected_version: int
    description: str | None = strawberry.UNSET
    priority: ContentPriority | None = strawberry.UNSET
    requested_due_date: date | None = strawberry.UNSET


@strawberry.enum
class ContentTriageDecision(Enum):
    ACCEPT = "ACCEPT"
    DECLINE = "DECLINE"


@strawberry.input
class TriageContentRequestInput:
    request_id: strawberry.ID
    decision: ContentTriageDecision
    assignee_id: strawberry.ID | None = strawberry.field(
        default=None, description="Accepting: a marketing user; default: you."
    )
    committed_due_date: date | None = strawberry.field(
        default=None, description="Accepting: required."
    )
    reason: str | None = strawberry.field(
        default=None, description="Declining: required."
    )


@strawberry.input
class MoveContentRequestInput:
    request_id: strawberry.ID
    to: ContentStatus
    comment: str | None = strawberry.field(
        default=None, description="Required when sending back from review."
    )


@strawberry.input
class NewContentAssetInput:
    title: str
    url: str = strawberry.field(description="http or https only.")
    content_type: ContentType | None = None
    persona_ids: list[strawberry.ID] | None = None
    lead_stages: list[LeadStage] | None = None


@strawberry.input(description="Name an existing asset or describe a new one.")
class DeliverContentRequestInput:
    request_id: strawberry.ID
    asset_id: strawberry.ID | None = None
    asset: NewContentAssetInput | None = None
    comment: str | None = None


@strawberry.type
class DeliverContentRequestPayload:
    content_request: ContentRequest | None
    asset: ContentAsset | None
    user_errors: list[UserError]


@strawberry.input
class ReopenContentRequestInput:
    request_id: strawberry.ID
    comment: str


@strawberry.input
class CancelContentRequestInput:
    request_id: strawberry.ID
    reason: str | None = None


@strawberry.input
class CommentOnContentRequestInput:
    request_id: strawberry.ID
    body: str
    idempotency_key: str | None = None


@strawberry.type
class CommentOnContentRequestPayload:
    content_request: ContentRequest | None
    comment: ContentComment | None
    user_errors: list[UserError]


@strawberry.input
class VoteContentRequestInput:
    request_id: strawberry.ID
    vote: bool = strawberry.field(default=True, description="false takes it back.")


@strawberry.input
class RateContentRequestInput:
    request_id: strawberry.ID
    rating: int = strawberry.field(description="1 (useless) to 5 (excellent).")


@strawberry.input
class RateContentAssetInput:
    asset_id: strawberry.ID
    rating: int = strawberry.field(description="1 (useless) to 5 (excellent).")


@strawberry.type
class RateContentAssetPayload:
    asset: ContentAsset | None
    user_errors: list[UserError]


def _given(value: Any) -> Any:
    return None if value is strawberry.UNSET else value


@strawberry.type
class ContentMutations:
    @strawberry.mutation(description="Ask marketing for content.")
    async def request_content(
        self, info: Info, input: RequestContentInput
    ) -> ContentRequestPayload:
        given = requests.NewRequest(
            title=input.title,
            content_type=input.content_type.value,
            priority=input.priority.value,
            description=input.description,
            persona_id=input.persona_id,
            lead_stage=input.lead_stage.value if input.lead_stage else None,
            requested_due_date=input.requested_due_date,
            idempotency_key=input.idempotency_key,
            timezone=_zone(info),
        )
        return _payload(info, await requests.request_content(actor_of(info), given))

    @strawberry.mutation(
        description="The requester edits description, priority and requested date "
        "while the request is SUBMITTED."
    )
    async def update_content_request(
        self, info: Info, input: UpdateContentRequestInput
    ) -> ContentRequestPayload:
        priority = _given(input.priority)
        edit = requests.Edit(
            id=input.id,
            expected_version=input.expected_version,
            description=_given(input.description),
            priority=priority.value if priority else None,
            requested_due_date=_given(input.requested_due_date),
            clear_requested_due_date=input.requested_due_date is None,
            timezone=_zone(info),
        )
        return _payload(
            info, await requests.update_content_request(actor_of(info), edit)
        )

    @strawberry.mutation(description="Accept (assignee, committed date) or decline.")
    async def triage_content_request(
        self, info: Info, input: TriageContentRequestInput
    ) -> ContentRequestPayload:
        given = workflow.Triage(
            id=input.request_id,
            accept=input.decision is ContentTriageDecision.ACCEPT,
            assignee_id=input.assignee_id,
            committed_due_date=input.committed_due_date,
            reason=input.reason,
            timezone=_zone(info),
        )
        outcome = await workflow.triage_content_request(actor_of(info), given)
        return _payload(info, outcome)

    @strawberry.mutation(
        description="Start work, put in review, or send back from review."
    )
    async def move_content_request(
        self, info: Info, input: MoveContentRequestInput
    ) -> ContentRequestPayload:
        outcome = await workflow.move_content_request(
            actor_of(info), input.request_id, input.to.value, input.comment
        )
        return _payload(info, outcome)

    @strawberry.mutation(description="Deliver with an existing or a new asset.")
    async def deliver_content_request(
        self, info: Info, input: DeliverContentRequestInput
    ) -> DeliverContentRequestPayload:
        new = input.asset
        given = workflow.Delivery(
            id=input.request_id,
            asset_id=input.asset_id,
            asset=workflow.NewAsset(
                title=new.title,
                url=new.url,
                content_type=new.content_type.value if new.content_type else None,
                persona_ids=new.persona_ids,
                lead_stages=(
                    [s.value for s in new.lead_stages]
                    if new.lead_stages is not None
                    else None
                ),
            )
            if new is not None
            else None,
            comment=input.comment,
        )
        outcome = await workflow.deliver_content_request(actor_of(info), given)
        done = outcome.result
        return DeliverContentRequestPayload(
            content_request=request_type(done.request, info.context) if done else None,
            asset=asset_type(done.asset) if done else None,
            user_errors=user_errors(outcome.errors),
        )

    @strawberry.mutation(description="Take a delivered or declined request back.")
    async def reopen_content_request(
        self, info: Info, input: ReopenContentRequestInput
    ) -> ContentRequestPayload:
        outcome = await requests.reopen_content_request(
            actor_of(info), input.request_id, input.comment
        )
        return _payload(info, outcome)

    @strawberry.mutation(description="The requester withdraws it before delivery.")
    async def cancel_content_request(
        self, info: Info, input: CancelContentRequestInput
    ) -> ContentRequestPayload:
        outcome = await requests.cancel_content_request(
            actor_of(info), input.request_id, input.reason
        )
        return _payload(info, outcome)

    @strawberry.mutation
    async def comment_on_content_request(
        self, info: Info, input: CommentOnContentRequestInput
    ) -> CommentOnContentRequestPayload:
        outcome = await requests.comment_on_content_request(
            actor_of(info), input.request_id, input.body, input.idempotency_key
        )
        done = outcome.result
        return CommentOnContentRequestPayload(
            content_request=request_type(done.request, info.context) if done else None,
            comment=comment_type(done.comment) if done else None,
            user_errors=user_errors(outcome.errors),
        )

    @strawberry.mutation(description="Vote once (or take your vote back).")
    async def vote_content_request(
        self, info: Info, input: VoteContentRequestInput
    ) -> ContentRequestPayload:
        outcome = await requests.vote_content_request(
            actor_of(info), input.request_id, input.vote
        )
        return _payload(info, outcome)

    @strawberry.mutation(
        description="Rate a delivered request (and so its asset); editable."
    )
    async def rate_content_request(
        self, info: Info, input: RateContentRequestInput
    ) -> ContentRequestPayload:
        outcome = await ratings.rate_content_request(
            actor_of(info), input.request_id, input.rating
        )
        return _payload(info, outcome)

    @strawberry.mutation(description="Rate an asset's usefulness; one per user.")
    async def rate_content_asset(
        self, info: Info, input: RateContentAssetInput
    ) -> RateContentAssetPayload:
        outcome = await ratings.rate_content_asset(
            actor_of(info), input.asset_id, input.rating
        )
        done = outcome.result
        return RateContentAssetPayload(
            asset=asset_type(done.asset) if done else None,
            user_errors=user_errors(outcome.errors),
        )
