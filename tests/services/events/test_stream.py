"""The fan-out and the sweep in statements: one read per batch of events however
many subscribers, two for the sweep however many connections."""

from __future__ import annotations

import asyncio

from tortoise.context import TortoiseContext

from server.db import count_statements
from server.services.core.actors import Actor
from server.services.events import stream
from server.services.events.delivery import Deliverer
from server.services.events.subscriptions import Registry
from server.services.people import auth
from tests.events_steps import write_events
from tests.helpers import issue_token, make_user, open_session


async def test_a_batch_of_events_is_read_once_for_every_subscriber(
    database: TortoiseContext,
) -> None:
    hub = stream.Hub()
    feeds = [hub.open_events() for _ in range(50)]
    found = await write_events(*(("LEAD_UPDATED", "Lead", n, {}) for n in range(5)))
    with count_statements() as statements:
        await hub._publish(list(found))
    assert len(statements) == 1
    for feed in feeds:
        assert [e.id for e in await feed.take()] == found


async def test_notifications_add_one_read_per_batch(database: TortoiseContext) -> None:
    hub = stream.Hub()
    user = await make_user("rey@example.com")
    hub.open_events()
    for _ in range(10):
        hub.open_notices(user.id)
    found = await write_events(("LEAD_UPDATED", "Lead", 1, {}))
    with count_statements() as statements:
        await hub._publish(list(found))
    assert len(statements) == 2


async def test_the_sweep_reads_every_credential_in_two_statements(
    database: TortoiseContext,
) -> None:
    registry = Registry()
    closed: list[int] = []

    async def close(code: int, reason: str) -> None:
        closed.append(code)

    for n in range(4):
        user = await make_user(f"u{n}@example.com")
        cookie = await open_session(user)
        session = await auth.authenticate_session(cookie, "", "")
        token = await auth.authenticate_token(await issue_token(user), "", "")
        assert isinstance(session, Actor) and isinstance(token, Actor)
        registry.attach(session, close)
        registry.attach(token, close)
    with count_statements() as statements:
        assert await registry.sweep() == 0
    assert len(statements) == 2
    assert closed == []
    await asyncio.sleep(0)


async def test_a_notify_wakes_the_webhook_deliverer(database: TortoiseContext) -> None:
    """Every worker hears each dispatch through LISTEN/NOTIFY; its deliverer
    claims the new deliveries then rather than at its next poll."""
    hub = stream.Hub()
    hub._inbox = asyncio.Queue()
    woken: list[int] = []
    hub.wake_on_events(lambda: woken.append(1))
    hub._on_notify(None, 0, "accord_events", "12")
    assert woken == [1]
    assert hub._inbox.get_nowait() == [12]
    deliverer = Deliverer(poll_seconds=3600)
    original, stream.hub = stream.hub, hub
    try:
        deliverer.start()
        await asyncio.sleep(0.05)  # the loop made its first look and waits
        assert not deliverer._wake.is_set()
        hub._on_notify(None, 0, "accord_events", "13")
        assert deliverer._wake.is_set()
        await deliverer.stop()
        deliverer._wake.clear()
        hub._on_notify(None, 0, "accord_events", "14")
        assert not deliverer._wake.is_set()
    finally:
        stream.hub = original
