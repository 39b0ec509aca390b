"""`leadList` req/s without and with idle subscriptions open, alternating
(``--rounds`` times with, one more without; after a first run that warms the
server and PostgreSQL up, discarded).

The main harness's machinery (`bench.plan`, seeding, `bench.timer.time_operation`:
answers checked against SQL, warm-up, the load generator in its own process) on
its own database, with production settings (the subscriptions are spread over
the seeded users' tokens, so the per-user cap stays at its default).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from statistics import median
from typing import Any

from bench import database, datasets, run
from bench.live_clients import Clients
from bench.load import choose
from bench.options import parse
from bench.plan import plan
from bench.procstat import cpu_seconds
from bench.server import AccordServer
from bench.timer import time_operation


def _rss(server: AccordServer) -> list[float]:
    from bench.live import rss_mb, workers

    return [round(rss_mb(p), 1) for p in workers(server.pid)]


def _rps(record: dict[str, Any]) -> float | None:
    runs = record.get("runs") or []
    return runs[-1].get("rps") if runs else None


def _cpu_ms(record: dict[str, Any]) -> float | None:
    """The server's CPU per request (ms): robust to a busy machine."""
    runs = record.get("runs") or []
    if not runs or not runs[-1].get("requests"):
        return None
    return round(runs[-1]["server_cpu_s"] / runs[-1]["requests"] * 1000, 3)


def _timed(p: Any, server: AccordServer, tool: Any, op: Any) -> dict[str, Any]:
    """`time_operation`, with each worker's CPU seconds meanwhile (a lopsided
    split of the load generator's connections shows there)."""
    from bench.live import workers

    pids = workers(server.pid)
    before = {pid: cpu_seconds(pid) for pid in pids}
    record = time_operation(p, server, tool, op)
    record["worker_cpu_s"] = [round(cpu_seconds(x) - before[x], 2) for x in pids]
    return record


def measure(args: argparse.Namespace, document: str) -> dict[str, Any]:
    pg_url = args.pg_url.rsplit("/", 1)[0] + "/" + args.pg_url.rsplit("/", 1)[1] + "_tp"
    options = parse(
        ["--db", "postgres", "--pg-url", pg_url, "--workers", str(args.workers),
         "--operations", "leadList", "--connections", "16",
         "--duration", str(args.duration), "--warmup", "3",
         "--leads", str(args.leads), "--activities", str(args.leads * 10),
         "--handoff-chains", str(args.leads // 4), "--content-requests", "1000",
         "--content-interactions", "5000", "--no-scoring",
         "--wait-quiet", "5"]
    )  # fmt: skip
    p = plan(options)
    tool = choose(options.loadgen, p.notes)
    database.create(p.target)
    try:
        database.migrate(p.target, p.env, sys.executable)
        asyncio.run(run._seed(p.target, p.sizes))
        op = p.ops[0]
        tokens = [c.secret for c in datasets.callers(p.sizes)]
        with AccordServer(p.env, options.workers, p.work / "server.log") as server:
            warm = _timed(p, server, tool, op)  # caches, compiled paths
            idle = opened = _rss(server)
            without = [_timed(p, server, tool, op)]
            with_subs: list[dict[str, Any]] = []
            for _ in range(args.rounds):
                ws_url = server.url.replace("http://", "ws://")
                with Clients(
                    ws_url, tokens, document, args.subscribers, args.client_processes
                ) as clients:
                    time.sleep(2)
                    opened = _rss(server)
                    with_subs.append(_timed(p, server, tool, op))
                    clients.finish()
                without.append(_timed(p, server, tool, op))
    finally:
        database.drop(p.target)
    rps_without = [_rps(r) or 0.0 for r in without]
    rps_with = [_rps(r) or 0.0 for r in with_subs]
    return {
        "operation": op.name,
        "leads": args.leads,
        "connections": 16,
        "seconds": options.duration,
        "check_passed": warm.get("check", {}).get("passed"),
        "order": "warm-up (discarded), then without, with, without, … alternating",
        "rps_warming_up_discarded": _rps(warm),
        "rps_without": rps_without,
        "rps_with_idle_subscriptions": rps_with,
        "change_pct_of_medians": (
            round((median(rps_with) / median(rps_without) - 1) * 100, 1)
            if rps_with and median(rps_without)
            else None
        ),
        "server_cpu_ms_per_request_without": [_cpu_ms(r) for r in without],
        "server_cpu_ms_per_request_with": [_cpu_ms(r) for r in with_subs],
        "worker_cpu_s_without": [r["worker_cpu_s"] for r in without],
        "worker_cpu_s_with": [r["worker_cpu_s"] for r in with_subs],
        "idle_subscriptions": args.subscribers,
        "worker_rss_mb_idle": idle,
        "worker_rss_mb_with_subscriptions": opened,
        "other_cores": [
            r["runs"][-1].get("other_cores") if r.get("runs") else None
            for r in (warm, *without, *with_subs)
        ],
        "notes": p.notes,
    }
