"""Issue 24's subscription figures, a probe beside the main harness:

    .venv/bin/python -m bench.live [--pg-url postgres://…/accord_bench_live]
        [--workers 2] [--subscribers 1000] [--events 200]

It creates (and drops) its PostgreSQL database, starts the real `accord serve
--workers N`, opens the subscribers over real WebSockets (token auth, spread
over the workers by the kernel), then commits content requests through HTTP one
at a time and times commit → `next` on every subscriber (the response to the
mutation marks the commit). It prints the latency p50/p95/max, the subscribers
per worker and each worker's resident memory before and after they opened.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import websockets

from bench.procstat import process_tree
from bench.server import AccordServer, accord_command

REQUEST = """mutation($input: RequestContentInput!) {
  requestContent(input: $input) { contentRequest { id } userErrors { message } } }"""
TOKEN = """mutation($input: CreateApiTokenInput!) {
  createApiToken(input: $input) { secret userErrors { message } } }"""
LOGIN = """mutation($input: LoginInput!) { login(input: $input) { viewer { id } } }"""
SUBSCRIBE = "subscription { events(kinds: [CONTENT_REQUEST_CHANGED]) { id subjectId } }"
PASSWORD = "copper kettle drifting north 42"
EMAIL = "live@bench.example"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def workers_rss(server: AccordServer) -> list[float]:
    tree = [p for p in process_tree(server.pid) if p != server.pid]
    return sorted(round(rss_mb(p), 1) for p in tree)


async def recreate(admin_url: str, name: str, drop_only: bool = False) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


ARRIVALS = asyncio.Event()


async def arrived_everywhere(
    subscribers: list[Subscriber], subject: str, deadline: float
) -> None:
    """Until every subscriber has the subject's event (or the deadline)."""
    while not all(subject in s.arrived for s in subscribers):
        left = deadline - time.perf_counter()
        if left <= 0:
            return
        ARRIVALS.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ARRIVALS.wait(), left)


class Subscriber:
    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.task: asyncio.Task[None] | None = None

    async def run(self, url: str, token: str, ready: asyncio.Event) -> None:
        async with websockets.connect(
            url, subprotocols=["graphql-transport-ws"], open_timeout=30, max_size=None
        ) as ws:
            init = {"authorization": f"Bearer {token}"}
            await ws.send(json.dumps({"type": "connection_init", "payload": init}))
            await ws.recv()
            await ws.send(
                json.dumps(
                    {"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}
                )
            )
            ready.set()
            async for raw in ws:
                message = json.loads(raw)
                if message.get("type") == "next":
                    event = message["payload"]["data"]["events"]
                    self.arrived[event["subjectId"]] = time.perf_counter()
                    ARRIVALS.set()


def where(args: argparse.Namespace) -> tuple[str, str]:
    """The maintenance database's URL and the probe database's name."""
    server, name = args.pg_url.rsplit("/", 1)
    return server.replace("postgres://", "postgresql://") + "/postgres", name


def prepare(args: argparse.Namespace) -> dict[str, str]:
    """The server's environment, its database (re)created and migrated, the
    user made."""
    asyncio.run(recreate(*where(args)))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCORD_")}
    env.update(
        ACCORD_DATABASE_URL=args.pg_url,
        ACCORD_SECRET_KEY=secrets.token_urlsafe(48),
        ACCORD_LOG_LEVEL="WARNING",
        ACCORD_MAX_SUBSCRIPTIONS_PER_USER=str(args.subscribers + 10),
    )
    for command in (
        ["migrate"],
        ["create-user", "--email", EMAIL, "--name", "Live", "--team", "MARKETING",
         "--role", "MEMBER", "--password", PASSWORD],
    ):  # fmt: skip
        done = subprocess.run(
            [*accord_command(), *command], env=env, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise RuntimeError(f"accord {command[0]} failed: {done.stderr}")
    return env


async def post(
    http: httpx.AsyncClient, query: str, token: str | None = None, **variables: Any
) -> Any:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    answer = await http.post(
        "/graphql", headers=headers, json={"query": query, "variables": variables}
    )
    return answer.json()["data"]


async def probe(args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    admin, name = where(args)
    email = EMAIL
    log = Path(tempfile.mkdtemp()) / "server.log"
    try:
        with AccordServer(env, args.workers, log) as server:
            base = server.url.removesuffix("/graphql")
            async with httpx.AsyncClient(base_url=base, timeout=30) as http:
                await post(http, LOGIN, input={"email": email, "password": PASSWORD})
                scopes = ["READ", "WRITE"]
                made = await post(http, TOKEN, input={"name": "live", "scopes": scopes})
                token = made["createApiToken"]["secret"]
                before = workers_rss(server)
                subscribers = [Subscriber() for _ in range(args.subscribers)]
                ws_url = base.replace("http://", "ws://") + "/graphql"
                for start in range(0, len(subscribers), 100):
                    readies = []
                    for sub in subscribers[start : start + 100]:
                        ready = asyncio.Event()
                        readies.append(ready)
                        sub.task = asyncio.create_task(sub.run(ws_url, token, ready))
                    await asyncio.gather(*(r.wait() for r in readies))
                await asyncio.sleep(2)
                after = workers_rss(server)
                latencies: list[float] = []
                for n in range(args.events):
                    made = await post(
                        http,
                        REQUEST,
                        token,
                        input={"title": f"Probe {n}", "contentType": "OTHER"},
                    )
                    committed = time.perf_counter()
                    subject = made["requestContent"]["contentRequest"]["id"]
                    await arrived_everywhere(subscribers, subject, committed + 10)
                    latencies += [
                        (s.arrived[subject] - committed) * 1000
                        for s in subscribers
                        if subject in s.arrived
                    ]
                missing = args.events * len(subscribers) - len(latencies)
                for sub in subscribers:
                    if sub.task is not None:
                        sub.task.cancel()
                latencies.sort()
                return {
                    "workers": args.workers,
                    "subscribers": len(subscribers),
                    "events": args.events,
                    "deliveries_missing": missing,
                    "commit_to_subscriber_ms": {
                        "p50": round(statistics.median(latencies), 1),
                        "p95": round(latencies[int(len(latencies) * 0.95) - 1], 1),
                        "max": round(latencies[-1], 1),
                    },
                    "worker_rss_mb_before": before,
                    "worker_rss_mb_with_subscribers": after,
                }
    finally:
        await recreate(admin, name, drop_only=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pg-url", default="postgres://postgres@127.0.0.1:5432/accord_bench_live"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--events", type=int, default=200)
    args = parser.parse_args()
    if not args.pg_url.rsplit("/", 1)[1].startswith("accord_bench"):
        parser.error("the database name must start with accord_bench (it is dropped)")
    print(json.dumps(asyncio.run(probe(args, prepare(args))), indent=2))


if __name__ == "__main__":
    main()
