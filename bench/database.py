"""The benchmark's own database: where it lives, its lifecycle, raw SQL access.

Raw access (sqlite3 or asyncpg, never Tortoise) is what seeding, the answer checks
and the floor use. SQL is written once with ``?`` placeholders, as in `server.db`.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import asyncpg

# Dropping a database is only ever done to one whose name says it is ours.
PG_NAME_PREFIX = "accord_bench"
DEFAULT_PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_NAME_PREFIX}"


@dataclass(frozen=True)
class Target:
    """A database for one run: ``url`` is what the server gets as its setting."""

    kind: str  # "sqlite" or "postgres"
    url: str
    sqlite_file: Path | None = None

    @property
    def pg_name(self) -> str:
        return urlsplit(self.url).path.lstrip("/")

    def dsn(self, database: str | None = None) -> str:
        """An asyncpg DSN for this database, or for another on the same server."""
        parts = urlsplit(self.url)
        path = f"/{database}" if database else parts.path
        return urlunsplit(parts._replace(scheme="postgresql", path=path, query=""))


def sqlite_target(directory: Path) -> Target:
    path = (directory / "accord-bench.db").resolve()
    return Target("sqlite", f"sqlite://{path}", path)


def postgres_target(url: str) -> Target:
    target = Target("postgres", url)
    if not target.pg_name.startswith(PG_NAME_PREFIX):
        raise ValueError(
            f"the benchmark drops and recreates its database; name it "
            f"{PG_NAME_PREFIX}…, not {target.pg_name!r}"
        )
    return target


def placeholders(sql: str, kind: str) -> str:
    if kind == "sqlite":
        return sql
    parts = sql.split("?")
    return parts[0] + "".join(f"${n}{p}" for n, p in enumerate(parts[1:], 1))


def create(target: Target) -> None:
    """An empty database; anything left from an earlier run is removed first."""
    drop(target)
    if target.kind == "postgres":
        asyncio.run(_admin(target, f'CREATE DATABASE "{target.pg_name}"'))
    else:
        assert target.sqlite_file is not None
        target.sqlite_file.parent.mkdir(parents=True, exist_ok=True)


def drop(target: Target) -> None:
    if target.kind == "postgres":
        sql = f'DROP DATABASE IF EXISTS "{target.pg_name}" WITH (FORCE)'
        asyncio.run(_admin(target, sql))
        return
    assert target.sqlite_file is not None
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target.sqlite_file}{suffix}").unlink(missing_ok=True)


async def _admin(target: Target, sql: str) -> None:
    conn = await asyncpg.connect(target.dsn("postgres"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def migrate(target: Target, env: dict[str, str], python: str) -> None:
    """Apply the schema with the real `accord migrate`, as an operator would."""
    subprocess.run(
        [python, "-m", "server.cli", "migrate"],
        env={**env, "ACCORD_DATABASE_URL": target.url},
        check=True,
        capture_output=True,
        timeout=300,
    )


class Raw(Protocol):
    kind: str

    async def fetch(
        self, sql: str, params: Sequence[Any] = ()
    ) -> list[dict[str, Any]]: ...

    async def execute(self, sql: str) -> None: ...

    async def insert(
        self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
    ) -> int: ...

    async def close(self) -> None: ...


class SqliteRaw:
    kind = "sqlite"
    CHUNK = 10_000

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cursor = self.conn.execute(sql, tuple(params))
        names = [d[0] for d in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    async def execute(self, sql: str) -> None:
        self.conn.execute(sql)

    async def insert(
        self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
    ) -> int:
        marks = ", ".join("?" for _ in columns)
        names = ", ".join(f'"{c}"' for c in columns)
        sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'
        count = 0
        self.conn.execute("BEGIN")
        for chunk in _chunks((tuple(map(_sqlite_value, r)) for r in rows), self.CHUNK):
            self.conn.executemany(sql, chunk)
            count += len(chunk)
        self.conn.execute("COMMIT")
        return count

    async def close(self) -> None:
        self.conn.close()


def _sqlite_value(value: Any) -> Any:
    # Stored as Tortoise stores them, so the server reads seeded rows unchanged.
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def _chunks(rows: Iterable[tuple[Any, ...]], size: int) -> Iterable[list[Any]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class PostgresRaw:
    kind = "postgres"

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        rows = await self.conn.fetch(placeholders(sql, "postgres"), *params)
        return [dict(row) for row in rows]

    async def execute(self, sql: str) -> None:
        await self.conn.execute(sql)

    async def insert(
        self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
    ) -> int:
        count = 0
        for chunk in _chunks(rows, 50_000):
            await self.conn.copy_records_to_table(
                table, records=chunk, columns=list(columns)
            )
            count += len(chunk)
        # Explicit ids leave the serial behind; the server must insert after them.
        if "id" not in columns:
            return count
        await self.conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f'COALESCE((SELECT max(id) FROM "{table}"), 1))'
        )
        return count

    async def close(self) -> None:
        await self.conn.close()


async def connect(target: Target) -> Raw:
    if target.kind == "sqlite":
        assert target.sqlite_file is not None
        return SqliteRaw(target.sqlite_file)
    return PostgresRaw(await asyncpg.connect(target.dsn()))
