"""Database wiring: Tortoise configuration, start-up, dialect and migration status."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import os
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
from tortoise.backends.asyncpg.client import AsyncpgDBClient
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.base.config_generator import generate_config
from tortoise.backends.base_postgres.client import translate_exceptions
from tortoise.backends.sqlite.client import SqliteTransactionWrapper
from tortoise.context import TortoiseContext, get_current_context
from tortoise.exceptions import TransactionManagementError
from tortoise.migrations.executor import MigrationExecutor

from server import sqlite
from server.settings import DEFAULT_DATABASE_URL, Settings

APP_LABEL = "models"
MODEL_MODULES = ["server.models"]
MIGRATIONS_MODULE = "server.migrations"
SQLITE_PRAGMAS = {
    "busy_timeout": "10000",
    "synchronous": "NORMAL",
    "journal_mode": "WAL",
    # 16 MiB of page cache per connection (SQLite's default is 2 MiB): the
    # dashboard's index scans then stay in SQLite's cache between requests
    # instead of being read again from the OS (10–40 % less per statement).
    "cache_size": "-16384",
}
PG_POOL = {"minsize": "1", "maxsize": "10"}
# PostgreSQL's parallel workers per statement, for Accord's sessions (the URL's
# ``?max_parallel_workers_per_gather=N`` overrides): none by default. Accord
# already runs a request's statements side by side and serves requests at once,
# so a statement's helper processes only compete for the same cores: two
# dashboards at once took 245–251 ms without them against 272–277 ms with 2.
PARALLEL = "max_parallel_workers_per_gather"
PARALLEL_DEFAULT = "0"


def connection_url(database_url: str) -> str:
    """Add the pragmas (SQLite) or pool sizes (PostgreSQL) an operator did not set."""
    parts = urlsplit(database_url)
    query = dict(parse_qsl(parts.query))
    defaults = SQLITE_PRAGMAS if parts.scheme == "sqlite" else PG_POOL
    merged = {**defaults, **query}
    return urlunsplit(parts._replace(query=urlencode(merged)))


def sqlite_path(database_url: str) -> Path | None:
    if not database_url.startswith("sqlite://"):
        return None
    path = urlsplit(database_url).netloc + urlsplit(database_url).path
    return None if path == ":memory:" else Path(path)


class PooledConnection(asyncpg.Connection):  # type: ignore[misc]
    """A pooled PostgreSQL connection that is reset only when it needs it.

    asyncpg's pool sends ``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *;
    RESET ALL`` on every release: a round trip per statement outside a
    transaction, which on a one-statement page costs the server and PostgreSQL
    more than the statement itself. Accord's statements leave no session state
    behind except session advisory locks, LISTEN and ``SET``; this connection
    notes when one of those is asked for and only then is reset in full.
    (An open transaction is always rolled back by the pool, whatever this says.)
    """

    __slots__ = ("session_state",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session_state = False

    def _note(self, query: str) -> None:
        if not self.session_state and _leaves_session_state(query):
            self.session_state = True

    def add_listener(self, channel: str, callback: Any) -> Any:
        self.session_state = True
        return super().add_listener(channel, callback)


def _noting(name: str) -> Any:
    """``Connection.<name>(query, …)`` that first notes what ``query`` leaves."""
    method = getattr(asyncpg.Connection, name)

    def noted(self: PooledConnection, query: str, *args: Any, **kwargs: Any) -> Any:
        self._note(query)
        return method(self, query, *args, **kwargs)

    noted.__name__ = noted.__qualname__ = name
    return noted


for _name in (
    "execute",
    "executemany",
    "fetch",
    "fetchval",
    "fetchrow",
    "fetchmany",
    "cursor",
    "prepare",
):
    setattr(PooledConnection, _name, _noting(_name))

_SESSION_COMMANDS = ("SET", "RESET", "LISTEN", "DECLARE", "PREPARE", "LOAD")


def _leaves_session_state(query: str) -> bool:
    """Whether a statement may leave state in the session once it is done:
    a session advisory lock (the ``_xact_`` ones end with their transaction),
    a setting, a LISTEN, a cursor WITH HOLD, a prepared statement."""
    if "advisory_lock" in query.lower():
        return True
    head = query.lstrip()[:8].upper()
    return head.startswith(_SESSION_COMMANDS)


async def reset_pooled(connection: asyncpg.Connection) -> None:
    """The pool's reset (after asyncpg rolled back any open transaction)."""
    if getattr(connection, "session_state", True):
        await connection.execute(connection.get_reset_query())
        connection.session_state = False


def tortoise_config(database_url: str) -> dict[str, Any]:
    config: dict[str, Any] = generate_config(
        connection_url(database_url), app_modules={APP_LABEL: MODEL_MODULES}
    )
    if urlsplit(database_url).scheme == "sqlite":
        config["connections"]["default"]["engine"] = sqlite.__name__
    else:
        credentials = config["connections"]["default"]["credentials"]
        credentials["connection_class"] = PooledConnection
        credentials["reset"] = reset_pooled
        credentials["server_settings"] = {
            PARALLEL: str(credentials.pop(PARALLEL, PARALLEL_DEFAULT))
        }
    config["apps"][APP_LABEL]["migrations"] = MIGRATIONS_MODULE
    config["use_tz"] = True
    config["timezone"] = "UTC"
    return config


async def _begin_immediate(self: SqliteTransactionWrapper) -> None:
    """Take SQLite's write lock when a transaction starts.

    Tortoise issues a plain (deferred) BEGIN; a deferred transaction that later
    writes while another process holds the lock fails at once with "database is
    locked" instead of waiting out the busy timeout. Every Accord transaction may
    write, so it asks for the lock up front and waits for it like any statement.
    """
    try:
        await self._connection.commit()
        await self._connection.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise TransactionManagementError(exc) from exc


