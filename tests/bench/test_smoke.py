"""The benchmark harness runs end to end in seconds, so it cannot rot unnoticed.

A tiny data set, one connection and a second of load per operation: enough to
show that seeding, the server, the answer checks, the load generator, the floor
and the report still fit together. No figure is asserted: speed is not a test.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import orjson
import pytest

from bench.operations import OPERATIONS

REPO = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("ACCORD_TEST_POSTGRES_URL", "")
HARNESS_TIMEOUT = 240


def run_harness(out: Path, *args: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench", "--smoke", "--loadgen", "python"]
    harness = subprocess.Popen(
        [*command, "--out", str(out), *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = harness.communicate(timeout=HARNESS_TIMEOUT)
    except subprocess.TimeoutExpired:
        # SIGTERM lets the harness stop the server it started before it exits.
        harness.send_signal(signal.SIGTERM)
        output, _ = harness.communicate(timeout=60)
        pytest.fail(f"the harness did not finish in {HARNESS_TIMEOUT} s:\n{output}")
    assert harness.returncode == 0, output[-3000:]
    (written,) = out.glob("*.json")
    return orjson.loads(written.read_bytes())  # type: ignore[no-any-return]


def assert_every_operation_checked_and_timed(result: dict[str, Any]) -> None:
    assert [op["name"] for op in result["operations"]] == [o.name for o in OPERATIONS]
    for op in result["operations"]:
        assert op["check"]["passed"], op["check"]
        assert op["statements"] >= 1
        assert [run["conns"] for run in op["runs"]] == [1]
        for run in [*op["runs"], *op["floor"]]:
            assert run["requests"] > 0
            assert run["errors"] == 0


def assert_scoring_scenarios_ran(result: dict[str, Any]) -> None:
    """Ingestion, rescoring and decay ran without an error (figures unasserted)."""
    scored = result["scoring"]
    ingestion, rescoring = scored["ingestion"], scored["rescoring"]
    assert ingestion["errors"] == 0, ingestion["first_error"]
    assert ingestion["created"] == ingestion["rows_written"] > 0
    assert rescoring["seconds"] is not None
    assert rescoring["job"]["done"] == rescoring["job"]["total"] == rescoring["leads"]
    assert rescoring["reader_errors"] == 0, rescoring["first_reader_error"]
    assert scored["decay"]["leads"] > 0, scored["decay"]
    assert scored["checks"]["leads_not_under_revision_2"] == 0
    assert len(scored["verdicts"]) == 6


def test_a_smoke_run_on_sqlite_checks_times_and_reports_every_operation(
    tmp_path: Path,
) -> None:
    result = run_harness(tmp_path)

    assert_every_operation_checked_and_timed(result)
    assert_scoring_scenarios_ran(result)
    table = (tmp_path / "latest-sqlite.md").read_text()
    for op in OPERATIONS:
        assert f"| {op.name} | 1 |" in table
    assert not list(tmp_path.glob("raw/*/accord-bench.db")), "the database is dropped"


async def _database_exists(admin_url: str, name: str) -> bool:
    conn = await asyncpg.connect(admin_url)
    try:
        found = await conn.fetchval(
            "SELECT 1 FROM pg_database WHERE datname = $1", name
        )
    finally:
        await conn.close()
    return found is not None


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="PostgreSQL not configured")
def test_a_smoke_run_on_postgresql_uses_and_drops_its_own_database(
    tmp_path: Path,
) -> None:
    name = f"accord_bench_smoke_{secrets.token_hex(4)}"
    parts = urlsplit(PG_URL)
    url = urlunsplit(parts._replace(path=f"/{name}"))
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))

    result = run_harness(tmp_path, "--db", "postgres", "--pg-url", url)

    assert_every_operation_checked_and_timed(result)
    assert_scoring_scenarios_ran(result)
    assert result["database"]["kind"] == "postgres"
    assert not asyncio.run(_database_exists(admin, name))


def test_the_peers_queries_run_on_the_peers_shape_of_data_on_sqlite(
    tmp_path: Path,
) -> None:
    """Q1, Q2 and Q3 on 20 personas and a fifth of the leads in MQL: every
    answer equals the raw SQL's, and the funnel's counters equal a count."""
    names = ["leadList", "leadDetail", "leadFunnel"]
    result = run_harness(
        tmp_path,
        "--peer-data",
        "--no-scoring",
        "--keep-db",
        "--operations",
        ",".join(names),
    )

    ops = {op["name"]: op for op in result["operations"]}
    assert list(ops) == names
    assert [ops[n]["peer_equivalent"] for n in names] == ["Q1", "Q2", "Q3"]
    for op in ops.values():
        assert op["check"]["passed"], op["check"]
        assert op["runs"][0]["requests"] > 0 and op["runs"][0]["errors"] == 0
    (path,) = tmp_path.glob("raw/*/accord-bench.db")
    with sqlite3.connect(path) as conn:
        personas = conn.execute(
            "SELECT count(*) FROM agreement WHERE kind = 'PERSONA'"
        ).fetchone()
        counted = dict(conn.execute("SELECT stage, count(*) FROM lead GROUP BY stage"))
        counters = dict(conn.execute("SELECT stage, count FROM stage_count"))
        pending = conn.execute("SELECT count(*) FROM stage_count_delta").fetchone()
    assert personas == (20,)
    assert counters == counted and pending == (0,)
    assert 0.1 < counted["MQL"] / sum(counted.values()) < 0.3, counted
