"""Retention: what is purged, and when (SPEC §2.9).

Delivered outbox events older than ``ACCORD_RETENTION_DAYS`` go; undelivered ones
stay whatever their age, so nothing is lost. Idempotency records are kept for
their 24-hour window only. Audit entries are kept. Every worker may run this: a
DELETE twice is the same as once. Later packages purge their own rows (webhook
deliveries) through the `purging` hook, connected in `server/wiring.py`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from server.clock import clock
from server.models.core import IdempotencyRecord, OutboxEvent
from server.services.core.hooks import Hook
from server.services.core.mutations import IDEMPOTENCY_WINDOW

log = logging.getLogger("accord.retention")
# Called with the instant before which delivered rows may go.
purging: Hook[[datetime]] = Hook("retention purging")


@dataclass(frozen=True)
class Purged:
    events: int
    idempotency_records: int


async def purge(retention_days: int) -> Purged:
    now = clock.now()
    events = await OutboxEvent.filter(
        dispatched_at__isnull=False,
        dispatched_at__lt=now - timedelta(days=retention_days),
    ).delete()
    records = await IdempotencyRecord.filter(
        created_at__lt=now - IDEMPOTENCY_WINDOW
    ).delete()
    await purging(now - timedelta(days=retention_days))
    if events or records:
        log.info("purged %s outbox events and %s idempotency records", events, records)
    return Purged(int(events), int(records))
