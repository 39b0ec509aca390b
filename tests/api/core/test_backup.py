"""`accord backup` and `accord restore` in child processes (SPEC §5), on SQLite
and PostgreSQL: a backup taken while two clients write holds every row they
committed before it began, restores into an empty database only, and the
restored database is Accord's, migrations and all."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.conftest import scratch_database
from tests.helpers import TEST_SECRET

ROOT = Path(__file__).resolve().parents[3]
WRITERS = 2
INSERT = "INSERT INTO stage_count_delta (stage, delta) VALUES ('NEW', {})"


def accord(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ACCORD_DATABASE_URL": url, "ACCORD_SECRET_KEY": TEST_SECRET}
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def databases(backend: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A source and an empty target database of the backend."""
    if backend == "sqlite":
        yield f"sqlite://{tmp_path / 'live.db'}", f"sqlite://{tmp_path / 'new.db'}"
        return
    with (
        scratch_database("accord_backup") as live,
        scratch_database("accord_backup") as new,
    ):
        yield live, new


class Writer(threading.Thread):
    """A client committing one row at a time until told to stop; ``committed``
    holds each row's value once its commit returned."""

    def __init__(self, url: str, number: int) -> None:
        super().__init__(daemon=True)
        self.url, self.number = url, number
        self.committed: list[int] = []
        self.stop = threading.Event()
        self.failure: BaseException | None = None

    def values(self) -> Iterator[int]:
        n = 0
        while not self.stop.is_set():
            n += 1
            yield self.number * 1_000_000 + n

    def run(self) -> None:
        try:
            if self.url.startswith("sqlite://"):
                self._sqlite()
            else:
                asyncio.run(self._postgres())
        except BaseException as exc:  # reported by the test
            self.failure = exc

    def _sqlite(self) -> None:
        conn = sqlite3.connect(self.url.removeprefix("sqlite://"), timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        try:
            for value in self.values():
                conn.execute(INSERT.format(value))
                conn.commit()
                self.committed.append(value)
        finally:
            conn.close()

    async def _postgres(self) -> None:
        conn = await asyncpg.connect(self.url.replace("postgres://", "postgresql://"))
        try:
            for value in self.values():
                await conn.execute(INSERT.format(value))  # autocommit
                self.committed.append(value)
        finally:
            await conn.close()


def rows_in(url: str) -> set[int]:
    sql = "SELECT delta FROM stage_count_delta"
    if url.startswith("sqlite://"):
        with sqlite3.connect(url.removeprefix("sqlite://")) as conn:
            return {int(r[0]) for r in conn.execute(sql)}

    async def read() -> set[int]:
        conn = await asyncpg.connect(url.replace("postgres://", "postgresql://"))
        try:
            return {int(r[0]) for r in await conn.fetch(sql)}
        finally:
            await conn.close()

    return asyncio.run(read())


def wait_for(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_backup_under_write_load_restores_every_committed_row(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    source, target = databases
    assert accord("migrate", url=source).returncode == 0
    writers = [Writer(source, n) for n in range(1, WRITERS + 1)]
    for writer in writers:
        writer.start()
    try:
        wait_for(lambda: all(len(w.committed) >= 20 for w in writers))
        # every row committed before the backup begins must be in it
        before = {v for w in writers for v in list(w.committed)}
        output = tmp_path / "accord.backup"
        made = accord("backup", "--output", str(output), url=source)
        during = sum(len(w.committed) for w in writers) - len(before)
    finally:
        for writer in writers:
            writer.stop.set()
        for writer in writers:
            writer.join(30)
    assert [w.failure for w in writers] == [None] * WRITERS
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("backed up to ")
    assert during > 0, "the clients kept writing while the backup ran"

    restored = accord("restore", "--input", str(output), url=target)

    assert restored.returncode == 0, restored.stderr
    found = rows_in(target)
    assert before <= found
    committed = {v for w in writers for v in w.committed}
    assert found <= committed  # nothing half-written or invented
    # the restored database is Accord's, migrated to the last migration
    again = accord("migrate", url=target)
    assert again.stdout.strip() == "applied 0 migration(s)", again.stdout
    # and a second restore is refused: it is not empty any more
    refused = accord("restore", "--input", str(output), url=target)
    assert refused.returncode == 1
    assert "is not empty" in refused.stderr
    assert "restore into a new, empty database" in refused.stderr


def test_a_backup_never_overwrites_and_a_restore_checks_the_kind(
    tmp_path: Path,
) -> None:
    source = f"sqlite://{tmp_path / 'live.db'}"
    assert accord("migrate", url=source).returncode == 0
    output = tmp_path / "one.backup"
    assert accord("backup", "--output", str(output), url=source).returncode == 0

    twice = accord("backup", "--output", str(output), url=source)
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    foreign = accord(
        "restore", "--input", str(not_a_backup), url=f"sqlite://{tmp_path / 'x.db'}"
    )

    assert twice.returncode == 1 and "exists" in twice.stderr
    assert foreign.returncode == 1 and "is not an Accord backup" in foreign.stderr
    assert not list(tmp_path.glob("*.partial"))
