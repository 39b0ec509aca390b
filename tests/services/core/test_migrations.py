"""The committed migrations build exactly the tables the models describe."""

from __future__ import annotations

import itertools
from pathlib import Path

from tortoise.migrations.api import migrate as migrate_api
from tortoise.migrations.autodetector import MigrationAutodetector

from server import db
from server.settings import Settings


async def test_migrations_and_models_agree(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path}/m.db"
    ctx = await db.open_database(Settings(database_url=url), global_fallback=False)
    try:
        await migrate_api(config=db.tortoise_config(url))
        assert await db.pending_migrations() == []
        apps = db.tortoise_config(url)["apps"]
        changes = await MigrationAutodetector(ctx.apps, apps).changes()
        assert changes == [], "run `tortoise makemigrations` and commit the migration"
        tables = {
            r["name"]
            for r in await db.fetch(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            )
        }
        assert {
            "app_user",
            "user_session",
            "api_token",
            "audit_entry",
            "outbox_event",
            "idempotency_record",
            "subject_sequence",
            "set_password_link",
        } <= tables
    finally:
        await db.close_database(ctx)


def test_the_migrations_form_one_chain_in_file_order() -> None:
    # Two capabilities landing at once must not both follow the same migration:
    # each file depends on the one before it, so there is one order everywhere.
    folder = Path(db.__file__).with_name("migrations")
    names = sorted(p.stem for p in folder.glob("[0-9][0-9][0-9][0-9]_*.py"))
    for before, after in itertools.pairwise(names):
        text = (folder / f"{after}.py").read_text(encoding="utf-8")
        assert f"('models', '{before}')" in text, f"{after} must follow {before}"
