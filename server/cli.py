"""The `accord` command: serve, migrate, create-user, demo-data, export-schema,
backup, restore, import-csv.

Every failure ends with exit status 1 and one line saying why.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from server.settings import Settings, SettingsError, load_settings


class CommandError(Exception):
    """A one-line reason for the operator."""


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise CommandError("bad settings: " + "; ".join(exc.problems)) from None


async def _with_database(settings: Settings, work: Callable[[], Awaitable[Any]]) -> Any:
    from server import db

    try:
        ctx = await db.open_database(settings, global_fallback=False)
    except Exception as exc:
        raise CommandError(f"cannot reach the database: {_reason(exc)}") from None
    try:
        try:
            await db.fetch("SELECT 1 AS ok")
        except Exception as exc:
            raise CommandError(f"cannot reach the database: {_reason(exc)}") from None
        return await work()
    finally:
        await db.close_database(ctx)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


async def migrate(settings: Settings, quiet: bool = False) -> list[str]:
    """Apply every pending migration; return their names."""
    from tortoise.migrations.api import migrate as migrate_api

    from server import db

    async def work() -> list[str]:
        pending = await db.pending_migrations()
        await migrate_api(config=db.tortoise_config(settings.database_url))
        return pending

    applied: list[str] = await _with_database(settings, work)
    if not quiet:
        print(
            f"applied {len(applied)} migration(s)"
            + (": " + ", ".join(applied) if applied else "")
        )
    return applied


async def create_user(settings: Settings, args: argparse.Namespace) -> None:
    from server.services.people import users
    from server.wiring import wire

    wire(settings)

    async def work() -> None:
        if await _pending(settings):
            raise CommandError(
                "the database is not migrated: run `accord migrate` first"
            )
        new = users.NewUser(
            args.email,
            args.name,
            args.team.upper(),
            args.role.upper(),
            args.timezone,
            args.password,
        )
        outcome = await users.create_user_from_cli(new)
        if outcome.errors:
            raise CommandError(
                "; ".join(
                    f"{'.'.join(e.field) or 'input'}: {e.message}"
                    for e in outcome.errors
                )
            )
        assert outcome.result is not None
        print(
            f"created {outcome.result.email} ({args.team.upper()} {args.role.upper()})"
        )

    await _with_database(settings, work)


async def bootstrap(settings: Settings, args: argparse.Namespace) -> None:
    """Create the first admin, with a generated password, when there are no users."""
    from server.services.people import passwords, users
    from server.services.people import reads as user_reads
    from server.wiring import wire

    wire(settings)

    async def work() -> None:
        if await _pending(settings):
            raise CommandError(
                "the database is not migrated: run `accord migrate` first"
            )
        if await user_reads.count_users():
            print("users exist already: sign in with your account")
            return
        password = passwords.new_secret(12)
        new = users.NewUser(
            args.email, "Administrator", "LEADERSHIP", "ADMIN", "UTC", password
        )
        outcome = await users.create_user_from_cli(new)
        if outcome.errors:
            raise CommandError("; ".join(e.message for e in outcome.errors))
        print(
            "\n  First start: an admin account was created. Sign in with\n"
            f"    e-mail:   {args.email}\n    password: {password}\n"
            "  (shown once; change it after signing in)\n"
        )

    await _with_database(settings, work)


async def rescore(settings: Settings, args: argparse.Namespace) -> None:
    """Rescore every lead now, chunk by chunk, showing progress (or only show
    the progress of the latest job with --status)."""
    from server.services.core import mutations
    from server.services.leads import rescoring
    from server.wiring import wire

    wire(settings)

    async def work() -> None:
        if await _pending(settings):
            raise CommandError("the database is not migrated: run `accord migrate`")
        if not args.status:
            await mutations.run_trusted(
                "rescoreLeads", lambda tx: rescoring.request(tx, "MANUAL")
            )
            while (progress := await rescoring.run_chunk()) is not None:
                print(f"rescored {progress.done} of {progress.total} leads", end="\r")
        found = await rescoring.latest()
        if found is None:
            print("no rescoring has run yet")
            return
        state = "finished" if found.finished_at else "running"
        print(
            f"rescoring {found.reason} {state}: {found.done} of {found.total} "
            f"leads done, {found.remaining} left, {found.promoted} qualified"
        )

    await _with_database(settings, work)


async def demo_data(settings: Settings, args: argparse.Namespace) -> None:
    """Build the demo company into an empty database; print each person's
    e-mail and fresh password once."""
    from server import demo
    from server.wiring import wire

    wire(settings)
    now = _reference_instant(args.now)

    async def work() -> None:
        if await _pending(settings):
            raise CommandError(
                "the database is not migrated: run `accord migrate` first"
            )
        options = demo.DemoOptions(
            now, leads=args.leads, seed=args.seed, currency=settings.currency
        )
        try:
            report = await demo.build_demo(options)
        except demo.DemoRefused:
            if args.if_empty:
                print("users exist already: sign in with your account")
                return
            raise CommandError(
                "the database has users already: demo data goes into an empty "
                "database only"
            ) from None
        print(demo.describe(report))

    await _with_database(settings, work)


def _reference_instant(raw: str | None) -> datetime:
    if raw is None:
        return datetime.now(UTC).replace(second=0, microsecond=0)
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise CommandError(
            f"--now {raw!r}: give an ISO instant with an offset, "
            "such as 2025-06-02T16:00:00+00:00"
        )
    return moment.astimezone(UTC)


def _count(raw: str) -> int:
    value = int(raw)
    if not 1 <= value <= 1_000_000:
        raise ValueError(raw)
    return value


def _chunk(raw: str) -> int:
    value = int(raw)
    if not 1 <= value <= 500:
        raise ValueError(raw)
    return value


async def _pending(settings: Settings) -> list[str]:
    from server import db

    return await db.pending_migrations()


def serve(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    if args.workers > 1 and settings.is_sqlite:
        raise CommandError(
            f"--workers {args.workers} needs PostgreSQL: SQLite allows one "
            "writer process; set ACCORD_DATABASE_URL=postgres://… or use --workers 1"
        )
    pending = asyncio.run(_with_database(settings, lambda: _pending(settings)))
    if pending:
        raise CommandError(
            f"{len(pending)} migration(s) not applied: run `accord migrate` first"
        )
    if settings.is_sqlite:
        from server import sqlite

        sqlite.skip_memory_statistics()  # no connection is open here
    from server.transport import HTTP_PROTOCOL

    options: dict[str, Any] = dict(
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        # uvicorn[standard]'s C event loop and HTTP parser (what "auto" picks
        # when they are installed; named so a missing one fails at start), the
        # parser's protocol sending each response in one write.
        loop="uvloop",
        http=HTTP_PROTOCOL,
        log_level=settings.log_level.lower(),
        access_log=False,
        proxy_headers=False,
    )
    if args.workers == 1:
        uvicorn.run("server.app:create_app", **options)
        return
    # Several workers: the parent hands each connection to a worker in turn
    # (uvicorn's shared socket lets one worker take them all).
    from server import workers

    try:
        workers.serve(uvicorn.Config("server.app:create_app", **options))
    except workers.WorkerFailedToStart:
        raise CommandError("a worker failed to start (its log is above)") from None


def backup(settings: Settings, args: argparse.Namespace) -> None:
    from server import backup as backups

    try:
        done = backups.backup(settings.database_url, Path(args.output), _progress)
    except backups.BackupError as exc:
        raise CommandError(str(exc)) from None
    _progress("")
    print(done.describe("backed up to"))


async def restore(settings: Settings, args: argparse.Namespace) -> None:
    """Restore a backup into an empty database (never over data)."""
    from server import backup as backups
    from server import db

    source = Path(args.input)
    try:
        kind = backups.backup_kind(source)
        target = backups.sqlite_file(settings.database_url)
        if (target is None) != (kind == "postgres"):
            where = "SQLite" if target is not None else "PostgreSQL"
            raise CommandError(
                f"{source} is a {kind} backup and ACCORD_DATABASE_URL names a "
                f"{where} database: restore into the kind of database backed up"
            )
        if target is not None:
            done = backups.restore_sqlite(source, target, _progress)
            _progress("")
            print(done.describe("restored into"))
            return

        async def tables() -> list[str]:
            rows = await db.fetch(backups.POSTGRES_TABLES)
            return [str(r["name"]) for r in rows]

        found = await _with_database(settings, tables)
        if found:
            raise CommandError(
                "the database is not empty (it has " + ", ".join(found) + "…): "
                "restore into a new, empty database (createdb NAME)"
            )
        backups.restore_postgres(settings.database_url, source)
    except backups.BackupError as exc:
        raise CommandError(str(exc)) from None
    print(f"restored {source} into the PostgreSQL database")


async def import_csv(settings: Settings, args: argparse.Namespace) -> None:
    """A historical import from CSV files, chunk by chunk; bad rows listed with
    their lines, the good ones imported."""
    from server import csv_import
    from server.wiring import wire

    wire(settings)

    async def work() -> csv_import.Summary:
        if await _pending(settings):
            raise CommandError("the database is not migrated: run `accord migrate`")
        try:
            return await csv_import.import_files(
                Path(args.leads),
                Path(args.history) if args.history else None,
                Path(args.activities) if args.activities else None,
                args.as_admin,
                args.chunk,
                lambda message: print(message, file=sys.stderr),
            )
        except csv_import.ImportError_ as exc:
            raise CommandError(str(exc)) from None

    summary = await _with_database(settings, work)
    for problem in summary.problems:
        print(problem)
    print(summary.describe())
    if summary.problems:
        raise CommandError(
            f"{len(summary.problems)} problem(s), listed above; every other row "
            "was imported"
        )


def _progress(message: str) -> None:
    """One line of progress on a terminal, rewritten in place."""
    if sys.stderr.isatty():
        print(f"\r{message:<60}", end="" if message else "\r", file=sys.stderr)


def export_schema(args: argparse.Namespace) -> None:
    import schema

    text = schema.printed()
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(text)
        print(f"wrote {args.output}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="accord", description="Accord service commands."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="serve the API and the client")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--workers", type=int, default=1)
    sub.add_parser("migrate", help="apply database migrations")
    c = sub.add_parser("create-user", help="create a user with a password")
    c.add_argument("--email", required=True)
    c.add_argument("--name", required=True)
    c.add_argument("--team", required=True, help="MARKETING, SALES or LEADERSHIP")
    c.add_argument("--role", required=True, help="MEMBER, MANAGER or ADMIN")
    c.add_argument("--password", required=True)
    c.add_argument("--timezone", default="UTC")
    b = sub.add_parser(
        "bootstrap", help="create the first admin when there are no users"
    )
    b.add_argument("--email", default="admin@accord.local")
    r = sub.add_parser("rescore", help="rescore every lead under the model in force")
    r.add_argument("--status", action="store_true", help="only show progress")
    d = sub.add_parser(
        "demo-data", help="build the demo company into an empty database"
    )
    d.add_argument(
        "--leads", type=_count, default=2000, help="how many leads (default 2000)"
    )
    d.add_argument("--seed", type=int, default=1, help="same seed, same company")
    d.add_argument(
        "--now",
        help="the instant the 90 days of history end (ISO, with an offset; "
        "default: now, to the minute)",
    )
    d.add_argument(
        "--if-empty",
        action="store_true",
        help="skip quietly (exit 0) when the database has users already",
    )
    k = sub.add_parser("backup", help="back up the database while it runs")
    k.add_argument("--output", required=True, help="the backup file to write")
    t = sub.add_parser("restore", help="restore a backup into an empty database")
    t.add_argument("--input", required=True, help="the backup file to read")
    i = sub.add_parser(
        "import-csv", help="import leads and their history from CSV files"
    )
    i.add_argument("--leads", required=True, help="the leads CSV")
    i.add_argument("--history", help="the stage history CSV")
    i.add_argument("--activities", help="the activities CSV")
    i.add_argument(
        "--as", dest="as_admin", required=True, help="the importing admin's e-mail"
    )
    i.add_argument(
        "--chunk", type=_chunk, default=200, help="leads per transaction (≤ 500)"
    )
    e = sub.add_parser("export-schema", help="print the GraphQL schema")
    e.add_argument("--output", default="-", help="file to write, - for stdout")
    return parser


def _run(coro: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coro)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        if args.command == "export-schema":
            export_schema(args)
            return 0
        settings = _settings()
        logging.getLogger().setLevel(settings.log_level)
        if args.command == "serve":
            if args.workers < 1:
                raise CommandError("--workers must be at least 1")
            serve(settings, args)
        elif args.command == "migrate":
            _run(migrate(settings))
        elif args.command == "create-user":
            _run(create_user(settings, args))
        elif args.command == "bootstrap":
            _run(bootstrap(settings, args))
        elif args.command == "demo-data":
            _run(demo_data(settings, args))
        elif args.command == "rescore":
            _run(rescore(settings, args))
        elif args.command == "backup":
            backup(settings, args)
        elif args.command == "restore":
            _run(restore(settings, args))
        elif args.command == "import-csv":
            _run(import_csv(settings, args))
    except CommandError as exc:
        print(f"accord {args.command}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
