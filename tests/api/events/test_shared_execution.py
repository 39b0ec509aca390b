"""Subscriptions share one execution per (event, permission scope): every
subscriber still gets exactly what its own execution would give, only the
events it may read, and its own request id; and the sharing happens."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from starlette.applications import Starlette
from tortoise.context import TortoiseContext

from server.app import create_app
from server.executor import ExecutionContext
from server.models import OutboxEvent, User
from server.services.core import ids
from server.settings import Settings
from tests.events_steps import EVENTS, Socket, until_dispatched, write_events
from tests.helpers import issue_token, make_user
from tests.transports import serving

RECORD = """subscription($after: ID) { events(after: $after) {
  id kind sequence subjectType subjectId payload occurredAt } }"""
# The same selection spelled differently, and another one (aliases, typename).
RECORD_AGAIN = (
    "subscription { events { id kind sequence subjectType subjectId "
    "payload occurredAt } }"
)
ALIASED = "subscription { feed: events { key: id what: kind __typename subjectId } }"
QUEUE = "subscription { myQueue { id kind subjectId payload } }"


@pytest.fixture
async def served(
    settings: Settings, database: TortoiseContext
) -> AsyncIterator[tuple[str, Starlette]]:
    tuned = replace(settings, max_subscriptions_per_connection=10)
    app: Starlette = create_app(tuned, manage_database=False)
    async with app.router.lifespan_context(app), serving(app) as base:
        yield base, app


@pytest.fixture
def executions(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The per-event executions run (each a root value)."""
    ran: list[Any] = []
    original = ExecutionContext.execute_operation

    def counting(self: ExecutionContext, serially: bool | None = None) -> Any:
        if serially is False:
            ran.append(self.root_value)
        return original(self, serially)

    monkeypatch.setattr(ExecutionContext, "execute_operation", counting)
    return ran


async def expected(event_id: int) -> dict[str, Any]:
    """The event as an execution of its own gives it (read from the row)."""
    row = await OutboxEvent.get(id=event_id)
    payload = {
        k: ids.encode({"lead": "Lead", "assignee": "User"}[k], v)
        if k in ("lead", "assignee")
        else v
        for k, v in row.payload.items()
    }
    found = {
        "id": str(row.id),
        "kind": row.kind,
        "sequence": row.sequence,
        "subjectType": row.subject_type,
        "subjectId": ids.encode(row.subject_type, row.subject_id)
        if row.subject_type in ids.TYPE_CODES
        else str(row.subject_id),
        "payload": payload,
        "occurredAt": row.created_at.isoformat(),
    }
    return found


async def connected(
    stack: contextlib.AsyncExitStack, base: str, *users: User
) -> list[Socket]:
    """One socket per user (token auth), closed with the stack."""
    return [
        await stack.enter_async_context(
            Socket.connect(base, token=await issue_token(user))
        )
        for user in users
    ]


async def test_every_subscriber_gets_its_own_answer_and_only_what_it_may_read(
    served: tuple[str, Starlette], executions: list[Any]
) -> None:
    base, app = served
    rep = await make_user("rey@example.com")
    other = await make_user("oto@example.com")
    admin = await make_user("ada@example.com", "MARKETING", "ADMIN")
    async with contextlib.AsyncExitStack() as stack:
        admin_ws, rep_ws, other_ws = await connected(stack, base, admin, rep, other)
        ops = {
            "admin": (admin_ws, await admin_ws.subscribe(RECORD)),
            "admin-actor": (admin_ws, await admin_ws.subscribe(EVENTS)),
            "rep": (rep_ws, await rep_ws.subscribe(RECORD_AGAIN)),
            "rep-aliased": (rep_ws, await rep_ws.subscribe(ALIASED)),
            "rep-actor": (rep_ws, await rep_ws.subscribe(EVENTS)),
            "other": (other_ws, await other_ws.subscribe(RECORD)),
        }
        await asyncio.sleep(0.3)
        found = await write_events(
            ("LEAD_UPDATED", "Webhook", 3, {"secret": "admins only"}),
            ("LEAD_CREATED", "Lead", 4, {"lead": 4}),
            ("LEAD_UPDATED", "Lead", 4, {"lead": 4, "n": 2}),
            actor_id=admin.id,
        )
        app.state.dispatcher.wake()
        await until_dispatched(found)
        for name, (ws, op) in ops.items():
            await ws.wait_for(op, 3 if name.startswith("admin") else 2)
        await asyncio.sleep(0.3)
    webhook, *leads = found
    readable = [await expected(i) for i in leads]
    everything = [await expected(webhook), *readable]
    assert admin_ws.received(ops["admin"][1]) == everything
    assert rep_ws.received(ops["rep"][1]) == readable
    assert other_ws.received(ops["other"][1]) == readable
    assert rep_ws.received(ops["rep-aliased"][1]) == [
        {"key": e["id"], "what": e["kind"], "__typename": "Event",
         "subjectId": e["subjectId"]}
        for e in readable
    ]  # fmt: skip
    with_actor = [{**e, "actor": {"name": admin.name}} for e in readable]
    assert rep_ws.received(ops["rep-actor"][1]) == with_actor
    assert admin_ws.received(ops["admin-actor"][1]) == [
        {**everything[0], "actor": {"name": admin.name}},
        *with_actor,
    ]
    # Each subscription's body carries its own request id.
    request_ids = {
        message["payload"]["extensions"]["requestId"]
        for ws, op in ops.values()
        for message in ws.inbox[op]
        if message["type"] == "next"
    }
    assert len(request_ids) == len(ops)
    # Shared: the record-only selections once per event (the aliased one has its
    # own key), the ones reading `actor` once per caller and event.
    webhook_runs = 1 + 1  # admin's record-only selection, admin's actor document
    lead_runs = 2 * (1 + 1 + 2)  # record-only, aliased, actor for rep and admin
    assert len(executions) == webhook_runs + lead_runs


async def test_my_queue_shares_too_and_still_filters_per_viewer(
    served: tuple[str, Starlette], executions: list[Any]
) -> None:
    base, app = served
    ann = await make_user("ann@example.com", "SALES", "MEMBER")
    bob = await make_user("bob@example.com", "SALES", "MEMBER")
    async with contextlib.AsyncExitStack() as stack:
        ann_ws, bob_ws = await connected(stack, base, ann, bob)
        ann_op = await ann_ws.subscribe(QUEUE)
        bob_op = await bob_ws.subscribe(QUEUE)
        await asyncio.sleep(0.3)
        found = await write_events(
            ("HANDOFF_CREATED", "Handoff", 1, {"lead": 1, "assignee": ann.id}),
            ("HANDOFF_CREATED", "Handoff", 2, {"lead": 2, "assignee": bob.id}),
            ("HANDOFF_REASSIGNED", "Handoff", 1,
             {"lead": 1, "assignee": bob.id, "previousAssignee": ann.id}),
        )  # fmt: skip
        app.state.dispatcher.wake()
        await until_dispatched(found)
        await ann_ws.wait_for(ann_op, 2)
        await bob_ws.wait_for(bob_op, 2)
        await asyncio.sleep(0.3)
    assert [e["id"] for e in ann_ws.received(ann_op)] == [str(found[0]), str(found[2])]
    assert [e["id"] for e in bob_ws.received(bob_op)] == [str(found[1]), str(found[2])]
    reassigned = bob_ws.received(bob_op)[1]
    assert reassigned == ann_ws.received(ann_op)[1]
    assert reassigned["payload"]["previousAssignee"] == ids.encode("User", ann.id)
    assert len(executions) == 3  # one per event, whoever hears it
