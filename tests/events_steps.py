"""Steps for the subscription tests: a graphql-transport-ws client that keeps
subscriptions open, and events written straight to the outbox."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import websockets
from tortoise.transactions import in_transaction

from server.clock import clock
from server.models import OutboxEvent
from server.services.core import outbox

EVENTS = """
subscription($kinds: [EventKind!], $after: ID) {
  events(kinds: $kinds, after: $after) {
    id kind sequence subjectType subjectId payload occurredAt actor { name }
  }
}"""
QUEUE = "subscription($after: ID) { myQueue(after: $after) { id kind subjectId } }"
NOTICES = """
subscription($after: ID) { notifications(after: $after) { id kind title read } }"""


class Socket:
    """A graphql-transport-ws connection that may hold several subscriptions."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.next_id = 0
        self.inbox: dict[str, list[dict[str, Any]]] = {}
        self.closed: int | None = None
        self._changed = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    @asynccontextmanager
    async def connect(
        cls,
        base: str,
        *,
        token: str | None = None,
        cookie: str | None = None,
        origin: str | None = None,
    ) -> AsyncIterator[Socket]:
        url = base.replace("http://", "ws://") + "/graphql"
        headers = {"cookie": f"accord_session={cookie}"} if cookie else {}
        if origin:
            headers["origin"] = origin
        async with websockets.connect(
            url,
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            additional_headers=headers,
            open_timeout=5,
            max_size=None,
        ) as socket:
            payload = {"authorization": f"Bearer {token}"} if token else {}
            await socket.send(
                json.dumps({"type": "connection_init", "payload": payload})
            )
            ack = json.loads(await asyncio.wait_for(socket.recv(), 5))
            assert ack["type"] == "connection_ack", ack
            client = cls(socket)
            try:
                yield client
            finally:
                client._reader.cancel()

    async def _read(self) -> None:
        try:
            async for raw in self.socket:
                message = json.loads(raw)
                if "id" in message:
                    self.inbox.setdefault(message["id"], []).append(message)
                self._changed.set()
        except websockets.ConnectionClosed as closed:
            self.closed = closed.rcvd.code if closed.rcvd else -1
        else:
            self.closed = self.socket.close_code or -1
        self._changed.set()

    async def subscribe(self, query: str, **variables: Any) -> str:
        self.next_id += 1
        op = str(self.next_id)
        self.inbox[op] = []
        payload = {"query": query, "variables": variables}
        await self.socket.send(
            json.dumps({"id": op, "type": "subscribe", "payload": payload})
        )
        return op

    async def complete(self, op: str) -> None:
        await self.socket.send(json.dumps({"id": op, "type": "complete"}))

    def received(self, op: str) -> list[dict[str, Any]]:
        """The data of every `next` message so far (the root field's value)."""
        found = []
        for message in self.inbox.get(op, []):
            if message["type"] == "next":
                found.append(next(iter(message["payload"]["data"].values())))
        return found

    def errors(self, op: str) -> list[dict[str, Any]]:
        return [
            error
            for message in self.inbox.get(op, [])
            if message["type"] == "error"
            for error in message["payload"]
        ]

    async def until(self, done: Callable[[], bool], within: float) -> None:
        async with asyncio.timeout(within):
            while not done():
                self._changed.clear()
                await self._changed.wait()

    async def wait_for(self, op: str, count: int, within: float = 10) -> list[Any]:
        """At least `count` items (or an error) on `op`; what arrived."""
        await self.until(
            lambda: len(self.received(op)) >= count or bool(self.errors(op)), within
        )
        return self.received(op)

    async def wait_error(self, op: str, within: float = 5) -> list[dict[str, Any]]:
        await self.until(lambda: bool(self.errors(op)), within)
        return self.errors(op)

    async def wait_closed(self, within: float = 10) -> int:
        await self.until(lambda: self.closed is not None, within)
        assert self.closed is not None
        return self.closed


async def until_dispatched(event_ids: list[int], within: float = 10) -> None:
    """Wait for the dispatcher to hand these events over."""
    async with asyncio.timeout(within):
        pending = True
        while pending:
            await asyncio.sleep(0.02)
            pending = await OutboxEvent.filter(
                id__in=event_ids, dispatched_at__isnull=True
            ).exists()


async def write_events(
    *events: tuple[str, str, int, dict[str, Any]], actor_id: int | None = None
) -> list[int]:
    """Commit (kind, subject type, subject id, payload) events in one
    transaction, as a use case would; their ids."""
    async with in_transaction():
        before = await OutboxEvent.all().order_by("-id").first()
        await outbox.write(
            [outbox.PendingEvent(*event) for event in events], actor_id, clock.now()
        )
    floor = before.id if before else 0
    rows = await OutboxEvent.filter(id__gt=floor).order_by("id")
    return [r.id for r in rows][-len(events) :]


def kinds_of(items: Sequence[dict[str, Any]]) -> list[str]:
    return [item["kind"] for item in items]
