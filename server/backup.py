"""`accord backup` and `accord restore` (SPEC §5): a copy of the whole database
that can be taken while the server runs, and put back into an empty database.

- SQLite: sqlite3's online backup API copies the live file in one step, inside
  one read transaction, so the copy is the database as it stood when the
  backup began, whatever the server commits meanwhile (WAL mode lets writers go
  on). The backup is itself a SQLite file.
- PostgreSQL: ``pg_dump --format=custom`` (one repeatable-read snapshot, so
  consistent while the server writes) when ``pg_dump`` is installed; restored
  with ``pg_restore`` in one transaction. Without the client tools the command
  says so and how to get them.

The output is written to ``FILE.partial`` and renamed when complete, so a
half-written backup never carries the final name. A restore goes into an empty
database only (no tables at all); anything else is refused, never merged.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
# What libpq understands in a URL's query; the pool sizes Accord adds are not.
LIBPQ_PARAMS = frozenset(
    {
        "sslmode",
        "sslrootcert",
        "sslcert",
        "sslkey",
        "sslpassword",
        "connect_timeout",
        "application_name",
        "options",
        "target_session_attrs",
    }
)
PAGES_PER_STEP = 4096


class BackupError(Exception):
    """A one-line reason for the operator."""


@dataclass(frozen=True)
class Done:
    path: Path
    size: int
    kind: str  # "sqlite" or "postgres"

    def describe(self, verb: str) -> str:
        megabytes = self.size / 1_000_000
        return f"{verb} {self.path} ({megabytes:.1f} MB, {self.kind})"


Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    return None


def sqlite_file(database_url: str) -> Path | None:
    parts = urlsplit(database_url)
    if parts.scheme != "sqlite":
        return None
    path = parts.netloc + parts.path
    if path == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(path)


def libpq_url(database_url: str) -> str:
    """The PostgreSQL URL as pg_dump and pg_restore take it."""
    parts = urlsplit(database_url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k in LIBPQ_PARAMS]
    return urlunsplit(parts._replace(scheme="postgresql", query=urlencode(query)))


def backup(database_url: str, output: Path, progress: Progress = _quiet) -> Done:
    if output.exists():
        raise BackupError(f"{output} exists: give a new file name")
    if not output.parent.is_dir():
        raise BackupError(f"{output.parent} is not a directory")
    partial = output.with_name(output.name + ".partial")
    try:
        source = sqlite_file(database_url)
        if source is not None:
            _backup_sqlite(source, partial, progress)
            kind = "sqlite"
        else:
            _backup_postgres(database_url, partial)
            kind = "postgres"
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    return Done(output, output.stat().st_size, kind)


def _backup_sqlite(source: Path, partial: Path, progress: Progress) -> None:
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(partial)
    try:

        def report(status: int, remaining: int, total: int) -> None:
            progress(f"copied {total - remaining} of {total} pages")

        # pages=-1: the whole database in one step, under one read transaction,
        # so concurrent commits are either wholly in the copy or not at all.
        src.backup(dst, pages=-1, progress=report)
        dst.execute("PRAGMA journal_mode=DELETE")
        dst.commit()
    except sqlite3.Error as exc:
        raise BackupError(f"the backup failed: {exc}") from None
    finally:
        dst.close()
        src.close()


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed: PostgreSQL backups use the PostgreSQL "
            "client tools (Debian/Ubuntu: apt-get install postgresql-client, of "
            "the server's major version or newer)"
        )
    return found


def _backup_postgres(database_url: str, partial: Path) -> None:
    pg_dump = _tool("pg_dump")
    _run(
        [
            pg_dump,
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={partial}",
            f"--dbname={libpq_url(database_url)}",
        ],
        "pg_dump",
    )


def _run(command: list[str], name: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{name} failed: {lines[0] if lines else done.returncode}")


def backup_kind(path: Path) -> str:
    """``sqlite`` or ``postgres``, from the file's first bytes."""
    if not path.is_file():
        raise BackupError(f"no backup at {path}")
    with path.open("rb") as found:
        head = found.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgres"
    raise BackupError(f"{path} is not an Accord backup (neither SQLite nor pg_dump)")


def restore_sqlite(
    backup_file: Path, target: Path, progress: Progress = _quiet
) -> Done:
    """Copy a SQLite backup into the (absent or empty) database file."""
    if target.exists() and _sqlite_tables(target):
        raise BackupError(
            f"the database at {target} is not empty: restore into a new, empty "
            "database (move the old file away first)"
        )
    src = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    try:
        if src.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError(f"{backup_file} is damaged (quick_check failed)")
        dst = sqlite3.connect(target)
        try:
            src.backup(dst, pages=PAGES_PER_STEP, progress=_pages(progress))
            dst.execute("PRAGMA journal_mode=WAL")
        finally:
            dst.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"the restore failed: {exc}") from None
    finally:
        src.close()
    return Done(target, target.stat().st_size, "sqlite")


def _pages(progress: Progress) -> Callable[[int, int, int], None]:
    def report(status: int, remaining: int, total: int) -> None:
        progress(f"restored {total - remaining} of {total} pages")

    return report


def _sqlite_tables(path: Path) -> list[str]:
    found = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = found.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a SQLite database: {exc}") from None
    finally:
        found.close()
    return [str(r[0]) for r in rows]


def restore_postgres(database_url: str, backup_file: Path) -> None:
    """pg_restore into the database (checked empty by the caller), in one
    transaction: a failed restore leaves it empty."""
    pg_restore = _tool("pg_restore")
    _run(
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={libpq_url(database_url)}",
            str(backup_file),
        ],
        "pg_restore",
    )


POSTGRES_TABLES = (
    "SELECT table_schema || '.' || table_name AS name FROM information_schema.tables "
    "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') "
    "AND table_schema NOT LIKE 'pg_toast%' LIMIT 5"
)
