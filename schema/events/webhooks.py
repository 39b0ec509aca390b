"""Webhooks and their delivery log (admins): `webhooks`, `webhookDeliveries`,
`createWebhook`, `updateWebhook`, `deleteWebhook`, `rotateWebhookSecret`,
`redeliverWebhookDelivery`."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON

from schema.context import Context, Info
from schema.core.errors import UserError, user_errors
from schema.core.permissions import actor_of, require
from schema.core.relay import Connection, Node, NodeType, connection, page_request
from schema.events.subscriptions import EventKind
from server.services.core import ids
from server.services.events import webhooks
from server.services.events.webhooks import WebhookChange

if TYPE_CHECKING:
    from server.models.events import Webhook as WebhookRow
    from server.models.events import WebhookDelivery as DeliveryRow


@strawberry.enum(description="Where a delivery stands.")
class WebhookDeliveryStatus(Enum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


@strawberry.type(description="An HTTP endpoint hearing chosen event kinds (admins).")
class Webhook(Node):
    id: strawberry.ID
    url: str
    events: list[EventKind] = strawberry.field(description="The event kinds it hears.")
    active: bool = strawberry.field(description="Disabled webhooks get nothing.")
    created_at: datetime
    updated_at: datetime
    secret_rotated_at: datetime | None
    previous_secret_valid_until: datetime | None = strawberry.field(
        description="Until then the previous secret signs too (after a rotation)."
    )
    _key: strawberry.Private[int]


@strawberry.type(description="One event sent to one webhook, and how it went.")
class WebhookDelivery(Node):
    id: strawberry.ID
    event_id: strawberry.ID = strawberry.field(
        description="The event's id, also sent in the body and Accord-Event-Id."
    )
    kind: str
    sequence: int = strawberry.field(description="The event's per-subject sequence.")
    subject_type: str
    payload: JSON
    status: WebhookDeliveryStatus
    attempts: int
    response_code: int | None
    response_body: str = strawberry.field(
        description="The receiver's answer, truncated to 2,000 characters."
    )
    error: str
    duration_ms: int | None = strawberry.field(
        description="How long the last attempt took."
    )
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    redelivery_of: strawberry.ID | None
    _webhook: strawberry.Private[int]

    @strawberry.field
    async def webhook(self, info: Info) -> Webhook | None:
        loaders = info.context.loaders
        loader = loaders.get("webhook")
        if loader is None:
            loader = loaders["webhook"] = DataLoader(load_fn=_load_webhooks)
        row = await loader.load(self._webhook)
        return webhook_type(row) if row else None


async def _load_webhooks(keys: list[int]) -> list[Any]:
    found = await webhooks.webhooks_by_ids(keys)
    return [found.get(k) for k in keys]


def webhook_type(row: WebhookRow) -> Webhook:
    return Webhook(
        id=strawberry.ID(ids.encode("Webhook", row.id)),
        url=row.url,
        events=[EventKind(kind) for kind in row.events or []],
        active=row.active,
        created_at=row.created_at,
        updated_at=row.updated_at,
        secret_rotated_at=row.secret_rotated_at,
        previous_secret_valid_until=webhooks.previous_secret_valid(row),
        _key=row.id,
    )


def delivery_type(row: DeliveryRow) -> WebhookDelivery:
    return WebhookDelivery(
        id=strawberry.ID(ids.encode("WebhookDelivery", row.id)),
        event_id=strawberry.ID(str(row.event_id)),
        kind=row.kind,
        sequence=row.sequence,
        subject_type=row.subject_type,
        payload=row.payload,
        status=WebhookDeliveryStatus(row.status),
        attempts=row.attempts,
        response_code=row.response_code,
        response_body=row.response_body,
        error=row.error,
        duration_ms=row.duration_ms,
        created_at=row.created_at,
        last_attempt_at=row.last_attempt_at,
        next_attempt_at=row.next_attempt_at if row.status == "PENDING" else None,
        delivered_at=row.delivered_at,
        redelivery_of=strawberry.ID(ids.encode("WebhookDelivery", row.redelivery_of_id))
        if row.redelivery_of_id
        else None,
        _webhook=row.webhook_id,
    )


@strawberry.input
class WebhookDeliveryFilter:
    webhook_id: strawberry.ID | None = None
    status: list[WebhookDeliveryStatus] | None = None
    kind: list[str] | None = None


@strawberry.type
class WebhookQueries:
    @strawberry.field(description="Admins: every webhook, newest first.")
    async def webhooks(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Webhook]:
        require(info, "webhooks")
        page = await webhooks.list_webhooks(page_request(first, after, last, before))
        return connection(page, webhook_type)

    @strawberry.field(description="Admins: the delivery log, newest first.")
    async def webhook_deliveries(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: WebhookDeliveryFilter | None = None,
    ) -> Connection[WebhookDelivery]:
        require(info, "webhookDeliveries")
        f = filter or WebhookDeliveryFilter()
        criteria: dict[str, Any] = {
            "status": [s.value for s in f.status] if f.status else None,
            "kind": f.kind,
        }
        if f.webhook_id is not None:
            criteria["webhook"] = ids.decode_any(str(f.webhook_id))
            found = criteria["webhook"]
            criteria["webhook"] = found[1] if found and found[0] == "Webhook" else -1
        page = await webhooks.list_deliveries(
            criteria, page_request(first, after, last, before)
        )
        return connection(page, delivery_type)


@strawberry.input
class CreateWebhookInput:
    url: str = strawberry.field(description="An absolute http(s) URL.")
    events: list[EventKind] = strawberry.field(description="The event kinds to hear.")


@strawberry.type
class CreateWebhookPayload:
    webhook: Webhook | None
    secret: str | None = strawberry.field(
        description="Shown once: the key of the signatures; store it now."
    )
    user_errors: list[UserError]


@strawberry.input
class UpdateWebhookInput:
    id: strawberry.ID
    url: str | None = None
    events: list[EventKind] | None = None
    active: bool | None = strawberry.field(
        default=None, description="false disables the webhook, true enables it."
    )


@strawberry.type
class UpdateWebhookPayload:
    webhook: Webhook | None
    user_errors: list[UserError]


@strawberry.input
class DeleteWebhookInput:
    id: strawberry.ID


@strawberry.type
class DeleteWebhookPayload:
    deleted_id: strawberry.ID | None
    user_errors: list[UserError]


@strawberry.input
class RotateWebhookSecretInput:
    id: strawberry.ID
    overlap_minutes: int | None = strawberry.field(
        default=None,
        description="How long the old secret keeps signing too (0–10080); "
        "default ACCORD_WEBHOOK_SECRET_OVERLAP_HOURS.",
    )


@strawberry.type
class RotateWebhookSecretPayload:
    webhook: Webhook | None
    secret: str | None = strawberry.field(description="Shown once; store it now.")
    user_errors: list[UserError]


@strawberry.input
class RedeliverWebhookDeliveryInput:
    id: strawberry.ID


@strawberry.type
class RedeliverWebhookDeliveryPayload:
    delivery: WebhookDelivery | None
    user_errors: list[UserError]


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(description="Admins: a webhook; its secret is shown once.")
    async def create_webhook(
        self, info: Info, input: CreateWebhookInput
    ) -> CreateWebhookPayload:
        outcome = await webhooks.create_webhook(
            actor_of(info), input.url, [kind.value for kind in input.events]
        )
        issued = outcome.result if outcome.ok else None
        return CreateWebhookPayload(
            webhook=webhook_type(issued.webhook) if issued else None,
            secret=issued.secret if issued else None,
            user_errors=user_errors(outcome.errors),
        )

    @strawberry.mutation(description="Admins: change the URL, kinds, or enabled.")
    async def update_webhook(
        self, info: Info, input: UpdateWebhookInput
    ) -> UpdateWebhookPayload:
        change = WebhookChange(
            url=input.url,
            events=[kind.value for kind in input.events]
            if input.events is not None
            else None,
            active=input.active,
        )
        outcome = await webhooks.update_webhook(actor_of(info), str(input.id), change)
        row = outcome.result if outcome.ok else None
        return UpdateWebhookPayload(
            webhook=webhook_type(row) if row else None,
            user_errors=user_errors(outcome.errors),
        )

    @strawberry.mutation(description="Admins: delete a webhook and its log.")
    async def delete_webhook(
        self, info: Info, input: DeleteWebhookInput
    ) -> DeleteWebhookPayload:
        outcome = await webhooks.delete_webhook(actor_of(info), str(input.id))
        return DeleteWebhookPayload(
            deleted_id=strawberry.ID(outcome.result)
            if outcome.ok and outcome.result
            else None,
            user_errors=user_errors(outcome.errors),
        )

    @strawberry.mutation(description="Admins: a new secret, shown once.")
    async def rotate_webhook_secret(
        self, info: Info, input: RotateWebhookSecretInput
    ) -> RotateWebhookSecretPayload:
        outcome = await webhooks.rotate_webhook_secret(
            actor_of(info), str(input.id), input.overlap_minutes
        )
        issued = outcome.result if outcome.ok else None
        return RotateWebhookSecretPayload(
            webhook=webhook_type(issued.webhook) if issued else None,
            secret=issued.secret if issued else None,
            user_errors=user_errors(outcome.errors),
        )

    @strawberry.mutation(description="Admins: send a delivery's event again.")
    async def redeliver_webhook_delivery(
        self, info: Info, input: RedeliverWebhookDeliveryInput
    ) -> RedeliverWebhookDeliveryPayload:
        outcome = await webhooks.redeliver_webhook_delivery(
            actor_of(info), str(input.id)
        )
        row = outcome.result if outcome.ok else None
        return RedeliverWebhookDeliveryPayload(
            delivery=delivery_type(row) if row else None,
            user_errors=user_errors(outcome.errors),
        )


async def _fetch_webhooks(context: Context, keys: list[int]) -> dict[int, Any]:
    actor = context.actor
    if actor is None or not actor.is_admin:
        return {}
    rows = await webhooks.webhooks_by_ids(keys)
    return {k: webhook_type(v) for k, v in rows.items()}


async def _fetch_deliveries(context: Context, keys: list[int]) -> dict[int, Any]:
    actor = context.actor
    if actor is None or not actor.is_admin:
        return {}
    rows = await webhooks.deliveries_by_ids(keys)
    return {k: delivery_type(v) for k, v in rows.items()}


NODE_TYPES = {
    "Webhook": NodeType(_fetch_webhooks),
    "WebhookDelivery": NodeType(_fetch_deliveries),
}