SqliteTransactionWrapper.begin = _begin_immediate  # type: ignore[method-assign]


# For Tortoise's own `tortoise makemigrations` (see pyproject.toml [tool.tortoise]).
TORTOISE_ORM = tortoise_config(
    os.environ.get("ACCORD_DATABASE_URL", DEFAULT_DATABASE_URL)
)


async def open_database(
    settings: Settings, *, global_fallback: bool
) -> TortoiseContext:
    """Initialise a Tortoise context; ``global_fallback`` lets request tasks see it."""
    path = sqlite_path(settings.database_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    ctx = TortoiseContext()
    ctx.__enter__()
    try:
        await ctx.init(
            config=tortoise_config(settings.database_url),
            _enable_global_fallback=global_fallback,
        )
    except BaseException:
        await ctx.__aexit__(None, None, None)
        raise
    return ctx


async def close_database(ctx: TortoiseContext) -> None:
    await ctx.__aexit__(None, None, None)


def connection() -> BaseDBAsyncClient:
    ctx = get_current_context()
    if ctx is None:
        raise RuntimeError("the database is not open")
    return ctx.db()


def dialect() -> str:
    """``sqlite`` or ``postgres``: the few SQL statements that differ branch on it."""
    return "sqlite" if connection().capabilities.dialect == "sqlite" else "postgres"


async def pending_migrations() -> list[str]:
    """Names of migrations on disk that the database has not applied yet."""
    ctx = get_current_context()
    assert ctx is not None
    apps = {APP_LABEL: {"models": MODEL_MODULES, "migrations": MIGRATIONS_MODULE}}
    executor = MigrationExecutor(connection(), apps)
    plan = await executor.plan(None)
    return [f"{step.migration.app_label}.{step.migration.name}" for step in plan]


def placeholders(sql: str) -> str:
    """Write SQL with ``?`` placeholders; PostgreSQL gets ``$1, $2, …``."""
    if dialect() == "sqlite":
        return sql
    return _numbered(sql)


@functools.lru_cache(maxsize=4096)
def _numbered(sql: str) -> str:
    parts = sql.split("?")
    out = [parts[0]]
    for n, part in enumerate(parts[1:], start=1):
        out.append(f"${n}{part}")
    return "".join(out)


async def fetch(sql: str, *params: object) -> list[dict[str, Any]]:
    """Run one statement on the current connection (or transaction) and return rows."""
    client = connection()
    if isinstance(client, AsyncpgDBClient):
        rows: list[dict[str, Any]] = await _fetch_dicts(
            client, _numbered(sql), list(params)
        )
        return rows
    return await client.execute_query_dict(placeholders(sql), list(params))


@translate_exceptions
async def _fetch_dicts(
    client: AsyncpgDBClient, query: str, values: list[Any]
) -> list[dict[str, Any]]:
    """Tortoise's `execute_query_dict` on asyncpg (the same connection,
    statement log and exceptions) with each row's dict made from its column
    names once per statement: a third cheaper on a page of wide rows."""
    async with client.acquire_connection() as conn:
        client.log.debug("%s: %s", query, values)
        records = await conn.fetch(query, *values)
    if not records:
        return []
    names = tuple(records[0].keys())
    return [dict(zip(names, record, strict=True)) for record in records]


async def fetch_values(sql: str, *params: object) -> list[Sequence[Any]]:
    """`fetch` with each row as its values in the order selected: for the
    passes that read tens of thousands of rows, where a dict per row costs."""
    _, rows = await connection().execute_query(placeholders(sql), list(params))
    return list(cast(Sequence[Sequence[Any]], rows))


async def read(sql: str, *params: object) -> list[dict[str, Any]]:
    """`fetch` for a statement that only reads: outside a transaction on
    SQLite, on one of the read connections (`server.sqlite`), so that reads
    run beside each other and beside the writer; anywhere else as `fetch`."""
    client = connection()
    if isinstance(client, sqlite.ReadingSqliteClient):
        return [dict(row) for row in await client.read_rows(sql, list(params))]
    return await fetch(sql, *params)


async def read_values(sql: str, *params: object) -> list[Sequence[Any]]:
    """`fetch_values` for a statement that only reads, where `read` runs it."""
    client = connection()
    if isinstance(client, sqlite.ReadingSqliteClient):
        return list(await client.read_rows(sql, list(params)))
    return await fetch_values(sql, *params)


async def execute(sql: str, *params: object) -> int:
    count, _ = await connection().execute_query(placeholders(sql), list(params))
    return int(count)


class _StatementSink(logging.Handler):
    """Collects every statement Tortoise's clients log, for the current task only."""

    def emit(self, record: logging.LogRecord) -> None:
        sink = _statements.get()
        if sink is None or not record.args or record.msg != "%s: %s":
            return
        args = record.args if isinstance(record.args, tuple) else (record.args,)
        sink.append(str(args[0]))


_statements: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "accord_sql_statements", default=None
)
_sink = _StatementSink()
_active_counters = 0


@contextlib.contextmanager
def count_statements() -> Iterator[list[str]]:
    """Record the SQL statements run inside the block (tests and the benchmark).

    Transaction control (BEGIN, COMMIT) is not counted: only data statements.
    """
    global _active_counters
    statements: list[str] = []
    token = _statements.set(statements)
    logger = logging.getLogger("tortoise.db_client")
    if _active_counters == 0:
        logger.addHandler(_sink)
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
    _active_counters += 1
    try:
        yield statements
    finally:
        _active_counters -= 1
        if _active_counters == 0:
            logger.removeHandler(_sink)
            logger.setLevel(logging.NOTSET)
            logger.propagate = True
        _statements.reset(token)
