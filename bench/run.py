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
import re
import secrets
import subprocess
import sys
import traceback
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench import checks, database, datasets, operations, peers, seeding, statements
from bench.database import Target
from bench.load import LoadTool, choose, write_requests
from bench.operations import Operation, Sample
from bench.options import REPO, Options
from bench.procstat import Meter, memory_mib, reset_peak_memory, wait_for_quiet
from bench.server import AccordServer
from bench.timing import Timing
from server.services import ids
from server.settings import Settings, load_settings


@dataclass
class Plan:
    options: Options
    stamp: str
    work: Path
    target: Target
    env: dict[str, str]
    settings: Settings
    sizes: datasets.Sizes
    ops: list[Operation]
    samples: dict[str, list[Sample]]
    notes: list[str] = field(default_factory=list)


def plan(options: Options) -> Plan:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    work = options.out / "raw" / f"{stamp}-{options.db}"
    work.mkdir(parents=True, exist_ok=True)
    target = (
        database.sqlite_target(work)
        if options.db == "sqlite"
        else database.postgres_target(options.pg_url)
    )
    env = server_env(target, secrets.token_urlsafe(32))
    settings = load_settings(env)
    ids.configure(settings.secret_key)
    sizes = datasets.Sizes(users=options.users, tokens=options.tokens)
    callers = datasets.callers(sizes)
    ops = operations.by_name(list(options.operations))
    samples = {op.name: op.samples(callers, sizes) for op in ops}
    return Plan(options, stamp, work, target, env, settings, sizes, ops, samples)


