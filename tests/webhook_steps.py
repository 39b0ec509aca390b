"""A webhook receiver on 127.0.0.1 for tests, and steps to set webhooks up.

Tests send webhooks to this receiver only: loopback, with
ACCORD_WEBHOOK_ALLOW_PRIVATE on. Refusals are tested with a stubbed resolver,
so nothing ever leaves the machine."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any

from tests.helpers import Api

ERRORS = "userErrors { code field message }"
CREATE = f"""mutation($input: CreateWebhookInput!) {{
  createWebhook(input: $input) {{ webhook {{ id url events active }} secret {ERRORS} }}
}}"""
UPDATE = f"""mutation($input: UpdateWebhookInput!) {{
  updateWebhook(input: $input) {{ webhook {{ id url events active }} {ERRORS} }}
}}"""
DELETE = f"""mutation($input: DeleteWebhookInput!) {{
  deleteWebhook(input: $input) {{ deletedId {ERRORS} }}
}}"""
ROTATE = f"""mutation($input: RotateWebhookSecretInput!) {{
  rotateWebhookSecret(input: $input) {{
    webhook {{ id previousSecretValidUntil secretRotatedAt }} secret {ERRORS}
  }}
}}"""
REDELIVER = f"""mutation($input: RedeliverWebhookDeliveryInput!) {{
  redeliverWebhookDelivery(input: $input) {{
    delivery {{ id eventId status redeliveryOf }} {ERRORS}
  }}
}}"""
DELIVERIES = """query($filter: WebhookDeliveryFilter) {
  webhookDeliveries(first: 50, filter: $filter) {
    totalCount
    edges { node {
      id eventId kind sequence status attempts responseCode responseBody error
      durationMs deliveredAt redeliveryOf webhook { id }
    } }
  }
}"""
WEBHOOKS = """{ webhooks(first: 50) { totalCount edges { node {
  id url events active createdAt secretRotatedAt previousSecretValidUntil
} } } }"""


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers each POST with the next scripted status (200 when the script is
    spent); "hang" never answers; ("redirect", url) answers 302."""

    script: list[Any] = field(default_factory=list)
    got: list[Received] = field(default_factory=list)
    port: int = 0
    _server: asyncio.Server | None = None
    _handlers: set[asyncio.Task[Any]] = field(default_factory=set)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def start(self) -> Receiver:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)

    async def _handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            headers = {
                k.strip().lower(): v.strip()
                for k, _, v in (line.partition(":") for line in lines[1:] if line)
            }
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            self.got.append(Received(path, headers, body))
            self.arrived.set()
            action: Any = self.script.pop(0) if self.script else 200
            extra = ""
            if action == "hang":
                await asyncio.sleep(3600)
            if isinstance(action, tuple):
                action, extra = 302, f"Location: {action[1]}\r\n"
            answer = b"ok" if action < 400 else b"nope " * 1000
            writer.write(
                f"HTTP/1.1 {action} X\r\nContent-Length: {len(answer)}\r\n"
                f"{extra}Connection: close\r\n\r\n".encode()
                + answer
            )
            await writer.drain()
        finally:
            with contextlib.suppress(Exception):
                writer.close()
            self._handlers.discard(task)


async def create_webhook(
    api: Api, url: str, events: list[str] | None = None
) -> dict[str, Any]:
    found: dict[str, Any] = (
        await api.gql(
            CREATE,
            {
                "input": {
                    "url": url,
                    "events": ["LEAD_CREATED"] if events is None else events,
                }
            },
        )
    ).data["createWebhook"]
    return found


async def deliveries(api: Api, **filter: Any) -> list[dict[str, Any]]:
    data = (await api.gql(DELIVERIES, {"filter": filter or None})).data
    return [e["node"] for e in data["webhookDeliveries"]["edges"]]
