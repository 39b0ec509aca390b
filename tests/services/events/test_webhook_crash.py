"""A process killed right after a commit (ACCORD_FAULT_EXIT_AFTER_COMMIT) still
delivers the event to the webhooks hearing it once it is back."""

from __future__ import annotations

import orjson

from server.clock import clock
from server.domain.events.webhooks import verify
from server.models.events import Webhook, WebhookDelivery
from server.services.core import outbox as events
from server.services.events import delivery
from server.settings import Settings
from server.wiring import wire
from tests.services.core.test_crash_recovery import (
    open_and,
    run_worker,
    shared_database,
)
from tests.webhook_steps import Receiver

__all__ = ["shared_database"]


async def test_an_event_committed_just_before_a_crash_is_delivered_after_restart(
    shared_database: str, settings: Settings
) -> None:
    wire(settings.with_(webhook_allow_private=True))
    receiver = await Receiver().start()
    secret = "whsec_crash"

    async def add_webhook() -> None:
        now = clock.now()
        await Webhook.create(
            url=receiver.url,
            events=["LEAD_UPDATED"],
            secret_sealed=delivery.config().box.seal(secret),
            created_at=now,
            updated_at=now,
        )

    try:
        await open_and(shared_database, add_webhook)
        assert run_worker("commit", shared_database, fault=True) == 70

        async def restart() -> int:
            events.register_consumer("webhooks", delivery.consume)
            await events.dispatch_once()
            sent = await delivery.deliver_due()
            assert await WebhookDelivery.filter(status="SUCCEEDED").count() == 1
            return sent

        assert await open_and(shared_database, restart) == 1
        [got] = receiver.got
        body = orjson.loads(got.body)
        assert body["kind"] == "LEAD_UPDATED" and body["payload"]["why"] == "crash test"
        stamp = int(got.headers["accord-timestamp"])
        assert verify(secret, stamp, got.body, got.headers["accord-signature"])
    finally:
        await receiver.close()
        events.unregister_consumer("webhooks")
