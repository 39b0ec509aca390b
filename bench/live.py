"""Issue 24's figures for events going out (subscriptions and webhooks):

    .venv/bin/python -m bench.live [--pg-url postgres://…/accord_bench_live]
        [--workers 2] [--subscribers 1000] [--events 100] [--rate 5]
        [--parts subscribers,webhooks,throughput]

Every part runs the real `accord serve --workers N` on its own PostgreSQL
database (created and dropped; the name must start with ``accord_bench``),
with every client on 127.0.0.1:

- ``subscribers``: opens the subscribers over real WebSockets (token auth,
  spread over the workers by the kernel) from ``--client-processes`` processes
  (`bench.live_clients`: uvloop, no JSON parsing per message), then commits
  content requests through HTTP at ``--rate`` a second and times commit →
  `next` on every subscriber (the mutation's answer marks the commit). Also each
  worker's resident memory before and after the subscribers opened, and after
  the events.
- ``webhooks``: ``--webhooks`` webhooks to receivers on 127.0.0.1 (this
  process, `bench.live_hooks`); commits at ``--rate`` and times commit → POST
  received; then adds one webhook whose receiver never answers (it hangs until
  the server's timeout) and does it again: the other webhooks' p95 with and
  without it.
- ``throughput``: the main harness's `leadList` (seeded data, its answers
  checked against SQL), timed without and with ``--subscribers`` idle
  subscriptions open, alternating ``--rounds`` times (`bench.live_throughput`).

Prints one JSON document (and writes it with ``--out``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench import live_hooks, live_throughput
from bench.live_clients import Clients
from bench.procstat import process_tree, tree_cpu
from bench.server import AccordServer, accord_command

REQUEST = """mutation($input: RequestContentInput!) {
  requestContent(input: $input) { contentRequest { id } userErrors { message } } }"""
TOKEN = """mutation($input: CreateApiTokenInput!) {
  createApiToken(input: $input) { secret userErrors { message } } }"""
LOGIN = """mutation($input: LoginInput!) { login(input: $input) { viewer { id } } }"""
SUBSCRIBE = "subscription { events(kinds: [CONTENT_REQUEST_CHANGED]) { id subjectId } }"
PASSWORD = "copper kettle drifting north 42"
EMAIL = "live@bench.example"
ADMIN = "live-admin@bench.example"
IDLE_SECONDS = 10.0


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def sockets(pid: int) -> int:
    found = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            found += os.readlink(fd).startswith("socket:")
        except OSError:
            continue
    return found


def workers(server_pid: int) -> list[int]:
    """The server's worker processes (not the supervisor nor multiprocessing's
    resource tracker); with one worker, the server's own process."""
    found = sorted(
        p
        for p in process_tree(server_pid)
        if p != server_pid
        and b"resource_tracker" not in Path(f"/proc/{p}/cmdline").read_bytes()
    )
    return found or [server_pid]


def workers_rss(server: AccordServer) -> dict[int, float]:
    return {p: round(rss_mb(p), 1) for p in workers(server.pid)}


def percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None, "max": None, "n": 0}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))], 1)

    return {
        "p50": at(0.5),
        "p95": at(0.95),
        "max": round(ordered[-1], 1),
        "n": len(ordered),
    }


async def recreate(admin_url: str, name: str, drop_only: bool = False) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def where(pg_url: str) -> tuple[str, str]:
    """The maintenance database's URL and the probe database's name."""
    server, name = pg_url.rsplit("/", 1)
    return server.replace("postgres://", "postgresql://") + "/postgres", name


