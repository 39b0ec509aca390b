"""SQLite's read connections: Tortoise's SQLite client with a small pool of
connections beside its one writer, for statements that only read.

Tortoise gives a process one SQLite connection (one thread), so every statement
waits for the one before it, whoever runs it: two dashboards take turns on it
and a machine with two cores stays a third busy. SQLite in WAL mode lets any
number of connections read while one writes, and Python's sqlite3 lets go of
the GIL while a statement runs, so read statements sent to their own
connections (each aiosqlite connection has its own thread) run side by side.

- Only `server.db.read` and `read_values` use them, and only outside a
  transaction: a transaction reads on its own connection and sees its own
  writes. A read connection sees what was committed when its statement began.
- Opened when first needed, at most ``read_connections`` of them (a parameter
  of the database URL, `DEFAULT_READERS` unless given; 0 turns them off), with
  the main connection's pragmas but the journal mode (the writer's to set) and
  ``query_only`` on; closed with the client.
- None for a database a second connection would not see (``:memory:``) or
  whose journal is not WAL (readers there would hold writers off): the main
  connection reads, as before.

This module is the engine Tortoise is configured with for SQLite
(`server.db.tortoise_config`); Tortoise looks its client up as ``client_class``
and picks its migration schema editor by "sqlite" in the client's module name.
"""

from __future__ import annotations

import _sqlite3
import asyncio
import ctypes
import sqlite3
from typing import Any

import aiosqlite
from tortoise.backends.sqlite.client import SqliteClient, translate_exceptions

READERS_PARAM = "read_connections"
DEFAULT_READERS = 2
# Set by the writer for the file; a reader asking for it could need the lock.
_WRITER_ONLY = frozenset({"journal_mode"})


class ReaderPool:
    """Up to ``size`` read-only connections to ``filename``, opened lazily."""

    def __init__(self, filename: str, pragmas: dict[str, Any], size: int) -> None:
        self.filename = filename
        self.pragmas = {
            **{k: v for k, v in pragmas.items() if k not in _WRITER_ONLY},
            "query_only": "ON",
        }
        self.size = size
        self._free = asyncio.Semaphore(size)
        self._idle: list[aiosqlite.Connection] = []
        self._opened: list[aiosqlite.Connection] = []

    @property
    def opened(self) -> int:
        return len(self._opened)

    @property
    def connections(self) -> tuple[aiosqlite.Connection, ...]:
        """The connections open now."""
        return tuple(self._opened)

    async def _open(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(self.filename, isolation_level=None)
        try:
            conn._conn.row_factory = sqlite3.Row
            for pragma, value in self.pragmas.items():
                await (await conn.execute(f"PRAGMA {pragma}={value}")).close()
        except BaseException:
            await conn.close()
            raise
        self._opened.append(conn)
        return conn

    async def fetch(self, query: str, values: list[Any]) -> list[sqlite3.Row]:
        """Run one statement on a free read connection and return its rows."""
        async with self._free:
            conn = self._idle.pop() if self._idle else await self._open()
            try:
                rows = await conn.execute_fetchall(query, values)
            finally:
                if conn in self._opened:  # not closed meanwhile
                    self._idle.append(conn)
        return list(rows)

    async def close(self) -> None:
        opened, self._opened, self._idle = self._opened, [], []
        for conn in opened:
            await conn.close()


def reader_pool(filename: str, pragmas: dict[str, Any], size: int) -> ReaderPool | None:
    """The pool for a database file, or None where readers cannot serve."""
    shared = filename != ":memory:" and filename != ""
    wal = str(pragmas.get("journal_mode", "")).upper() == "WAL"
    if not (shared and wal and size > 0):
        return None
    return ReaderPool(filename, pragmas, size)


class ReadingSqliteClient(SqliteClient):
    """Tortoise's SQLite client, with `ReaderPool` beside its connection."""

    def __init__(self, file_path: str, **kwargs: Any) -> None:
        size = int(kwargs.pop(READERS_PARAM, DEFAULT_READERS))
        super().__init__(file_path, **kwargs)
        self.readers = reader_pool(file_path, self.pragmas, size)

    async def close(self) -> None:
        try:
            if self.readers is not None:
                await self.readers.close()
        finally:
            await super().close()

    @translate_exceptions
    async def read_rows(self, query: str, values: list[Any]) -> list[sqlite3.Row]:
        """A read-only statement on a read connection (the main one if there
        are none), logged as Tortoise logs its own."""
        if self.readers is None:
            _, rows = await self.execute_query(query, values)
            return list(rows)
        query = query.replace("\x00", "'||CHAR(0)||'")
        self.log.debug("%s: %s", query, values)
        return await self.readers.fetch(query, values)


client_class = ReadingSqliteClient

SQLITE_CONFIG_MEMSTATUS = 9


def skip_memory_statistics() -> bool:
    """Turn off SQLite's count of the memory it holds (``SQLITE_CONFIG_MEMSTATUS``).

    The count takes one process-wide mutex around every allocation SQLite
    makes: a quarter of the CPU of the dashboard's grouping statements, and a
    lock its read connections would queue on. Accord never reads the count
    (nor sets a soft heap limit, which needs it). SQLite takes the setting only
    while it is shut down, so this may run only while the process holds no
    SQLite connection: `accord serve` calls it before serving. False where it
    did not apply (a Python whose SQLite is not a library we can reach)."""
    try:
        library = ctypes.CDLL(_sqlite3.__file__)
        shutdown, config = library.sqlite3_shutdown, library.sqlite3_config
        initialize = library.sqlite3_initialize
    except (OSError, AttributeError):
        return False
    if shutdown() != 0:
        return False
    done = config(SQLITE_CONFIG_MEMSTATUS, ctypes.c_int(0)) == 0
    if initialize() != 0:
        raise RuntimeError("SQLite did not start again after its configuration")
    return bool(done)
