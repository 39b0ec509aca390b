"""The outbox dispatcher hands each committed event to every consumer exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from server.clock import clock
from server.domain.core.roles import Role, Team
from server.models.core import OutboxEvent
from server.models.people import User
from server.services.core import mutations
from server.services.core import outbox as events
from server.services.core.actors import Actor
from tests.helpers import make_user

pytestmark = pytest.mark.usefixtures("database")


async def emit_events(actor: Actor, n: int, subject: int) -> None:
    for i in range(n):

        async def body(tx: mutations.Tx, i: int = i) -> None:
            tx.audit("User", subject)
            tx.emit("LEAD_UPDATED", "User", subject, {"i": i})

        await mutations.run(actor, "updateUser", body)


async def an_admin() -> tuple[User, Actor]:
    user = await make_user("root@example.com", "LEADERSHIP", "ADMIN")
    return user, Actor(user.id, Team.LEADERSHIP, Role.ADMIN, "session", 1)


async def test_consumers_see_committed_events_once_in_order() -> None:
    user, actor = await an_admin()
    seen: list[int] = []

    async def record(batch: Sequence[OutboxEvent]) -> None:
        seen.extend(e.payload["i"] for e in batch)

    events.register_consumer("test", record)
    await emit_events(actor, 5, user.id)

    assert await events.dispatch_once() == 5
    assert await events.dispatch_once() == 0
    assert seen == [0, 1, 2, 3, 4]
    assert await OutboxEvent.filter(dispatched_at__isnull=True).count() == 0


async def test_a_rolled_back_change_never_reaches_a_consumer() -> None:
    user, actor = await an_admin()
    seen: list[str] = []

    async def record(batch: Sequence[OutboxEvent]) -> None:
        seen.extend(e.kind for e in batch)

    events.register_consumer("test", record)

    async def fails(tx: mutations.Tx) -> None:
        tx.emit("LEAD_UPDATED", "User", user.id)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await mutations.run(actor, "updateUser", fails)
    await events.dispatch_once()
    assert seen == []


async def test_a_failing_consumer_is_retried_later_without_blocking_other_events() -> (
    None
):
    user, actor = await an_admin()
    delivered: list[int] = []
    failures = {"left": 2}  # the whole batch fails once, then the event alone

    async def flaky(batch: Sequence[OutboxEvent]) -> None:
        for event in batch:
            if event.payload["i"] == 1 and failures["left"]:
                failures["left"] -= 1
                raise ConnectionError("smtp down")
        delivered.extend(e.payload["i"] for e in batch)

    events.register_consumer("flaky", flaky)
    await emit_events(actor, 3, user.id)

    assert await events.dispatch_once() == 2
    assert sorted(delivered) == [0, 2]
    failed = await OutboxEvent.get(dispatched_at__isnull=True)
    assert failed.attempts == 1 and "smtp down" in (failed.last_error or "")
    assert await events.dispatch_once() == 0  # backing off
    clock.advance(5)
    assert await events.dispatch_once() == 1
    assert sorted(delivered) == [0, 1, 2]


async def test_the_background_dispatcher_wakes_up_after_a_commit() -> None:
    user, actor = await an_admin()
    arrived = asyncio.Event()

    async def record(batch: Sequence[OutboxEvent]) -> None:
        arrived.set()

    events.register_consumer("test", record)
    dispatcher = events.Dispatcher(poll_seconds=30)
    mutations.on_commit(dispatcher.wake)
    dispatcher.start()
    try:
        await emit_events(actor, 1, user.id)
        await asyncio.wait_for(arrived.wait(), 5)
    finally:
        mutations.off_commit(dispatcher.wake)
        await dispatcher.stop()


@pytest.mark.only_backend("postgres")
async def test_concurrent_dispatchers_handle_each_event_exactly_once(
    backend: str,
) -> None:
    user, actor = await an_admin()
    await emit_events(actor, 120, user.id)
    handled: list[int] = []

    async def slow_record(batch: Sequence[OutboxEvent]) -> None:
        await asyncio.sleep(0.01)
        handled.extend(e.id for e in batch)

    events.register_consumer("test", slow_record)

    async def drain() -> None:
        while await events.dispatch_once(limit=7):
            pass

    await asyncio.gather(*(drain() for _ in range(4)))

    assert len(handled) == 120
    assert len(set(handled)) == 120
