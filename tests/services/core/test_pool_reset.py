"""Pooled PostgreSQL connections are reset in full only after a statement that
may leave session state behind (`server.db.PooledConnection`)."""

from __future__ import annotations

import pytest

from server import db

pytestmark = [pytest.mark.usefixtures("database"), pytest.mark.only_backend("postgres")]
KEY = 912_345


async def _advisory_locks() -> int:
    rows = await db.fetch(
        "SELECT COUNT(*) AS n FROM pg_locks WHERE locktype = 'advisory' "
        "AND objid = ? AND granted",
        KEY,
    )
    return int(rows[0]["n"])


async def test_a_plain_statement_needs_no_reset() -> None:
    async with db.connection().acquire_connection() as conn:
        await conn.fetch("SELECT 1 AS one")
        await conn.execute("UPDATE app_user SET name = name WHERE id = $1", -1)
        assert conn.session_state is False


async def test_a_session_lock_left_behind_is_released_with_the_connection() -> None:
    async with db.connection().acquire_connection() as conn:
        assert await conn.fetchval("SELECT pg_try_advisory_lock($1)", KEY)
        assert conn.session_state is True
    assert await _advisory_locks() == 0


async def test_a_setting_changed_on_a_connection_is_reset() -> None:
    async with db.connection().acquire_connection() as conn:
        await conn.execute("set application_name = 'left-behind'")
    # Every connection the pool hands out next has the default again.
    held = []
    pool = db.connection()._pool  # type: ignore[attr-defined]
    for _ in range(pool.get_size()):
        held.append(await pool.acquire())
    try:
        for conn in held:
            assert await conn.fetchval("SHOW application_name") != "left-behind"
    finally:
        for conn in held:
            await pool.release(conn)


async def test_a_transaction_left_open_is_rolled_back() -> None:
    async with db.connection().acquire_connection() as conn:
        await conn.execute("BEGIN")
        await conn.execute("SELECT pg_advisory_xact_lock($1)", KEY)
    assert await _advisory_locks() == 0


@pytest.mark.parametrize(
    ("query", "leaves"),
    [
        ("SELECT pg_try_advisory_lock($1)", True),
        ("select PG_ADVISORY_LOCK(1, 2)", True),
        ("SELECT pg_advisory_xact_lock($1)", False),
        ("  SET statement_timeout = 5", True),
        ("RESET ALL", True),
        ("LISTEN accord_events", True),
        ("DECLARE c CURSOR WITH HOLD FOR SELECT 1", True),
        ("SELECT l.id FROM lead l WHERE l.stage IN ($1)", False),
        ("UPDATE lead SET score = 1", False),
    ],
)
def test_which_statements_leave_session_state(query: str, leaves: bool) -> None:
    assert db._leaves_session_state(query) is leaves


async def test_sessions_run_without_parallel_workers_even_after_a_reset() -> None:
    """Accord runs a request's statements side by side itself: its sessions
    ask PostgreSQL for no parallel workers (`server.db.PARALLEL`), and a reset
    connection keeps that default."""
    async with db.connection().acquire_connection() as conn:
        assert await conn.fetchval("SHOW max_parallel_workers_per_gather") == "0"
        await conn.execute("SET max_parallel_workers_per_gather = 2")
    for _ in range(3):
        async with db.connection().acquire_connection() as conn:
            assert await conn.fetchval("SHOW max_parallel_workers_per_gather") == "0"


def test_the_database_url_may_ask_for_parallel_workers() -> None:
    url = "postgres://u@127.0.0.1:5432/x?max_parallel_workers_per_gather=2"
    credentials = db.tortoise_config(url)["connections"]["default"]["credentials"]
    assert credentials["server_settings"] == {db.PARALLEL: "2"}
    assert db.PARALLEL not in {k for k in credentials if k != "server_settings"}
