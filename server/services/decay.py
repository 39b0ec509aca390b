"""The periodic decay pass: stored scores follow engagement as it ages.

Engagement is kept as decayed sums per lead and kind (`engagement_store`), whose
value at any later instant is one multiplication away, so the pass reads no
activity: it walks the leads that have engagement in chunks (keyset by id),
recomputes each one's engagement, score and breakdown at ``now`` from its
stored sums and its fit score (`scoring.decayed_numbers`), and writes the
numbers with one statement per chunk; the breakdown is rebuilt from the same
sums when it is read (`lead_scoring.breakdowns`), so it always adds up.
Decay never qualifies or demotes a lead (qualification is sticky within a
cycle), so the pass emits no events.

A row that another transaction rescored meanwhile (its ``scored_at`` moved) is
left alone: the newer score wins. On PostgreSQL an advisory lock keeps a second
worker from repeating a pass that is already running.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

from server import db
from server.domain.qualification_model import QualificationModel
from server.domain.scoring import numbers_of
from server.services import bulk, fetched
from server.services.lead_scoring import model_in_force

log = logging.getLogger("accord.decay")
CHUNK = 5000
ADVISORY_KEY = 7_324_001  # "decay" in the advisory lock space of this database
SCORE_COLUMNS = (
    ("score", "integer"),
    ("engagement_score", "numeric"),
    ("raw_score", "numeric"),
    ("scored_at", "timestamptz"),
)


@dataclass(frozen=True)
class DecayResult:
    leads: int
    changed: int


async def decay_pass(now: datetime) -> DecayResult:
    """Bring every stored score to ``now``; how many leads were looked at."""
    current = await _current_model()
    if current is None:
        return DecayResult(0, 0)
    model, activated_at = current
    if db.dialect() != "sqlite" and not await _try_lock():
        return DecayResult(0, 0)
    try:
        return await _walk(model, activated_at, now)
    finally:
        if db.dialect() != "sqlite":
            await db.fetch("SELECT pg_advisory_unlock(?)", ADVISORY_KEY)


async def _try_lock() -> bool:
    rows = await db.fetch("SELECT pg_try_advisory_lock(?) AS got", ADVISORY_KEY)
    return bool(rows[0]["got"])


async def _current_model() -> tuple[QualificationModel, datetime] | None:
    model = await model_in_force()
    if model is None:
        return None
    rows = await db.fetch(
        "SELECT activated_at FROM agreement WHERE in_force_slot = ?",
        "QUALIFICATION_MODEL",
    )
    activated = fetched.to_datetime(rows[0]["activated_at"])
    assert activated is not None
    return model, activated


async def _walk(
    model: QualificationModel, activated_at: datetime, now: datetime
) -> DecayResult:
    after, seen, changed = 0, 0, 0
    while True:
        async with in_transaction():
            rows = await _chunk(model, activated_at, after)
            if not rows:
                return DecayResult(seen, changed)
            changed += await _decay_chunk(model, rows, now)
        seen += len(rows)
        after = int(rows[-1]["id"])


async def _chunk(
    model: QualificationModel, activated_at: datetime, after: int
) -> list[dict[str, Any]]:
    """The next leads scored under the model in force (those without
    engagement are skipped when their sums are read)."""
    return await db.fetch(
        "SELECT id, fit_score, scored_at FROM lead WHERE id > ? "
        "AND scored_under = ? AND scored_at >= ? ORDER BY id LIMIT ?",
        after,
        model.revision,
        activated_at,
        CHUNK,
    )


async def _sums(first: int, last: int) -> dict[int, list[tuple[Any, ...]]]:
    """Every stored sum of the leads with ids in [first, last] (a range scan)."""
    rows = await db.fetch(
        "SELECT lead_id, kind, weight, as_of, count FROM lead_engagement "
        "WHERE lead_id >= ? AND lead_id <= ?",
        first,
        last,
    )
    found: dict[int, list[tuple[Any, ...]]] = {}
    for r in rows:
        found.setdefault(int(r["lead_id"]), []).append(
            (r["kind"], float(r["weight"]), fetched.to_datetime(r["as_of"]), r["count"])
        )
    return found


async def _decay_chunk(
    model: QualificationModel, rows: list[dict[str, Any]], now: datetime
) -> int:
    sums = await _sums(int(rows[0]["id"]), int(rows[-1]["id"]))
    updates = []
    for row in rows:
        key = int(row["id"])
        tallies = sums.get(key)
        if not tallies:
            continue
        fit = fetched.to_decimal(row["fit_score"]) or Decimal(0)
        numbers = numbers_of(model, fit, tallies, now)
        updates.append(
            (
                key,
                numbers.score,
                numbers.engagement_score,
                numbers.raw_score,
                now,
                row["scored_at"],
            )
        )
    return await bulk.update_columns(
        "lead", SCORE_COLUMNS, updates, guard=("scored_at", "timestamptz")
    )
