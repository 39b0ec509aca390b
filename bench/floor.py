"""The raw floor: an operation's rows fetched by raw SQL and serialised with orjson.

Run as its own process (``python -m bench.floor SPEC``) with as many concurrent
clients as the server had connections: asyncpg connections on PostgreSQL (each
statement prepared once, as asyncpg does), threads with their own sqlite3
connection on SQLite. No HTTP, no GraphQL, no authentication: what is left is
the database's work and one JSON encoding, the least any server could do.
Prints one ``FLOORJSON {...}`` line.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from bench.database import placeholders
from bench.timing import Timing, summarise

Params = Sequence[Sequence[Any]]
# Instants arrive as the ISO text orjson wrote them (the spec is JSON): read
# back as datetimes for asyncpg, or as the text SQLite stores and compares.
_INSTANT = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$"
)


def instants(samples: list[Params], kind: str) -> list[Params]:
    def one(value: Any) -> Any:
        if not isinstance(value, str) or not _INSTANT.match(value):
            return value
        moment = datetime.fromisoformat(value)
        return moment if kind == "postgres" else moment.isoformat(" ")

    return [[[one(v) for v in args] for args in sample] for sample in samples]


def _sqlite_answer(
    conn: sqlite3.Connection, sql: Sequence[str], params: Params
) -> bytes:
    answer = []
    for statement, args in zip(sql, params, strict=True):
        cursor = conn.execute(statement, tuple(args))
        names = [d[0] for d in cursor.description]
        answer.append([dict(zip(names, row, strict=True)) for row in cursor.fetchall()])
    return orjson.dumps(answer)


def run_sqlite(
    path: str, sql: Sequence[str], samples: list[Params], conns: int, seconds: float
) -> Timing:
    latencies: list[float] = []
    until = time.monotonic() + seconds

    def client(start: int) -> None:
        conn = sqlite3.connect(path, check_same_thread=False)
        mine, n = [], start
        while time.monotonic() < until:
            sent = time.perf_counter()
            _sqlite_answer(conn, sql, samples[n % len(samples)])
            mine.append((time.perf_counter() - sent) * 1000)
            n += 1
        conn.close()
        latencies.extend(mine)

    started = time.perf_counter()
    workers = [threading.Thread(target=client, args=(i * 7919,)) for i in range(conns)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return summarise(latencies, 0, time.perf_counter() - started)


async def _pg_client(
    dsn: str, sql: Sequence[str], samples: list[Params], start: int, until: float
) -> list[float]:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    statements = [await conn.prepare(placeholders(s, "postgres")) for s in sql]
    mine, n = [], start
    try:
        while time.monotonic() < until:
            sent = time.perf_counter()
            answer = []
            for statement, args in zip(
                statements, samples[n % len(samples)], strict=True
            ):
                answer.append([dict(r) for r in await statement.fetch(*args)])
            orjson.dumps(answer)
            mine.append((time.perf_counter() - sent) * 1000)
            n += 1
    finally:
        await conn.close()
    return mine


async def run_postgres(
    dsn: str, sql: Sequence[str], samples: list[Params], conns: int, seconds: float
) -> Timing:
    started = time.perf_counter()
    until = time.monotonic() + seconds
    per_client = await asyncio.gather(
        *(_pg_client(dsn, sql, samples, i * 7919, until) for i in range(conns))
    )
    latencies = [ms for client in per_client for ms in client]
    return summarise(latencies, 0, time.perf_counter() - started)


def measure(spec: dict[str, Any]) -> Timing:
    sql, samples = spec["sql"], instants(spec["samples"], spec["kind"])
    conns, seconds = spec["conns"], spec["seconds"]
    if spec["kind"] == "sqlite":
        return run_sqlite(spec["path"], sql, samples, conns, seconds)
    import uvloop

    return uvloop.run(run_postgres(spec["dsn"], sql, samples, conns, seconds))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    spec = orjson.loads(Path(args[0]).read_bytes())
    if spec.get("warmup"):
        measure({**spec, "seconds": spec["warmup"]})
    cpu = time.process_time()
    timing = replace(measure(spec), client_cpu_s=time.process_time() - cpu)
    sys.stdout.write("FLOORJSON " + orjson.dumps(timing.as_dict()).decode() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
