"""Timing Accord (through the running server) and the raw floor for each operation.

Before an operation is timed its answers are checked against raw SQL; every
measurement waits (bounded) for a quiet machine and is bracketed by a `Meter`.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from dataclasses import asdict
from typing import Any

import httpx
import orjson

from bench import checks, database
from bench.database import Target
from bench.load import LoadTool, write_requests
from bench.operation import Operation, Sample
from bench.options import REPO
from bench.plan import Plan
from bench.procstat import (
    Meter,
    memory_mib,
    memory_mib_of,
    process_tree,
    reset_peak_memory,
    wait_for_quiet,
)
from bench.server import AccordServer
from bench.timing import Timing


async def _check(url: str, target: Target, op: Operation, samples: list[Sample]) -> Any:
    raw = await database.connect(target)
    try:
        async with httpx.AsyncClient(timeout=max(30.0, op.timeout)) as client:
            try:
                return await checks.check(client, url, raw, op, samples)
            except httpx.TimeoutException:
                # Too slow to check is a failed check, not a failed run.
                problem = f"no answer within {max(30.0, op.timeout):g} s"
                return checks.CheckResult(op.name, 0, False, problem)
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
    requested = cost.get("requested")
    return int(requested) if requested is not None else None


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
    counts = connection_counts(p, op)
    if p.options.warmup > 0:
        warm = p.work / f"{op.name}-warmup.txt"
        tool.drive(
            server.url, requests, max(counts), p.options.warmup, warm, op.timeout
        )
    seconds = p.options.duration
    if not p.options.smoke:
        seconds = max(seconds, op.min_duration)
    for conns in counts:
        log = p.work / f"{op.name}-c{conns}.txt"
        quiet = _quiet(p)
        with Meter(server.pid) as meter:
            timing = tool.drive(server.url, requests, conns, seconds, log, op.timeout)
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
        # Per process: with --workers N the tree is a supervisor and N workers.
        memory["peak_rss_per_process_mib"] = [
            round(memory_mib_of(pid, "VmHWM"), 1) for pid in process_tree(server.pid)
        ]
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
            time_floor(p, op, conns) for conns in connection_counts(p, op)
        ]


def connection_counts(p: Plan, op: Operation) -> tuple[int, ...]:
    """`--connections`, or the slow operation's own (never more than asked)."""
    if op.connections is None:
        return p.options.connections
    return tuple(c for c in op.connections if c <= max(p.options.connections)) or (
        min(p.options.connections),
    )
