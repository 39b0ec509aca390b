"""One benchmark run, start to finish; `bench.report` turns it into files.

Order: create the database, migrate it with `accord migrate`, seed it with bulk
SQL, count statements per operation in-process, start `accord serve`, and for
each operation check its answers against raw SQL, warm up, and time it at every
connection count. Then stop the server, time the raw floor, and (optionally) run
the peers.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import traceback
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import database, datasets, peers, scoring, seeding, statements
from bench.database import Target
from bench.load import choose
from bench.machine import commit, machine
from bench.options import REPO, Options
from bench.plan import Plan, plan
from bench.timer import time_accord, time_floors


async def _seed(target: Target, sizes: datasets.Sizes) -> tuple[list[Any], str]:
    raw = await database.connect(target)
    try:
        seeded = await seeding.seed(raw, sizes)
        version = (await raw.fetch(_VERSION_SQL[raw.kind]))[0]["version"]
    finally:
        await raw.close()
    return [asdict(s) for s in seeded], str(version)


_VERSION_SQL = {
    "sqlite": "SELECT 'SQLite ' || sqlite_version() AS version",
    "postgres": "SELECT version() AS version",
}


def run_peers(p: Plan) -> peers.PeerRun | None:
    o = p.options
    if o.peers_results is not None:
        p.notes.append(f"peer figures read from {o.peers_results}, not run now")
        return peers.load(o.peers_results, fresh=False)
    if not o.peers:
        return None
    copy = REPO / "bench" / ".peers"
    print(f"running the peers in {copy} (this takes a while)", flush=True)
    log = p.work / "peers.log"
    return peers.measure(
        o.peers_dir, copy, list(o.connections), o.duration, o.warmup, log
    )


def measure(p: Plan) -> dict[str, Any]:
    tool = choose(p.options.loadgen, p.notes)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    load_before = os.getloadavg()
    database.create(p.target)
    try:
        database.migrate(p.target, p.env, sys.executable)
        seeded, version = asyncio.run(_seed(p.target, p.sizes))
        work = [(op, p.samples[op.name][0]) for op in p.ops]
        counted = asyncio.run(statements.count(p.settings, work))
        print(f"seeded and counted; timing with {tool.name}", flush=True)
        timed, memory = time_accord(p, tool)
        if p.options.floor:
            time_floors(p, timed)
        scored = scoring.run(p) if p.options.scoring else None
    finally:
        if not p.options.keep_db:
            database.drop(p.target)
    return {
        "started": started,
        "load_average_at_start": load_before,
        "database": {"kind": p.target.kind, "version": version},
        "loadgen": tool.describe(),
        "seeded": seeded,
        "server": memory,
        "operations": _operations(p, timed, counted),
        "scoring": scored,
    }


def _operations(
    p: Plan, timed: dict[str, Any], counted: dict[str, statements.Counted]
) -> list[dict[str, Any]]:
    return [
        {
            "name": op.name,
            "title": op.title,
            "peer_equivalent": op.peer_equivalent,
            "p50_target_ms": (op.p50_target_ms or {}).get(p.target.kind),
            "statements": counted[op.name].count,
            "statement_texts": counted[op.name].statements,
            "floor_statements": len(op.floor),
            "samples": len(p.samples[op.name]),
            **timed[op.name],
        }
        for op in p.ops
    ]


def execute(options: Options) -> dict[str, Any]:
    """Run everything; the peers' failure is noted, not fatal to Accord's figures."""
    p = plan(options)
    result = measure(p)
    try:
        peer_run = run_peers(p)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        p.notes.append(f"the peers failed: {exc}")
        traceback.print_exc()
        peer_run = None
    return {
        **result,
        "stamp": p.stamp,
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "options": _options_record(options),
        "limits": asdict(p.settings.limits),
        "callers": len(datasets.callers(p.sizes)),
        "machine": machine(),
        "commit": commit(),
        "work_dir": str(p.work),
        "peers": asdict(peer_run) if peer_run else None,
        "notes": p.notes,
    }


def _options_record(options: Options) -> dict[str, Any]:
    record = asdict(options)
    return {k: str(v) if isinstance(v, Path) else v for k, v in record.items()}
