"""SQLite's read connections (`server.sqlite`): `db.read` outside a
transaction runs on them, side by side; inside one it stays on the
transaction's connection; in memory, or turned off, the main connection reads.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tortoise.context import TortoiseContext
from tortoise.exceptions import OperationalError
from tortoise.transactions import in_transaction

from server import db
from server.settings import Settings
from server.sqlite import ReadingSqliteClient


async def _opened(url: str) -> TortoiseContext:
    ctx = await db.open_database(Settings(database_url=url), global_fallback=False)
    await db.execute("CREATE TABLE IF NOT EXISTS t (v INTEGER)")
    return ctx


@pytest.fixture
async def file_db(tmp_path: Path) -> AsyncIterator[ReadingSqliteClient]:
    ctx = await _opened(f"sqlite://{tmp_path}/reads.db")
    try:
        client = db.connection()
        assert isinstance(client, ReadingSqliteClient)
        yield client
    finally:
        await db.close_database(ctx)


async def count() -> int:
    rows = await db.read("SELECT COUNT(*) AS n FROM t")
    return int(rows[0]["n"])


async def test_a_read_sees_what_the_writer_committed_at_once(
    file_db: ReadingSqliteClient,
) -> None:
    assert file_db.readers is not None
    assert await count() == 0  # a read connection is open, its snapshot taken
    assert file_db.readers.opened == 1
    for n in range(1, 4):
        await db.execute("INSERT INTO t VALUES (?)", n)
        assert await count() == n
    async with in_transaction():
        await db.execute("INSERT INTO t VALUES (4)")
    assert await count() == 4
    assert file_db.readers.opened == 1


async def test_a_read_in_a_transaction_sees_its_own_writes_and_others_do_not(
    file_db: ReadingSqliteClient,
) -> None:
    # a task started outside the transaction (one started inside inherits it)
    written = asyncio.Event()

    async def read_outside() -> int:
        await written.wait()
        return await count()

    outside = asyncio.create_task(read_outside())
    async with in_transaction():
        await db.execute("INSERT INTO t VALUES (1)")
        assert await count() == 1
        rows = await db.read_values("SELECT v FROM t")
        assert [tuple(r) for r in rows] == [(1,)]
        # it reads on a read connection while the writer holds the
        # transaction open: no wait for the writer, no uncommitted row
        written.set()
        assert await asyncio.wait_for(outside, timeout=5) == 0
    assert await count() == 1


async def test_two_reads_run_at_the_same_time_on_two_connections(
    file_db: ReadingSqliteClient,
) -> None:
    assert file_db.readers is not None
    await asyncio.gather(count(), count())  # opens both (lazily)
    assert file_db.readers.opened == 2
    # each statement calls meet(), which returns only once both threads are
    # inside it: taking turns, the first would wait out the timeout and fail
    barrier = threading.Barrier(2, timeout=10)

    def meet() -> int:
        return barrier.wait()

    for conn in file_db.readers.connections:
        await conn.create_function("meet", 0, meet)
    first, second = await asyncio.gather(
        db.read("SELECT meet() AS m"), db.read_values("SELECT meet() AS m")
    )
    assert sorted([int(first[0]["m"]), int(second[0][0])]) == [0, 1]
    assert not barrier.broken


async def test_reads_on_the_read_connections_are_counted_as_statements(
    file_db: ReadingSqliteClient,
) -> None:
    with db.count_statements() as statements:
        await count()
        await db.read_values("SELECT v FROM t WHERE v > ?", 0)
    assert statements == [
        "SELECT COUNT(*) AS n FROM t",
        "SELECT v FROM t WHERE v > ?",
    ]


async def test_a_read_connection_refuses_to_write(
    file_db: ReadingSqliteClient,
) -> None:
    with pytest.raises(OperationalError, match="readonly"):
        await db.read("INSERT INTO t VALUES (1) RETURNING v")
    assert await count() == 0


async def test_closing_the_database_closes_the_read_connections(
    tmp_path: Path,
) -> None:
    ctx = await _opened(f"sqlite://{tmp_path}/reads.db")
    client = db.connection()
    assert isinstance(client, ReadingSqliteClient) and client.readers is not None
    await asyncio.gather(count(), count())
    connections = client.readers.connections
    assert len(connections) == 2
    await db.close_database(ctx)
    assert client.readers.opened == 0
    for conn in connections:
        assert conn._connection is None  # closed, and its thread ends
        conn._thread.join(timeout=5)
        assert not conn._thread.is_alive()


@pytest.mark.parametrize(
    ("query", "pooled"),
    [("read_connections=0", False), ("journal_mode=DELETE", False), ("", True)],
)
async def test_without_read_connections_the_main_connection_reads(
    tmp_path: Path, query: str, pooled: bool
) -> None:
    ctx = await _opened(f"sqlite://{tmp_path}/reads.db?{query}")
    try:
        client = db.connection()
        assert isinstance(client, ReadingSqliteClient)
        assert (client.readers is not None) is pooled
        await db.execute("INSERT INTO t VALUES (1)")
        async with in_transaction():
            await db.execute("INSERT INTO t VALUES (2)")
            assert await count() == 2
        assert await count() == 2
        assert "read_connections" not in client.pragmas  # not sent as a PRAGMA
    finally:
        await db.close_database(ctx)


async def test_an_in_memory_database_reads_on_its_one_connection() -> None:
    ctx = await _opened("sqlite://:memory:")
    try:
        client = db.connection()
        assert isinstance(client, ReadingSqliteClient)
        assert client.readers is None
        await db.execute("INSERT INTO t VALUES (1)")
        assert await count() == 1
        assert [tuple(r) for r in await db.read_values("SELECT v FROM t")] == [(1,)]
    finally:
        await db.close_database(ctx)


async def test_the_pool_size_is_read_from_the_database_url(tmp_path: Path) -> None:
    ctx = await _opened(f"sqlite://{tmp_path}/reads.db?read_connections=1")
    try:
        client = db.connection()
        assert isinstance(client, ReadingSqliteClient) and client.readers is not None
        assert client.readers.size == 1
        assert await asyncio.gather(count(), count(), count()) == [0, 0, 0]
        assert client.readers.opened == 1
        assert client.readers.pragmas["query_only"] == "ON"
        assert "journal_mode" not in client.readers.pragmas
    finally:
        await db.close_database(ctx)


_MEMORY_USED = """
import ctypes, sqlite3, sys, _sqlite3
from server import sqlite
skipped = sys.argv[1] == "skip" and sqlite.skip_memory_statistics()
conn = sqlite3.connect(":memory:")
conn.execute("CREATE TABLE t (v TEXT)")
conn.executemany("INSERT INTO t VALUES (?)", [("x" * 100,)] * 1000)
assert conn.execute("SELECT COUNT(DISTINCT v || rowid) FROM t").fetchone() == (1000,)
used = ctypes.CDLL(_sqlite3.__file__).sqlite3_memory_used
used.restype = ctypes.c_int64
print(skipped, used())
"""


@pytest.mark.parametrize("mode", ["skip", "keep"])
def test_sqlite_stops_counting_its_memory_when_told_before_any_connection(
    mode: str,
) -> None:
    # a fresh interpreter: the setting is the whole process's
    done = subprocess.run(
        [sys.executable, "-c", _MEMORY_USED, mode],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[3],
    )
    skipped, used = done.stdout.split()
    if mode == "skip":
        assert (skipped, used) == ("True", "0")
    else:
        assert skipped == "False" and int(used) > 0