def prepare(args: argparse.Namespace) -> dict[str, str]:
    """The server's environment, its database (re)created and migrated, the
    users made."""
    asyncio.run(recreate(*where(args.pg_url)))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCORD_")}
    env.update(
        ACCORD_DATABASE_URL=args.pg_url,
        ACCORD_SECRET_KEY=secrets.token_urlsafe(48),
        ACCORD_LOG_LEVEL="WARNING",
        ACCORD_MAX_SUBSCRIPTIONS_PER_USER=str(args.subscribers + 10),
        ACCORD_WEBHOOK_ALLOW_PRIVATE="1",  # the receivers are on 127.0.0.1
    )
    for command in (
        ["migrate"],
        ["create-user", "--email", EMAIL, "--name", "Live", "--team", "MARKETING",
         "--role", "MEMBER", "--password", PASSWORD],
        ["create-user", "--email", ADMIN, "--name", "Live Admin", "--team",
         "MARKETING", "--role", "ADMIN", "--password", PASSWORD],
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
    body = answer.json()
    if body.get("errors"):
        raise RuntimeError(f"the server answered errors: {body['errors']}")
    return body["data"]


async def token_of(base: str, email: str) -> str:
    """An API token (READ, WRITE) for the user, made through a session."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        await post(http, LOGIN, input={"email": email, "password": PASSWORD})
        made = await post(
            http, TOKEN, input={"name": "live", "scopes": ["READ", "WRITE"]}
        )
    return str(made["createApiToken"]["secret"])


async def commit_events(
    base: str, token: str, count: int, rate: float, label: str
) -> dict[str, float]:
    """Commit ``count`` content requests, ``rate`` a second (open loop: each
    is sent on time whatever the previous answers took, from several
    connections); the time each commit was acknowledged, by subject id."""
    committed: dict[str, float] = {}

    async def one(http: httpx.AsyncClient, n: int) -> None:
        made = await post(
            http,
            REQUEST,
            token,
            input={"title": f"{label} {n}", "contentType": "OTHER"},
        )
        committed[made["requestContent"]["contentRequest"]["id"]] = time.monotonic()

    limits = httpx.Limits(max_connections=16)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:
        start = time.monotonic()
        tasks = []
        for n in range(count):
            await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
            tasks.append(asyncio.create_task(one(http, n)))
        await asyncio.gather(*tasks)
    return committed


async def subscribers_part(
    args: argparse.Namespace, server: AccordServer, base: str
) -> dict[str, Any]:
    token = await token_of(base, EMAIL)
    writer = await token_of(base, ADMIN)
    before = workers_rss(server)
    ws_url = base.replace("http://", "ws://") + "/graphql"
    clients = Clients(
        ws_url, [token], SUBSCRIBE, args.subscribers, args.client_processes
    )
    with clients:
        await asyncio.sleep(2)
        opened = workers_rss(server)
        per_worker = {p: sockets(p) for p in workers(server.pid)}
        idle_from = tree_cpu(server.pid)
        await asyncio.sleep(IDLE_SECONDS)  # what open, idle subscriptions cost
        idle_cpu = tree_cpu(server.pid) - idle_from
        cpu_before = tree_cpu(server.pid)
        committed = await commit_events(base, writer, args.events, args.rate, "Probe")
        await asyncio.sleep(3)  # the last events reach every subscriber
        cpu = tree_cpu(server.pid) - cpu_before
        after_events = workers_rss(server)
        got = clients.finish()
    latencies = [
        (t - committed[subject]) * 1000
        for subject, times in got["arrivals"].items()
        if subject in committed
        for t in times
    ]
    return {
        "subscribers": args.subscribers,
        "client_processes": args.client_processes,
        "events": args.events,
        "rate_per_s": args.rate,
        "deliveries_expected": args.events * args.subscribers,
        "deliveries_missing": args.events * args.subscribers - len(latencies),
        "client_errors": got["error_count"],
        "client_error_examples": got["errors"],
        "commit_to_subscriber_ms": percentiles(latencies),
        # CPU of the whole server (commits, dispatch, fan-out) while the events
        # ran, per delivery: robust to a busy machine, unlike the latency.
        "server_cpu_s": round(cpu, 2),
        "server_cpu_us_per_delivery": round(cpu / max(1, len(latencies)) * 1e6, 1),
        "idle_server_cpu_pct_of_a_core": round(idle_cpu / IDLE_SECONDS * 100, 2),
        "sockets_per_worker": list(per_worker.values()),
        "worker_rss_mb_before": list(before.values()),
        "worker_rss_mb_with_subscribers": list(opened.values()),
        "worker_rss_mb_after_events": list(after_events.values()),
        "worker_rss_growth_mb": [
            round(opened[p] - before.get(p, 0.0), 1) for p in opened
        ],
    }


async def server_parts(args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    log = Path(tempfile.mkdtemp()) / "server.log"
    found: dict[str, Any] = {}
    with AccordServer(env, args.workers, log) as server:
        base = server.url.removesuffix("/graphql")
        if "subscribers" in args.parts:
            found["subscribers"] = await subscribers_part(args, server, base)
        if "webhooks" in args.parts:
            admin = await token_of(base, ADMIN)
            found["webhooks"] = await live_hooks.measure(
                base, admin, args.webhooks, args.events, args.rate, commit_events
            )
        problems = [
            line
            for line in server.log_tail(400).splitlines()
            if "ERROR" in line or "Traceback" in line
        ]
    found["server_log_problems"] = problems[:5]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pg-url", default="postgres://postgres@127.0.0.1:5432/accord_bench_live"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--client-processes", type=int, default=4)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--rate", type=float, default=5.0, help="commits a second")
    parser.add_argument("--webhooks", type=int, default=4)
    parser.add_argument(
        "--parts",
        default="subscribers,webhooks,throughput",
        type=lambda t: [p.strip() for p in t.split(",") if p.strip()],
    )
    parser.add_argument("--duration", type=float, default=10.0, help="throughput s")
    parser.add_argument("--leads", type=int, default=20_000, help="throughput data")
    parser.add_argument(
        "--rounds", type=int, default=2, help="throughput runs with subscriptions"
    )
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if not args.pg_url.rsplit("/", 1)[1].startswith("accord_bench"):
        parser.error("the database name must start with accord_bench (it is dropped)")
    result: dict[str, Any] = {
        "workers": args.workers,
        "load_average_at_start": os.getloadavg(),
    }
    if {"subscribers", "webhooks"} & set(args.parts):
        try:
            result.update(asyncio.run(server_parts(args, prepare(args))))
        finally:
            asyncio.run(recreate(*where(args.pg_url), drop_only=True))
    if "throughput" in args.parts:
        result["throughput"] = live_throughput.measure(args, SUBSCRIBE)
    result["load_average_at_end"] = os.getloadavg()
    text = json.dumps(result, indent=2)
    if args.out:
        args.out.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
