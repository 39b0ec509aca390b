"""`subscription { events, myQueue, notifications }` over a real WebSocket on both
databases: live delivery, `after` replay without a gap or a repeat at the seam,
permissions at delivery time, the sweep that closes revoked credentials, caps."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
import websockets
from starlette.applications import Starlette
from tortoise.context import TortoiseContext

from server.app import create_app
from server.clock import clock
from server.models import ApiToken, User
from server.services.core import ids
from server.services.events import subscriptions
from server.settings import Settings
from tests.events_steps import (
    EVENTS,
    NOTICES,
    QUEUE,
    Socket,
    kinds_of,
    until_dispatched,
    write_events,
)
from tests.helpers import issue_token, make_user, open_session
from tests.transports import serving

SWEEP = 0.3


@pytest.fixture
async def served(
    settings: Settings, database: TortoiseContext
) -> AsyncIterator[tuple[str, Starlette]]:
    tuned = replace(
        settings,
        sweep_seconds=SWEEP,
        max_subscriptions_per_connection=3,
        max_subscriptions_per_user=4,
        metrics_token="metrics-secret",
    )
    app: Starlette = create_app(tuned, manage_database=False)
    async with app.router.lifespan_context(app), serving(app) as base:
        yield base, app


async def commit(
    app: Starlette,
    *events: tuple[str, str, int, dict[str, Any]],
    dispatched: bool = False,
) -> list[str]:
    """Commit events and wake the dispatcher (as a mutation's commit does);
    their global ids. With ``dispatched``, once the dispatcher handed them over
    (a subscriber only ever receives dispatched events)."""
    found = await write_events(*events)
    app.state.dispatcher.wake()
    if dispatched:
        await until_dispatched(found)
    return [str(key) for key in found]


def lead_event(
    n: int, kind: str = "LEAD_UPDATED"
) -> tuple[str, str, int, dict[str, Any]]:
    return (kind, "Lead", n, {"n": n})


async def test_a_subscriber_receives_an_event_committed_after_it_subscribed(
    served: tuple[str, Starlette],
) -> None:
    base, app = served
    rep = await make_user("rey@example.com")
    async with Socket.connect(base, token=await issue_token(rep)) as ws:
        op = await ws.subscribe(EVENTS)
        await asyncio.sleep(0.2)
        [event_id] = await commit(app, ("LEAD_CREATED", "Lead", 7, {"lead": 7}))
        [event] = await ws.wait_for(op, 1)
    assert event["id"] == event_id
    assert event["kind"] == "LEAD_CREATED"
    assert event["sequence"] == 1
    assert event["subjectType"] == "Lead"
    assert event["subjectId"] == ids.encode("Lead", 7)
    assert event["payload"] == {"lead": ids.encode("Lead", 7)}
    assert event["actor"] is None


async def test_kinds_filter_what_is_sent(served: tuple[str, Starlette]) -> None:
    base, app = served
    rep = await make_user("rey@example.com")
    async with Socket.connect(base, token=await issue_token(rep)) as ws:
        op = await ws.subscribe(EVENTS, kinds=["LEAD_QUALIFIED"])
        await asyncio.sleep(0.2)
        await commit(app, lead_event(1), lead_event(2, "LEAD_QUALIFIED"))
        await commit(app, lead_event(3))
        got = await ws.wait_for(op, 1)
        await asyncio.sleep(0.5)
    assert kinds_of(ws.received(op)) == ["LEAD_QUALIFIED"]
    assert got[0]["subjectId"] == ids.encode("Lead", 2)


async def test_after_replays_what_was_missed_then_continues_live(
    served: tuple[str, Starlette],
) -> None:
    base, app = served
    rep = await make_user("rey@example.com")
    first, *missed = await commit(
        app, *(lead_event(n) for n in range(1, 5)), dispatched=True
    )
    async with Socket.connect(base, token=await issue_token(rep)) as ws:
        op = await ws.subscribe(EVENTS, after=first)
        await ws.wait_for(op, 3)
        live = await commit(app, lead_event(9))
        await ws.wait_for(op, 4)
        await asyncio.sleep(0.5)
    assert [e["id"] for e in ws.received(op)] == missed + live


@pytest.mark.parametrize("round_", range(3))
async def test_events_committed_during_the_replay_arrive_exactly_once(
    served: tuple[str, Starlette], round_: int
) -> None:
    base, app = served
    rep = await make_user("rey@example.com")
    [start] = await commit(app, lead_event(0), dispatched=True)
    backlog = await commit(
        app, *(lead_event(n) for n in range(1, 800)), dispatched=True
    )
    async with Socket.connect(base, token=await issue_token(rep)) as ws:
        op = await ws.subscribe(EVENTS, after=start)

        async def writer() -> list[str]:
            written: list[str] = []
            for n in range(30):
                written += await commit(app, lead_event(1000 + n))
                await asyncio.sleep(0.005 * (n % 3))
            return written

        during = await writer()
        expected = backlog + during
        await ws.wait_for(op, len(expected), within=30)
        await asyncio.sleep(0.5)
    got = [e["id"] for e in ws.received(op)]
    assert sorted(got, key=int) == expected
    assert len(got) == len(set(got))


async def test_a_subject_the_caller_may_not_read_is_not_sent(
    served: tuple[str, Starlette],
) -> None:
    """Only admins read webhooks: a webhook's event reaches the admin only."""
    base, app = served
    rep = await make_user("rey@example.com")
    admin = await make_user("ada@example.com", "MARKETING", "ADMIN")
    async with (
        Socket.connect(base, token=await issue_token(rep)) as rep_ws,
        Socket.connect(base, token=await issue_token(admin)) as admin_ws,
    ):
        rep_op = await rep_ws.subscribe(EVENTS)
        admin_op = await admin_ws.subscribe(EVENTS)
        await asyncio.sleep(0.2)
        await commit(app, ("LEAD_UPDATED", "Webhook", 3, {}), lead_event(4))
        await admin_ws.wait_for(admin_op, 2)
        await rep_ws.wait_for(rep_op, 1)
        await asyncio.sleep(0.3)
    assert [e["subjectType"] for e in rep_ws.received(rep_op)] == ["Lead"]
    assert [e["subjectType"] for e in admin_ws.received(admin_op)] == [
        "Webhook",
        "Lead",
    ]


async def test_a_token_without_read_may_not_subscribe(
    served: tuple[str, Starlette],
) -> None:
    base, _ = served
    marketer = await make_user("mel@example.com", "MARKETING")
    async with Socket.connect(base, token=await issue_token(marketer, "INGEST")) as ws:
        op = await ws.subscribe(EVENTS)
        [error] = await ws.wait_error(op)
    assert error["extensions"]["code"] == "FORBIDDEN"


async def test_subscriptions_are_refused_over_http(
    served: tuple[str, Starlette],
) -> None:
    base, _ = served
    rep = await make_user("rey@example.com")
    token = await issue_token(rep)
    async with httpx.AsyncClient(base_url=base) as client:
        answer = await client.post(
            "/graphql",
            json={"query": EVENTS},
            headers={"authorization": f"Bearer {token}"},
        )
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_a_cookie_from_another_origin_is_not_a_credential(
    served: tuple[str, Starlette],
) -> None:
    base, _ = served
    cookie = await open_session(await make_user("rey@example.com"))
    with pytest.raises(websockets.InvalidStatus):  # refused at the upgrade (403)
        async with Socket.connect(base, cookie=cookie, origin="http://evil.example"):
            pass
    async with Socket.connect(base, cookie=cookie, origin=base) as ws:
        op = await ws.subscribe(EVENTS)
        await asyncio.sleep(0.2)
        assert ws.errors(op) == []


async def test_revoking_the_token_closes_its_socket_within_the_sweep(
    served: tuple[str, Starlette],
) -> None:
    base, _ = served
    rep = await make_user("rey@example.com")
    token = await issue_token(rep)
    other = await issue_token(rep)
    async with (
        Socket.connect(base, token=token) as ws,
        Socket.connect(base, token=other) as kept,
    ):
        await ws.subscribe(EVENTS)
        await kept.subscribe(EVENTS)
        await asyncio.sleep(0.2)
        revoked = await ApiToken.filter(user_id=rep.id).order_by("id").first()
        assert revoked is not None
        revoked.revoked_at = clock.now()
        await revoked.save()
        assert await ws.wait_closed(within=SWEEP * 4 + 2) == 4401
        await asyncio.sleep(SWEEP * 2)
        assert kept.closed is None


async def test_deactivating_the_user_closes_their_session_socket(
    served: tuple[str, Starlette],
) -> None:
    base, _ = served
    rep = await make_user("rey@example.com")
    cookie = await open_session(rep)
    async with Socket.connect(base, cookie=cookie) as ws:
        await ws.subscribe(EVENTS)
        await asyncio.sleep(0.2)
        await User.filter(id=rep.id).update(active=False)
        assert await ws.wait_closed(within=SWEEP * 4 + 2) == 4401


async def test_caps_per_connection_and_per_user_answer_limit_exceeded(
    served: tuple[str, Starlette],
) -> None:
    base, _ = served
    rep = await make_user("rey@example.com")
    token = await issue_token(rep)
    async with Socket.connect(base, token=token) as ws:
        ops = [await ws.subscribe(EVENTS) for _ in range(4)]
        await ws.until(lambda: any(ws.errors(op) for op in ops), within=10)
        await open_subscriptions(3)
        # they start concurrently: any one of the four is the one too many
        refused = [op for op in ops if ws.errors(op)]
        assert len(refused) == 1
        [error] = ws.errors(refused[0])
        assert error["extensions"]["code"] == "LIMIT_EXCEEDED"
        assert error["extensions"]["limit"] == 3
        assert "per connection" in error["message"]
        running = [op for op in ops if op not in refused]
        async with Socket.connect(base, token=token) as second:
            first_op = await second.subscribe(EVENTS)
            await open_subscriptions(4)
            over = await second.subscribe(EVENTS)
            [error] = await second.wait_error(over)
            assert "per user" in error["message"]
            assert second.errors(first_op) == []
            # completing one frees its place
            await ws.complete(running[0])
            await open_subscriptions(3)
            again = await second.subscribe(EVENTS)
            await open_subscriptions(4)
            assert second.errors(again) == []
        await asyncio.sleep(0.2)  # the second connection's two have ended
        async with httpx.AsyncClient(base_url=base) as client:
            text = (
                await client.get(
                    "/metrics", headers={"authorization": "Bearer metrics-secret"}
                )
            ).text
    assert "accord_subscriptions_open 2.0" in text
    assert "# TYPE accord_subscriptions_open gauge" in text


async def open_subscriptions(count: int) -> None:
    """Wait until this (in-process) worker counts `count` open subscriptions."""
    async with asyncio.timeout(10):
        counted = -1
        while counted != count:
            await asyncio.sleep(0.02)
            counted = subscriptions.registry.subscription_count()


async def test_my_queue_hears_of_the_viewers_handoffs_only(
    served: tuple[str, Starlette],
) -> None:
    base, app = served
    rey = await make_user("rey@example.com")
    ray = await make_user("ray@example.com")
    mia = await make_user("mia@example.com", "SALES", "MANAGER")
    async with (
        Socket.connect(base, token=await issue_token(rey)) as rey_ws,
        Socket.connect(base, token=await issue_token(ray)) as ray_ws,
        Socket.connect(base, token=await issue_token(mia)) as mia_ws,
    ):
        ops = [await ws.subscribe(QUEUE) for ws in (rey_ws, ray_ws, mia_ws)]
        await asyncio.sleep(0.2)
        await commit(
            app,
            ("HANDOFF_CREATED", "Handoff", 1, {"lead": 1, "assignee": rey.id}),
            lead_event(1),
            (
                "HANDOFF_REASSIGNED",
                "Handoff",
                2,
                {"lead": 1, "assignee": ray.id, "previousAssignee": rey.id},
            ),
        )
        await mia_ws.wait_for(ops[2], 2)
        await rey_ws.wait_for(ops[0], 2)
        await ray_ws.wait_for(ops[1], 1)
        await asyncio.sleep(0.3)
    assert kinds_of(rey_ws.received(ops[0])) == [
        "HANDOFF_CREATED",
        "HANDOFF_REASSIGNED",
    ]
    assert kinds_of(ray_ws.received(ops[1])) == ["HANDOFF_REASSIGNED"]
    assert kinds_of(mia_ws.received(ops[2])) == [
        "HANDOFF_CREATED",
        "HANDOFF_REASSIGNED",
    ]


async def test_notifications_arrive_for_their_owner(
    served: tuple[str, Starlette],
) -> None:
    base, app = served
    mara = await make_user("mara@example.com", "MARKETING", "MANAGER")
    mia = await make_user("mia@example.com", "SALES", "MANAGER")
    rey = await make_user("rey@example.com")
    async with (
        Socket.connect(base, token=await issue_token(mia)) as mia_ws,
        Socket.connect(base, token=await issue_token(rey)) as rey_ws,
    ):
        mia_op = await mia_ws.subscribe(NOTICES)
        rey_op = await rey_ws.subscribe(NOTICES)
        await asyncio.sleep(0.2)
        found = await write_events(
            ("AGREEMENT_PROPOSED", "Agreement", 1, {"kind": "GOAL", "title": "Q3"}),
            actor_id=mara.id,
        )
        app.state.dispatcher.wake()
        [notice] = await mia_ws.wait_for(mia_op, 1)
        await asyncio.sleep(0.3)
    assert found
    assert notice["kind"] == "SIGN_OFF_REQUESTED"
    assert notice["read"] is False
    assert rey_ws.received(rey_op) == []


@pytest.mark.only_backend("postgres")
async def test_the_notify_payload_is_the_event_id_only(
    served: tuple[str, Starlette], settings: Settings
) -> None:
    """Another listener on the channel hears bare event ids, once each, when the
    dispatch commits."""
    import asyncpg

    heard: list[str] = []
    dsn = settings.database_url.replace("postgres://", "postgresql://", 1)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.add_listener("accord_events", lambda *args: heard.append(args[3]))
        made = await commit(app := served[1], lead_event(1), lead_event(2))
        del app
        await until_dispatched([int(m) for m in made])
        await asyncio.sleep(0.3)
    finally:
        await conn.close()
    assert heard == made


async def test_permissions_are_those_of_now_not_of_the_subscription_start(
    served: tuple[str, Starlette],
) -> None:
    """An admin demoted to member stops hearing admin-only subjects after the
    next sweep, on the same socket."""
    base, app = served
    admin = await make_user("ada@example.com", "MARKETING", "ADMIN")
    async with Socket.connect(base, token=await issue_token(admin)) as ws:
        op = await ws.subscribe(EVENTS)
        await asyncio.sleep(0.2)
        await commit(app, ("LEAD_UPDATED", "Webhook", 1, {}))
        await ws.wait_for(op, 1)
        await User.filter(id=admin.id).update(role="MEMBER")
        await asyncio.sleep(SWEEP * 3)
        await commit(app, ("LEAD_UPDATED", "Webhook", 2, {}), lead_event(3))
        await ws.wait_for(op, 2)
        await asyncio.sleep(0.3)
        assert ws.closed is None
    assert [e["subjectType"] for e in ws.received(op)] == ["Webhook", "Lead"]
