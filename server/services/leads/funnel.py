"""The live stage funnel: how many leads stand in each stage, now.

Counting leads per stage on every request is a full scan; one counter row per
stage, updated in every stage change's transaction, would serialise all of them
on a hot row. So each stage change inserts +1/-1 rows (`StageCountDelta`,
insert-only, written with the change by `lead_store.record_stage_changes`), a
periodic fold moves them into `StageCount` and deletes them in one short
transaction, and the funnel reads both: the counts plus the deltas not folded
yet — one small statement, exact at every instant.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from server import db
from server.domain.leads.stages import LeadStage

FOLD_INTERVAL = 5.0
ADVISORY_KEY = 7_324_002


async def funnel() -> dict[str, int]:
    """Leads per stage, every stage listed (zero when empty)."""
    rows = await db.fetch(
        "SELECT stage, SUM(n) AS n FROM (SELECT stage, count AS n FROM stage_count "
        "UNION ALL SELECT stage, delta AS n FROM stage_count_delta) AS c "
        "GROUP BY stage"
    )
    found = {str(r["stage"]): int(r["n"]) for r in rows}
    return {stage.value: found.get(stage.value, 0) for stage in LeadStage}


async def fold() -> int:
    """Move the deltas written so far into the counts; how many were folded.

    The deltas are deleted and summed by one statement (``DELETE … RETURNING``),
    so a delta committed meanwhile is either in this fold or in the next, never
    lost; on PostgreSQL an advisory lock keeps two workers from folding at once."""
    async with in_transaction():
        if db.dialect() != "sqlite":
            got = await db.fetch(
                "SELECT pg_try_advisory_xact_lock(?) AS got", ADVISORY_KEY
            )
            if not got[0]["got"]:
                return 0
        rows = await db.fetch("DELETE FROM stage_count_delta RETURNING stage, delta")
        sums: dict[str, int] = {}
        for row in rows:
            sums[row["stage"]] = sums.get(row["stage"], 0) + int(row["delta"])
        for stage, change in sorted(sums.items()):
            await db.execute(
                "INSERT INTO stage_count (stage, count) VALUES (?, ?) "
                "ON CONFLICT (stage) DO UPDATE SET count = stage_count.count + "
                "excluded.count",
                stage,
                change,
            )
        return len(rows)
