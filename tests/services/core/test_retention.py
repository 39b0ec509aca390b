"""Delivered events and stale idempotency records are purged; nothing else is."""

from __future__ import annotations

from datetime import timedelta

import pytest

from server.clock import clock
from server.models.core import AuditEntry, IdempotencyRecord, OutboxEvent
from server.services.core.retention import purge
from tests.helpers import make_user

pytestmark = pytest.mark.usefixtures("database")


async def an_event(age_days: float, delivered: bool, n: int) -> None:
    at = clock.now() - timedelta(days=age_days)
    await OutboxEvent.create(
        kind="LEAD_UPDATED",
        subject_type="Lead",
        subject_id=n,
        sequence=1,
        created_at=at,
        dispatched_at=at if delivered else None,
    )


async def test_only_delivered_events_past_retention_are_purged() -> None:
    await an_event(100, delivered=True, n=1)
    await an_event(100, delivered=False, n=2)
    await an_event(10, delivered=True, n=3)
    await AuditEntry.create(action="old", at=clock.now() - timedelta(days=400))

    purged = await purge(retention_days=90)

    assert purged.events == 1
    left = sorted(await OutboxEvent.all().values_list("subject_id", flat=True))
    assert left == [2, 3]
    assert await AuditEntry.filter(action="old").exists()


async def test_idempotency_records_outlive_their_window_only() -> None:
    user = await make_user("ann@example.com")
    for key, hours in (("old", 25), ("fresh", 23)):
        await IdempotencyRecord.create(
            user_id=user.id,
            key=key,
            operation="handoffLead",
            request_hash="h",
            result={},
            created_at=clock.now() - timedelta(hours=hours),
        )

    assert (await purge(retention_days=90)).idempotency_records == 1
    assert await IdempotencyRecord.all().values_list("key", flat=True) == ["fresh"]
