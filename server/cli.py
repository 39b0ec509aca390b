"""The `accord` command: serve, migrate, create-user, export-schema.

Every failure ends with exit status 1 and one line saying why.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Coroutine
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
    from server.app import configure_services
    from server.services import users

    configure_services(settings)

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
    from server.app import configure_services
    from server.services import passwords, users

    configure_services(settings)

    async def work() -> None:
        if await _pending(settings):
            raise CommandError(
                "the database is not migrated: run `accord migrate` first"
            )
        if await users.count_users():
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
    uvicorn.run(
        "server.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=settings.log_level.lower(),
        access_log=False,
        proxy_headers=False,
    )


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
    except CommandError as exc:
        print(f"accord {args.command}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
