"""Webhooks (SPEC §2.9), admins only: create, update (URL, kinds, enabled),
delete, rotate the secret, redeliver; the lists of webhooks and deliveries.

Each change is one audited transaction through the mutation path; none writes
an outbox event (a webhook is configuration, and no `EventKind` names it).
The secret is returned once, by `create_webhook` and `rotate_webhook_secret`,
and kept sealed; the audit entry never holds it. Rotating locks the webhook's
row, so two rotations at once are applied one after the other. Redelivering
adds a new delivery of the same event (its own log row, ``redelivery_of``
naming the first), sent by the deliverer like any other.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from server.clock import clock
from server.domain.core.errors import ErrorCode, UserError, UserErrors, refuse
from server.domain.events.webhooks import (
    check_events,
    check_target,
    literal_refusal,
    new_secret,
)
from server.models.events import Webhook, WebhookDelivery
from server.services.core import ids, mutations
from server.services.core.actors import Actor
from server.services.core.pagination import Ordering, Page, PageRequest, paginate
from server.services.events import delivery

WEBHOOK_ORDERING = Ordering("CREATED_AT:D", (("created_at", True),))
DELIVERY_ORDERING = Ordering("CREATED_AT:D", (("created_at", True),))
MAX_OVERLAP_MINUTES = 7 * 24 * 60
MAX_WEBHOOKS = 100


@dataclass(frozen=True)
class WebhookChange:
    url: str | None = None
    events: list[str] | None = None
    active: bool | None = None


@dataclass(frozen=True)
class IssuedWebhook:
    webhook: Webhook
    secret: str


def _problems(change: WebhookChange) -> list[UserError]:
    errors: list[UserError] = []
    if change.url is not None:
        errors += check_target(change.url)
        if not errors:
            why = literal_refusal(change.url, delivery.config().allow_private)
            if why:
                errors.append(
                    UserError(
                        ErrorCode.INVALID_INPUT,
                        f"{why}: webhooks may not target it",
                        ("url",),
                    )
                )
    if change.events is not None:
        errors += check_events(change.events)
    return errors


def _kinds(events: list[str]) -> list[str]:
    return sorted(set(events))


async def create_webhook(
    actor: Actor, url: str, events: list[str]
) -> mutations.Outcome[IssuedWebhook]:
    async def body(tx: mutations.Tx) -> IssuedWebhook:
        errors = _problems(WebhookChange(url=url, events=events))
        if errors:
            raise UserErrors(errors)
        if await Webhook.all().count() >= MAX_WEBHOOKS:
            raise refuse(
                ErrorCode.LIMIT_EXCEEDED,
                f"at most {MAX_WEBHOOKS} webhooks; delete one first",
                "url",
            )
        secret = new_secret()
        hook = await Webhook.create(
            url=url.strip(),
            events=_kinds(events),
            active=True,
            secret_sealed=delivery.config().box.seal(secret),
            created_by_id=actor.user_id,
            created_at=tx.now,
            updated_at=tx.now,
        )
        tx.audit("Webhook", hook.id, url=hook.url, events=hook.events)
        return IssuedWebhook(hook, secret)

    return await mutations.run(actor, "createWebhook", body)


async def _locked(webhook_id: str) -> Webhook:
    key = ids.decode(webhook_id, "Webhook", "id")
    hook = await Webhook.filter(id=key).select_for_update().first()
    if hook is None:
        raise refuse(ErrorCode.NOT_FOUND, "no such webhook", "id")
    return hook


async def update_webhook(
    actor: Actor, webhook_id: str, change: WebhookChange
) -> mutations.Outcome[Webhook]:
    async def body(tx: mutations.Tx) -> Webhook:
        hook = await _locked(webhook_id)
        errors = _problems(change)
        if errors:
            raise UserErrors(errors)
        changed: dict[str, Any] = {}
        if change.url is not None and change.url.strip() != hook.url:
            hook.url = changed["url"] = change.url.strip()
        if change.events is not None and _kinds(change.events) != hook.events:
            hook.events = changed["events"] = _kinds(change.events)
        if change.active is not None and change.active != hook.active:
            hook.active = changed["active"] = change.active
        if changed:
            hook.updated_at = tx.now
            await hook.save(update_fields=[*changed, "updated_at"])
        tx.audit("Webhook", hook.id, **changed)
        return hook

    return await mutations.run(actor, "updateWebhook", body)


async def delete_webhook(actor: Actor, webhook_id: str) -> mutations.Outcome[str]:
    """Delete a webhook with its delivery log."""

    async def body(tx: mutations.Tx) -> str:
        hook = await _locked(webhook_id)
        await WebhookDelivery.filter(webhook_id=hook.id).delete()
        await hook.delete()
        tx.audit("Webhook", hook.id, url=hook.url, deleted=True)
        return webhook_id

    return await mutations.run(actor, "deleteWebhook", body)


async def rotate_webhook_secret(
    actor: Actor, webhook_id: str, overlap_minutes: int | None
) -> mutations.Outcome[IssuedWebhook]:
    """A new secret; the one it replaces keeps signing (both signatures are
    sent) for the overlap: the given minutes, else the configured default."""

    async def body(tx: mutations.Tx) -> IssuedWebhook:
        if overlap_minutes is not None and not (
            0 <= overlap_minutes <= MAX_OVERLAP_MINUTES
        ):
            raise refuse(
                ErrorCode.INVALID_INPUT,
                f"give 0–{MAX_OVERLAP_MINUTES} minutes",
                "overlapMinutes",
            )
        hook = await _locked(webhook_id)
        cfg = delivery.config()
        overlap = (
            cfg.overlap
            if overlap_minutes is None
            else timedelta(minutes=overlap_minutes)
        )
        secret = new_secret()
        hook.previous_secret_sealed = hook.secret_sealed if overlap else None  # type: ignore[assignment]
        hook.previous_secret_until = tx.now + overlap if overlap else None
        hook.secret_sealed = cfg.box.seal(secret)
        hook.secret_rotated_at = hook.updated_at = tx.now
        await hook.save(
            update_fields=[
                "previous_secret_sealed",
                "previous_secret_until",
                "secret_sealed",
                "secret_rotated_at",
                "updated_at",
            ]
        )
        tx.audit(
            "Webhook",
            hook.id,
            rotated=True,
            previousSecretValidUntil=hook.previous_secret_until,
        )
        return IssuedWebhook(hook, secret)

    return await mutations.run(actor, "rotateWebhookSecret", body)


async def redeliver_webhook_delivery(
    actor: Actor, delivery_id: str
) -> mutations.Outcome[WebhookDelivery]:
    async def body(tx: mutations.Tx) -> WebhookDelivery:
        key = ids.decode(delivery_id, "WebhookDelivery", "id")
        found = await WebhookDelivery.filter(id=key).select_related("webhook").first()
        if found is None:
            raise refuse(ErrorCode.NOT_FOUND, "no such webhook delivery", "id")
        if not found.webhook.active:
            raise refuse(
                ErrorCode.INVALID_TRANSITION,
                "the webhook is disabled: enable it first",
                "id",
            )
        first = found.redelivery_of_id or found.id
        again = await WebhookDelivery.create(
            webhook_id=found.webhook_id,
            event_id=found.event_id,
            kind=found.kind,
            subject_type=found.subject_type,
            subject_id=found.subject_id,
            sequence=found.sequence,
            actor_id=found.actor_id,
            occurred_at=found.occurred_at,
            payload=found.payload,
            dedupe_key=f"{found.webhook_id}:{found.event_id}:{uuid.uuid4().hex}",
            redelivery_of_id=first,
            status=delivery.PENDING,
            next_attempt_at=tx.now,
            created_at=tx.now,
        )
        tx.audit(
            "WebhookDelivery", again.id, redeliveryOf=found.id, event=found.event_id
        )
        return again

    return await mutations.run(actor, "redeliverWebhookDelivery", body)


async def list_webhooks(page: PageRequest) -> Page[Webhook]:
    return await paginate(Webhook.all(), WEBHOOK_ORDERING, page)


async def list_deliveries(filter: dict[str, Any], page: PageRequest) -> Page[Any]:
    query = WebhookDelivery.all()
    if filter.get("webhook") is not None:
        query = query.filter(webhook_id=filter["webhook"])
    if filter.get("status"):
        query = query.filter(status__in=filter["status"])
    if filter.get("kind"):
        query = query.filter(kind__in=filter["kind"])
    return await paginate(query, DELIVERY_ORDERING, page)


async def webhooks_by_ids(keys: list[int]) -> dict[int, Webhook]:
    return {row.id: row for row in await Webhook.filter(id__in=keys)}


async def deliveries_by_ids(keys: list[int]) -> dict[int, WebhookDelivery]:
    return {row.id: row for row in await WebhookDelivery.filter(id__in=keys)}


def previous_secret_valid(hook: Webhook) -> datetime | None:
    """Until when the previous secret still signs, if it does."""
    until = hook.previous_secret_until
    return until if until is not None and until > clock.now() else None
