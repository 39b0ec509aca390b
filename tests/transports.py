"""The app served by uvicorn inside the test's event loop (so it shares the test's
database on SQLite and PostgreSQL), and a graphql-transport-ws client for it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
import websockets
from starlette.applications import Starlette

from server.transport import HTTP_PROTOCOL
from tests.network import free_port


@asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """`app` (its lifespan already entered by the caller) on a loopback port;
    yields its base URL."""
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        lifespan="off",
        log_level="warning",
        http=HTTP_PROTOCOL,  # as `accord serve` speaks HTTP
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


class WebSocketClient:
    """One graphql-transport-ws connection, acknowledged."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.next_id = 0

    @classmethod
    @asynccontextmanager
    async def connect(
        cls, base: str, *, token: str | None = None, cookie: str | None = None
    ) -> AsyncIterator[WebSocketClient]:
        url = base.replace("http://", "ws://") + "/graphql"
        headers = {"cookie": f"accord_session={cookie}"} if cookie else {}
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
            yield cls(socket)

    async def run(
        self, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The `next` payload, or ``{"errors": …}`` for an `error` message."""
        self.next_id += 1
        op_id = str(self.next_id)
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        await self.socket.send(
            json.dumps({"id": op_id, "type": "subscribe", "payload": payload})
        )
        message = json.loads(await asyncio.wait_for(self.socket.recv(), 30))
        assert message["id"] == op_id, message
        if message["type"] == "error":
            return {"errors": message["payload"]}
        assert message["type"] == "next", message
        done = json.loads(await asyncio.wait_for(self.socket.recv(), 5))
        assert done == {"id": op_id, "type": "complete"}, done
        return dict(message["payload"])


def codes_of(body: dict[str, Any]) -> list[str]:
    """The distinct codes of the top-level errors and of every root field's
    user errors, sorted."""
    codes = [e["extensions"]["code"] for e in body.get("errors", [])]
    for value in (body.get("data") or {}).values():
        if isinstance(value, dict):
            codes += [e["code"] for e in value.get("userErrors") or []]
    return sorted(set(codes))
