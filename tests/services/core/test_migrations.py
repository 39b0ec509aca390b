"""The committed migrations build exactly the tables the models describe."""

from __future__ import annotations

import itertools
from datetime import datetime
from pathlib import Path

from tortoise.migrations.api import migrate as migrate_api
from tortoise.migrations.autodetector import MigrationAutodetector

from server import db
from server.models import Lead
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


async def test_stage_spans_are_worked_out_for_the_history_already_there(
    tmp_path: Path,
) -> None:
    # Moves written before migration 0020 get `left_at` and `advanced` from the
    # migration: the same answer as `settle_stage_history` gives from then on.
    url = f"sqlite://{tmp_path}/m.db"
    ctx = await db.open_database(Settings(database_url=url), global_fallback=False)
    try:
        config = db.tortoise_config(url)
        await migrate_api(config=config, target="models.0019_chain_figures")
        at = "2026-03-0{}T09:00:00+00:00"
        instants = ("stage_entered_at", "cycle_started_at", "created_at")
        lead = await Lead.create(  # the lead table is the same before and after
            email="a@x.example",
            stage="SAL",
            updated_at=datetime.fromisoformat(at.format(1)),
            **dict.fromkeys(instants, datetime.fromisoformat(at.format(1))),
        )
        moves = [(1, "NEW", 1), (2, "MQL", 2), (3, "SAL", 3), (4, "MQL", 2)]
        for move_id, stage, day in moves:  # the last one written out of order
            await db.execute(
                "INSERT INTO stage_change (id, lead_id, to_stage, at, via) "
                "VALUES (?, ?, ?, ?, 'MOVE')",
                move_id,
                lead.id,
                stage,
                at.format(day),
            )
        await migrate_api(config=config)
        rows = await db.fetch(
            "SELECT id, left_at, advanced FROM stage_change ORDER BY id"
        )
        found = [(r["id"], r["left_at"], bool(r["advanced"])) for r in rows]
        assert [(i, str(left)[:10] if left else None, a) for i, left, a in found] == [
            (1, "2026-03-02", False),
            (2, "2026-03-02", True),  # the other MQL move came at the same instant
            (3, None, False),
            (4, "2026-03-03", True),
        ]
    finally:
        await db.close_database(ctx)