def server_env(target: Target, secret: str) -> dict[str, str]:
    """Production settings: every limit at its default, only these three set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCORD_")}
    env.update(
        ACCORD_DATABASE_URL=target.url,
        ACCORD_SECRET_KEY=secret,
        ACCORD_LOG_LEVEL="WARNING",
        PYTHONPATH=str(REPO),
    )
    return env


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


async def _check(url: str, target: Target, op: Operation, samples: list[Sample]) -> Any:
    raw = await database.connect(target)
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            return await checks.check(client, url, raw, op, samples)
    finally:
        await raw.close()


async def _cost(url: str, op: Operation, sample: Sample) -> int | None:
    """The static cost the server charges this operation (``extensions.cost``)."""
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(
            url,
            json={"query": op.document, "variables": sample.variables},
            headers={"authorization": f"Bearer {sample.caller.secret}"},
        )
    cost = response.json().get("extensions", {}).get("cost", {})
    return cost.get("requested")


def _usage_record(timing: Timing, meter: Meter) -> dict[str, Any]:
    usage = meter.usage
    loadgen = (
        timing.client_cpu_s if timing.client_cpu_s is not None else usage.loadgen_s
    )
    # The child's whole CPU (start-up included) is ours, not another process's.
    ours = usage.server_s + (usage.postgres_s or 0.0) + max(loadgen, usage.loadgen_s)
    busy_cores = usage.machine_busy_pct / 100 * (os.cpu_count() or 1)
    return {
        **timing.as_dict(),
        "server_cpu_s": usage.server_s,
        "postgres_cpu_s": usage.postgres_s,
        "loadgen_cpu_s": loadgen,
        "machine_busy_pct": usage.machine_busy_pct,
        # Cores kept busy by anything else on the machine: the run's noise.
        "other_cores": max(0.0, busy_cores - ours / max(timing.seconds, 1e-9)),
    }


def _quiet(p: Plan) -> dict[str, Any]:
    waited, quiet = wait_for_quiet(p.options.wait_quiet)
    return {"waited_for_quiet_s": round(waited, 1), "started_quiet": quiet}


def time_operation(
    p: Plan, server: AccordServer, tool: LoadTool, op: Operation
) -> dict[str, Any]:
    record: dict[str, Any] = {"runs": []}
    result = asyncio.run(_check(server.url, p.target, op, p.samples[op.name]))
    record["check"] = asdict(result)
    if not result.passed:
        p.notes.append(f"{op.name}: answers differ from raw SQL; not timed")
        return record
    record["cost"] = asyncio.run(_cost(server.url, op, p.samples[op.name][0]))
    requests = write_requests(p.work / f"{op.name}.requests", op, p.samples[op.name])
    if p.options.warmup > 0:
        warm = p.work / f"{op.name}-warmup.txt"
        tool.drive(
            server.url, requests, max(p.options.connections), p.options.warmup, warm
        )
    for conns in p.options.connections:
        log = p.work / f"{op.name}-c{conns}.txt"
        quiet = _quiet(p)
        with Meter(server.pid) as meter:
            timing = tool.drive(server.url, requests, conns, p.options.duration, log)
        record["runs"].append({"conns": conns, **quiet, **_usage_record(timing, meter)})
        print(f"  {op.name} c={conns}: {timing.rps:,.0f} req/s", flush=True)
    return record


def time_accord(p: Plan, tool: LoadTool) -> tuple[dict[str, Any], dict[str, Any]]:
    timed: dict[str, Any] = {}
    with AccordServer(p.env, p.options.workers, p.work / "server.log") as server:
        memory: dict[str, Any] = {
            "idle_rss_mib": memory_mib(server.pid, "VmRSS"),
            "startup_peak_rss_mib": memory_mib(server.pid, "VmHWM"),
            "peak_reset": reset_peak_memory(server.pid),
        }
        for op in p.ops:
            timed[op.name] = time_operation(p, server, tool, op)
        memory["peak_rss_mib"] = memory_mib(server.pid, "VmHWM")
        memory["end_rss_mib"] = memory_mib(server.pid, "VmRSS")
        problems = _log_problems(server.log_tail(200))
    if problems:
        p.notes.append(f"the server logged problems: {problems[:3]}")
    return timed, memory


def _log_problems(log: str) -> list[str]:
    return [line for line in log.splitlines() if re.search(r"ERROR|Traceback", line)]


def floor_spec(p: Plan, op: Operation, conns: int) -> dict[str, Any]:
    samples = [op.floor_params(s) for s in p.samples[op.name]]
    spec: dict[str, Any] = {
        "kind": p.target.kind,
        "sql": list(op.floor),
        "samples": samples,
        "conns": conns,
        "seconds": p.options.duration,
        "warmup": min(p.options.warmup, 2.0),
    }
    if p.target.kind == "sqlite":
        spec["path"] = str(p.target.sqlite_file)
    else:
        spec["dsn"] = p.target.dsn()
    return spec


def time_floor(p: Plan, op: Operation, conns: int) -> dict[str, Any]:
    spec_file = p.work / f"{op.name}-floor-c{conns}.json"
    spec_file.write_bytes(orjson.dumps(floor_spec(p, op, conns)))
    quiet = _quiet(p)
    with Meter() as meter:
        done = subprocess.run(
            [sys.executable, "-m", "bench.floor", str(spec_file)],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
            timeout=p.options.duration + p.options.warmup + 120,
        )
    found = re.search(r"^FLOORJSON (.*)$", done.stdout, re.M)
    if found is None:
        raise RuntimeError(f"the floor printed no summary: {done.stderr[-500:]}")
    fields = {k: v for k, v in orjson.loads(found.group(1)).items() if k != "rps"}
    return {"conns": conns, **quiet, **_usage_record(Timing(**fields), meter)}


def time_floors(p: Plan, timed: dict[str, Any]) -> None:
    for op in p.ops:
        if not timed[op.name].get("check", {}).get("passed"):
            continue
        timed[op.name]["floor"] = [
            time_floor(p, op, conns) for conns in p.options.connections
        ]


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
    }


def _operations(
    p: Plan, timed: dict[str, Any], counted: dict[str, statements.Counted]
) -> list[dict[str, Any]]:
    return [
        {
            "name": op.name,
            "title": op.title,
            "peer_equivalent": op.peer_equivalent,
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


def machine() -> dict[str, Any]:
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024**2, 1),
        "kernel": f"{os.uname().sysname} {os.uname().release}",
        "python": sys.version.split()[0],
        "load_average_at_end": os.getloadavg(),
    }


def commit() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=False
        )
        return done.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return head + ("+dirty" if dirty else "")
