"""Webhook receivers on 127.0.0.1 for `bench.live`, and the webhook figures.

One asyncio HTTP/1.1 server in the harness's process takes every webhook's
POSTs: ``/ok/<n>`` answers 204 at once and notes when the delivery arrived (by
webhook and subject); ``/hang/<n>`` reads the request and never answers, so the
server's attempt lasts until its timeout (``ACCORD_WEBHOOK_TIMEOUT_SECONDS``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

CREATE = """mutation($input: CreateWebhookInput!) {
  createWebhook(input: $input) { webhook { id } userErrors { message } } }"""
DELETE = """mutation($input: DeleteWebhookInput!) {
  deleteWebhook(input: $input) { userErrors { message } } }"""

Commit = Callable[[str, str, int, float, str], Awaitable[dict[str, float]]]


class Receivers:
    def __init__(self) -> None:
        self.arrived: dict[str, dict[str, float]] = {}  # hook path: subject: time
        self.hung = 0
        self.server: asyncio.Server | None = None
        self.port = 0
        self._hanging: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        for writer in self._hanging:
            writer.close()
        await asyncio.sleep(0.2)  # the hanging handlers see the end and return
        if self.server is not None:
            self.server.close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                now = time.monotonic()
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                length = 0
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                body = await reader.readexactly(length)
                if path.startswith("/hang/"):
                    self.hung += 1
                    self._hanging.add(writer)
                    with contextlib.suppress(asyncio.CancelledError):
                        await reader.read()  # until the sender gives up
                    return  # (or the harness stops: nothing to report)
                subject = json.loads(body)["subject"]["id"]
                self.arrived.setdefault(path, {})[subject] = now
                writer.write(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
        writer.close()


async def _create(http: httpx.AsyncClient, token: str, url: str) -> str:
    answer = await http.post(
        "/graphql",
        headers={"authorization": f"Bearer {token}"},
        json={
            "query": CREATE,
            "variables": {"input": {"url": url, "events": ["CONTENT_REQUEST_CHANGED"]}},
        },
    )
    made = answer.json()["data"]["createWebhook"]
    if made["userErrors"]:
        raise RuntimeError(f"createWebhook refused: {made['userErrors']}")
    return str(made["webhook"]["id"])


def _latencies(
    receivers: Receivers, paths: list[str], committed: dict[str, float]
) -> list[float]:
    return [
        (receivers.arrived.get(path, {})[subject] - at) * 1000
        for path in paths
        for subject, at in committed.items()
        if subject in receivers.arrived.get(path, {})
    ]


async def _wait(
    receivers: Receivers, paths: list[str], committed: dict[str, float], limit: float
) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if all(
            set(committed) <= set(receivers.arrived.get(path, {})) for path in paths
        ):
            return
        await asyncio.sleep(0.1)


async def measure(
    base: str, token: str, hooks: int, events: int, rate: float, commit: Commit
) -> dict[str, Any]:
    from bench.live import percentiles

    receivers = Receivers()
    await receivers.start()
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            paths = [f"/ok/{n}" for n in range(hooks)]
            for path in paths:
                await _create(http, token, receivers.url(path))
            calm = await commit(base, token, events, rate, "Hook")
            await _wait(receivers, paths, calm, 30)
            alone = _latencies(receivers, paths, calm)
            await _create(http, token, receivers.url("/hang/0"))
            stormy = await commit(base, token, events, rate, "Hang")
            await _wait(receivers, paths, stormy, 30)
            beside = _latencies(receivers, paths, stormy)
    finally:
        await receivers.stop()
    return {
        "webhooks": hooks,
        "events_per_phase": events,
        "rate_per_s": rate,
        "commit_to_post_ms": percentiles(alone),
        "missing": hooks * events - len(alone),
        "with_a_hanging_receiver": {
            "others_commit_to_post_ms": percentiles(beside),
            "others_missing": hooks * events - len(beside),
            "hanging_attempts_received": receivers.hung,
        },
    }
