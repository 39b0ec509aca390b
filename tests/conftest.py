"""Test fixtures: every database test runs on SQLite and, when configured, PostgreSQL.

Set ACCORD_TEST_POSTGRES_URL (for example postgres://postgres@127.0.0.1:5432/test)
to add PostgreSQL: a fresh database is created for the test session and dropped
after it. In CI (CI=true) PostgreSQL is required: a missing server fails the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from starlette.applications import Starlette
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.context import TortoiseContext

from server import db
from server.app import create_app
from server.clock import clock
from server.services.core import mutations
from server.services.core import outbox as events
from server.services.people import auth
from server.settings import Settings
from server.wiring import wire
from tests.helpers import TEST_SECRET, Api

PG_URL = os.environ.get("ACCORD_TEST_POSTGRES_URL", "")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# SQLite in a file: the backend of the tests marked ``read_connections``.
SQLITE_FILE = "sqlite_file"


def _backends() -> list[str]:
    if IN_CI and not PG_URL:
        raise RuntimeError(
            "CI needs ACCORD_TEST_POSTGRES_URL: PostgreSQL must be tested"
        )
    return ["sqlite", "postgres"] if PG_URL else ["sqlite"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        only = [m.args[0] for m in metafunc.definition.iter_markers("only_backend")]
        backends = _backends()
        if metafunc.definition.get_closest_marker("read_connections"):
            backends.insert(1, SQLITE_FILE)
        names = [b for b in backends if not only or b in only]
        if not names:
            names = only  # a PostgreSQL-only test with no PostgreSQL: skipped below
        metafunc.parametrize("backend", names, scope="session")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The fuzz stage's case counts, shown even when its tests pass quietly."""
    from tests.fuzzing import SUMMARY

    for line in SUMMARY:
        terminalreporter.write_line(line)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "only_backend(name): run on one backend only")
    config.addinivalue_line(
        "markers",
        "read_connections: also run on a SQLite file, where `db.read` runs on "
        "the read connections (in memory it cannot)",
    )


async def _create_database(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def _drop_database(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextlib.contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database named after ``prefix`` (the test is
    skipped without ACCORD_TEST_POSTGRES_URL); dropped afterwards."""
    if not PG_URL:
        pytest.skip("PostgreSQL not configured (ACCORD_TEST_POSTGRES_URL)")
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = PG_URL.replace("postgres://", "postgresql://", 1)
    asyncio.run(_create_database(admin, name))
    try:
        yield _with_database(PG_URL, name)
    finally:
        asyncio.run(_drop_database(admin, name))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, with the schema migrated."""
    with scratch_database("accord_test") as url:
        asyncio.run(_migrate(url))
        yield url


async def _migrate(url: str) -> None:
    from tortoise.migrations.api import migrate as migrate_api

    ctx = await db.open_database(Settings(database_url=url), global_fallback=False)
    try:
        await migrate_api(config=db.tortoise_config(url))
    finally:
        await db.close_database(ctx)


TABLES_TO_KEEP = {"tortoise_migrations"}


async def _truncate_all() -> None:
    rows = await db.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    )
    names = [r["tablename"] for r in rows if r["tablename"] not in TABLES_TO_KEEP]
    if names:
        quoted = ", ".join(f'"{n}"' for n in names)
        await db.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")


@pytest.fixture
def settings(backend: str, request: pytest.FixtureRequest) -> Settings:
    url = "sqlite://:memory:"
    if backend == "postgres":
        url = request.getfixturevalue("postgres_url")
    if backend == SQLITE_FILE:
        url = f"sqlite://{request.getfixturevalue('tmp_path')}/accord.db"
    # Tests call the sweeper themselves, at the instants they set: the app's own
    # would run whenever a test happens to pass its 15 seconds.
    # Credentials are checked on every request here: tests write users and
    # credentials straight into the tables and pin statement counts with the
    # check in them (`tests/api/people/test_credential_cache.py` turns it on).
    result = Settings(
        database_url=url,
        secret_key=TEST_SECRET,
        test_clock=True,
        sweep_seconds=3600,
        credential_cache_seconds=0.0,
    )
    wire(result)
    return result


@pytest.fixture
async def database(settings: Settings, backend: str) -> AsyncIterator[TortoiseContext]:
    """An empty database in its own Tortoise context."""
    consumers, listeners = dict(events._consumers), list(events._listeners)
    _reset_process_state()
    ctx = TortoiseContext()
    async with ctx:
        await ctx.init(config=db.tortoise_config(settings.database_url))
        if backend != "postgres":
            await ctx.generate_schemas(safe=False)
        else:
            await _truncate_all()
        yield ctx
    _reset_process_state()
    events._consumers.update(consumers)
    events._listeners.extend(listeners)


def _reset_process_state() -> None:
    # Tortoise caches insert/update SQL per connection name across contexts; the
    # suite switches between SQLite and PostgreSQL under the same name.
    EXECUTOR_CACHE.clear()
    clock.reset()
    auth.touches.sessions.clear()
    auth.touches.tokens.clear()
    auth.per_account._hits.clear()
    auth.per_address._hits.clear()
    mutations.set_fault_exit_after_commit(False)
    events._consumers.clear()
    events._listeners.clear()


@pytest.fixture
async def app(
    settings: Settings, database: TortoiseContext
) -> AsyncIterator[Starlette]:
    """The real application, sharing the test's database context."""
    application = create_app(settings, manage_database=False)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def api(app: Starlette) -> AsyncIterator[Api]:
    async with Api.for_app(app) as client:
        yield client
