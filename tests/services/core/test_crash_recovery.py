"""A crash right after a commit, or in the middle of a dispatch, loses no event
and handles none twice (ACCORD_FAULT_EXIT_AFTER_COMMIT injects the first)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from tortoise.migrations.api import migrate as migrate_api

from server import db
from server.models.core import AuditEntry, OutboxEvent
from server.services.core import outbox as events
from server.settings import Settings
from tests.helpers import TEST_SECRET

ROOT = Path(__file__).resolve().parents[3]


def run_worker(mode: str, database_url: str, *, fault: bool) -> int:
    env = {
        **os.environ,
        "ACCORD_DATABASE_URL": database_url,
        "ACCORD_SECRET_KEY": TEST_SECRET,
        "ACCORD_FAULT_EXIT_AFTER_COMMIT": "1" if fault else "0",
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.services.core.crash_worker", mode],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode in (70, 71), done.stderr
    return done.returncode


@pytest.fixture
async def shared_database(
    settings: Settings, backend: str, tmp_path: Path, database: object
) -> str:
    """A database URL another process can open too."""
    if backend == "postgres":
        return settings.database_url
    url = f"sqlite://{tmp_path}/crash.db"
    ctx = await db.open_database(Settings(database_url=url), global_fallback=False)
    try:
        await migrate_api(config=db.tortoise_config(url))
    finally:
        await db.close_database(ctx)
    return url


async def open_and(url: str, work):  # type: ignore[no-untyped-def]
    ctx = await db.open_database(Settings(database_url=url), global_fallback=False)
    try:
        return await work()
    finally:
        await db.close_database(ctx)


async def test_an_event_committed_just_before_a_crash_is_dispatched_after_restart(
    shared_database: str,
) -> None:
    assert run_worker("commit", shared_database, fault=True) == 70
    seen: list[str] = []

    async def record(batch: Sequence[OutboxEvent]) -> None:
        seen.extend(e.payload["why"] for e in batch)

    async def restart_and_dispatch() -> int:
        events.register_consumer("test", record)
        return await events.dispatch_once() + await events.dispatch_once()

    assert await open_and(shared_database, restart_and_dispatch) == 1
    assert seen == ["crash test"]


async def test_a_crash_inside_a_dispatch_redelivers_without_duplicating_effects(
    shared_database: str,
) -> None:
    run_worker("commit", shared_database, fault=True)
    assert run_worker("consume", shared_database, fault=False) == 71

    async def marker(batch: Sequence[OutboxEvent]) -> None:
        await AuditEntry.create(action="marker", at=batch[0].created_at, changes={})

    async def restart_and_dispatch() -> tuple[int, int, int]:
        events.register_consumer("marker", marker)
        handled = await events.dispatch_once()
        markers = await AuditEntry.filter(action="marker").count()
        left = await OutboxEvent.filter(dispatched_at__isnull=True).count()
        return handled, markers, left

    assert await open_and(shared_database, restart_and_dispatch) == (1, 1, 0)
