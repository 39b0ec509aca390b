"""Issue 24's done-when on PostgreSQL: `accord serve --workers 2`, subscribers on
both workers over real WebSockets, handoffs made through HTTP (whichever worker
takes them): each subscriber receives each `HANDOFF_CREATED` once (LISTEN/NOTIFY
fans it out); after a disconnect `after` replays exactly what was missed; a
revoked token's socket is closed by the sweep."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.agreement_steps import CREATE_MODEL, CREATE_SLA, model_input, sla_input
from tests.conftest import PG_URL, scratch_database
from tests.events_steps import EVENTS, Socket
from tests.handoff_steps import HAND_OFF
from tests.lead_steps import RECORD, UPSERT, well_fitting
from tests.network import call, in_force, query, running_server, sign_in

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs ACCORD_TEST_POSTGRES_URL")

PEOPLE = [
    ("mara@example.com", "Mara", "MARKETING", "MANAGER"),
    ("mia@example.com", "Mia", "SALES", "MANAGER"),
    ("rey@example.com", "Rey", "SALES", "MEMBER"),
]
MARA, MIA, REY = range(3)
SUBSCRIBERS = 6
TOKEN = """
mutation($input: CreateApiTokenInput!) {
  createApiToken(input: $input) { apiToken { id } secret userErrors { code } }
}"""
REVOKE = """
mutation($input: RevokeApiTokenInput!) {
  revokeApiToken(input: $input) { userErrors { code } }
}"""
METRICS = {"authorization": "Bearer metrics-secret"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with (
        scratch_database("accord_workers") as url,
        running_server(
            tmp_path_factory,
            PEOPLE,
            ACCORD_DATABASE_URL=url,
            workers=2,
            ACCORD_SWEEP_SECONDS="1",
            ACCORD_METRICS_TOKEN="metrics-secret",
        ) as base,
    ):
        with (
            httpx.Client(base_url=base) as mara,
            httpx.Client(base_url=base) as mia,
        ):
            sign_in(mara, PEOPLE[MARA][0])
            sign_in(mia, PEOPLE[MIA][0])
            in_force(mara, mia, CREATE_MODEL, "qualificationModel", model_input())
            in_force(mara, mia, CREATE_SLA, "serviceLevelAgreement", sla_input())
        yield base


def rey_token(base: str) -> tuple[str, str]:
    with httpx.Client(base_url=base) as rey:
        sign_in(rey, PEOPLE[REY][0])
        made = call(rey, TOKEN, {"name": "live", "scopes": ["READ"]})
    return made["secret"], made["apiToken"]["id"]


def hand_off(base: str, email: str) -> str:
    """A qualified lead handed by Mara to Rey, through a fresh HTTP connection
    (either worker); the handoff's id."""
    with httpx.Client(base_url=base) as mara, httpx.Client(base_url=base) as rey:
        sign_in(mara, PEOPLE[MARA][0])
        sign_in(rey, PEOPLE[REY][0])
        made = call(mara, UPSERT, {"leads": [well_fitting(email)]})
        lead_id = made["results"][0]["lead"]["id"]
        now = datetime.now(UTC).isoformat()
        demo = {"leadId": lead_id, "kind": "DEMO_REQUEST", "occurredAt": now}
        call(mara, RECORD, {"activities": [demo]})
        assignee = query(rey, "{ viewer { id } }")["viewer"]["id"]
        done = call(mara, HAND_OFF, {"leadId": lead_id, "assigneeId": assignee})
    return str(done["handoff"]["id"])


async def connections_per_worker(base: str) -> set[float]:
    """The open-connection gauge as the workers report it (each its own), over
    20 scrapes on fresh connections."""
    seen: set[float] = set()
    for _ in range(20):
        async with httpx.AsyncClient(base_url=base) as fresh:
            text = (await fresh.get("/metrics", headers=METRICS)).text
        for line in text.splitlines():
            if line.startswith("accord_subscription_connections_open "):
                seen.add(float(line.split()[1]))
    return seen


def handoffs_received(socket: Socket, op: str) -> list[str]:
    return [
        e["subjectId"] for e in socket.received(op) if e["kind"] == "HANDOFF_CREATED"
    ]


async def test_an_event_committed_through_one_worker_reaches_subscribers_on_both(
    server: str,
) -> None:
    token, _ = rey_token(server)
    sockets: list[Any] = []
    ops: list[str] = []
    contexts = [Socket.connect(server, token=token) for _ in range(SUBSCRIBERS)]
    try:
        for context in contexts:
            socket = await context.__aenter__()
            sockets.append(socket)
            ops.append(await socket.subscribe(EVENTS, kinds=["HANDOFF_CREATED"]))
        await asyncio.sleep(0.5)
        spread = await connections_per_worker(server)
        made = [
            await asyncio.to_thread(hand_off, server, f"w{n}@x.example")
            for n in range(3)
        ]
        for socket, op in zip(sockets, ops, strict=True):
            await socket.wait_for(op, len(made), within=15)
        await asyncio.sleep(1)
        for socket, op in zip(sockets, ops, strict=True):
            assert handoffs_received(socket, op) == made
    finally:
        for context in contexts:
            await context.__aexit__(None, None, None)
    # the sockets sat on both workers: no worker reports holding all of them
    assert spread and max(spread) < SUBSCRIBERS, spread


async def test_a_reconnect_with_after_gets_exactly_what_it_missed(server: str) -> None:
    token, _ = rey_token(server)
    async with Socket.connect(server, token=token) as socket:
        op = await socket.subscribe(EVENTS, kinds=["HANDOFF_CREATED"])
        await asyncio.sleep(0.3)
        first = await asyncio.to_thread(hand_off, server, "r1@x.example")
        [seen] = await socket.wait_for(op, 1, within=15)
        assert seen["subjectId"] == first
    missed = [
        await asyncio.to_thread(hand_off, server, f"r{n}@x.example") for n in (2, 3)
    ]
    await asyncio.sleep(1)  # dispatched meanwhile, nobody listening
    async with Socket.connect(server, token=token) as socket:
        op = await socket.subscribe(EVENTS, kinds=["HANDOFF_CREATED"], after=seen["id"])
        await socket.wait_for(op, 2, within=15)
        live = await asyncio.to_thread(hand_off, server, "r4@x.example")
        await socket.wait_for(op, 3, within=15)
        await asyncio.sleep(1)
        assert handoffs_received(socket, op) == [*missed, live]


async def test_a_revoked_tokens_socket_is_closed(server: str) -> None:
    token, token_id = rey_token(server)
    async with Socket.connect(server, token=token) as socket:
        await socket.subscribe(EVENTS)
        await asyncio.sleep(0.3)
        with httpx.Client(base_url=server) as rey:
            sign_in(rey, PEOPLE[REY][0])
            call(rey, REVOKE, {"id": token_id})
        assert await socket.wait_closed(within=6) == 4401
