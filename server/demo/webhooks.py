"""The demo's webhooks: revenue operations' CRM sync and a Slack relay, each
with a delivery log drawn from the demo's own events (delivered, delivered
after retries, given up).

Both are disabled — paused "during the CRM migration" — so a demo server never
sends anything anywhere; an admin sees the log, and can point one at a
receiver of their own and enable it.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from server.clock import clock
from server.demo.people import Cast
from server.models.core import OutboxEvent
from server.models.events import WebhookDelivery
from server.services.core import ids
from server.services.events import webhooks
from server.services.events.webhooks import WebhookChange

HOOKS = (
    (
        "https://crm.nordlicht.example/integrations/accord/events",
        ["HANDOFF_CREATED", "HANDOFF_ACCEPTED", "HANDOFF_REJECTED", "LEAD_QUALIFIED"],
    ),
    (
        "https://relay.nordlicht.example/slack/revops",
        ["SLA_AT_RISK", "SLA_BREACHED", "AGREEMENT_ACTIVATED"],
    ),
)
LOGGED = 18  # deliveries kept per webhook
CREATED_AGO = timedelta(days=85)


async def seed_webhooks(cast: Cast, now: datetime) -> int:
    """Create the webhooks through the use cases, then their history."""
    admin = cast.actors["admin"]
    rng = random.Random("accord-demo/webhooks")
    written = 0
    clock.freeze(now - CREATED_AGO)
    try:
        for url, kinds in HOOKS:
            made = await webhooks.create_webhook(admin, url, kinds)
            assert made.result is not None, made.errors
            hook = made.result.webhook
            clock.freeze(now - timedelta(hours=3))
            await webhooks.update_webhook(
                admin, _id(hook.id), WebhookChange(active=False)
            )
            written += await _history(hook.id, kinds, rng, now)
            clock.freeze(now - CREATED_AGO)
    finally:
        clock.reset()
    return written


def _id(key: int) -> str:
    return ids.encode("Webhook", key)


async def _history(
    hook_id: int, kinds: list[str], rng: random.Random, now: datetime
) -> int:
    events = (
        await OutboxEvent.filter(
            kind__in=kinds, created_at__lt=now - timedelta(hours=3)
        )
        .order_by("-id")
        .limit(LOGGED)
    )
    rows = []
    for n, event in enumerate(reversed(events)):
        sent = event.created_at + timedelta(seconds=rng.uniform(0.2, 2.0))
        roll = rng.random()
        row = WebhookDelivery(
            webhook_id=hook_id,
            event_id=event.id,
            kind=event.kind,
            subject_type=event.subject_type,
            subject_id=event.subject_id,
            sequence=event.sequence,
            actor_id=event.actor_id,
            occurred_at=event.created_at,
            payload=event.payload,
            dedupe_key=f"{hook_id}:{event.id}",
            created_at=event.created_at,
            last_attempt_at=sent,
        )
        if n == len(events) - 1 or roll < 0.08:
            row.status, row.attempts = "FAILED", 10
            row.response_code, row.response_body = 503, "Service Unavailable"
            row.error, row.duration_ms = "HTTP 503", rng.randint(40, 300)
        elif roll < 0.2:
            row.status, row.attempts = "SUCCEEDED", rng.randint(2, 4)
            row.response_code, row.duration_ms = 200, rng.randint(80, 900)
            row.response_body, row.delivered_at = '{"ok":true}', sent
        else:
            row.status, row.attempts = "SUCCEEDED", 1
            row.response_code, row.duration_ms = 204, rng.randint(40, 250)
            row.delivered_at = sent
        rows.append(row)
    await WebhookDelivery.bulk_create(rows)
    return len(rows)
