"""The periodic decay pass: stored scores follow engagement as it ages.

Engagement is kept as decayed sums per lead and kind (`engagement_store`), whose
value at any later instant is one multiplication away, so the pass reads no
activity: it walks the leads that have engagement in chunks (ranges of ids,
each read with its sums in one statement), recomputes each one's engagement
and score at ``now`` from its stored sums and its fit score
(`scoring.numbers_of`), and writes the numbers with one statement per chunk;
the breakdown is rebuilt from the same sums when it is read
(`lead_scoring.breakdowns`), so it always adds up. On PostgreSQL two walkers
take the two halves of the ids at once, each on its own connection, so the
database writes one chunk while Python computes the next.
Decay never qualifies or demotes a lead (qualification is sticky within a
cycle), so the pass emits no events.

A row that another transaction rescored meanwhile (its ``scored_at`` moved) is
left alone: the newer score wins. On PostgreSQL an advisory lock keeps a second
worker from repeating a pass that is already running.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

from server import db
from server.domain.qualification_model import QualificationModel
from server.domain.scoring import numbers_by_age
from server.services import bulk, fetched
from server.services.lead_scoring import model_in_force

log = logging.getLogger("accord.decay")
CHUNK = 5000  # ids per chunk (and at most as many leads)
WALKERS = 2  # on PostgreSQL; SQLite has one writer
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
    if db.dialect() == "sqlite":
        return await _walk_all(model, activated_at, now, 1)
    # The lock belongs to a session: one connection holds it for the whole pass
    # (the walkers' transactions take others from the pool).
    async with db.connection().acquire_connection() as session:
        if not await session.fetchval("SELECT pg_try_advisory_lock($1)", ADVISORY_KEY):
            return DecayResult(0, 0)
        try:
            return await _walk_all(model, activated_at, now, WALKERS)
        finally:
            await session.fetchval("SELECT pg_advisory_unlock($1)", ADVISORY_KEY)


async def _walk_all(
    model: QualificationModel, activated_at: datetime, now: datetime, walkers: int
) -> DecayResult:
    """Split the ids among ``walkers`` running at once."""
    bounds = await db.fetch("SELECT MIN(id) AS low, MAX(id) AS high FROM lead")
    low, high = bounds[0]["low"], bounds[0]["high"]
    if low is None:
        return DecayResult(0, 0)
    low, high = int(low), int(high)
    step = (high - low) // walkers + 1
    results = await asyncio.gather(
        *(
            _walk(model, activated_at, now, start, min(start + step, high + 1))
            for start in range(low, high + 1, step)
        )
    )
    return DecayResult(sum(r.leads for r in results), sum(r.changed for r in results))


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
    model: QualificationModel,
    activated_at: datetime,
    now: datetime,
    start: int,
    stop: int,
) -> DecayResult:
    """Decay the leads with ids in [start, stop), a chunk a transaction."""
    seen, changed = 0, 0
    for first in range(start, stop, CHUNK):
        async with in_transaction():
            sums = await _sums(model, activated_at, first, min(first + CHUNK, stop))
            changed += await _decay_chunk(model, sums, now)
        seen += len(sums)
    return DecayResult(seen, changed)


# (fit score, scored_at, kinds, weights, as_of in microseconds since the
# epoch, counts) of a lead
Sums = tuple[Any, Any, Sequence[str], Sequence[float], Sequence[int], Sequence[int]]
_MICROSECOND = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAY_US = 86_400_000_000


async def _sums(
    model: QualificationModel, activated_at: datetime, first: int, stop: int
) -> dict[int, Sums]:
    """The leads with ids in [first, stop) scored under the model in force and
    with engagement: each one's fit score, scored_at and stored sums."""
    where = (
        "WHERE l.id >= ? AND l.id < ? AND e.lead_id >= ? AND e.lead_id < ? "
        "AND l.scored_under = ? AND l.scored_at >= ?"
    )
    params = (first, stop, first, stop, model.revision, activated_at)
    joined = "FROM lead l JOIN lead_engagement e ON e.lead_id = l.id"
    if db.dialect() != "sqlite":
        # one row a lead, its sums as arrays (as_of exact, in microseconds)
        rows = await db.fetch_values(
            "SELECT l.id, l.fit_score, l.scored_at, array_agg(e.kind), "
            "array_agg(e.weight), "
            "array_agg((EXTRACT(EPOCH FROM e.as_of) * 1000000)::bigint), "
            f"array_agg(e.count) {joined} {where} GROUP BY l.id",
            *params,
        )
        return {row[0]: tuple(row[1:]) for row in rows}
    found: dict[int, Sums] = {}
    for key, fit, scored_at, kind, weight, as_of, count in await db.fetch_values(
        "SELECT l.id, l.fit_score, l.scored_at, e.kind, e.weight, e.as_of, e.count "
        f"{joined} {where}",
        *params,
    ):
        lead = found.setdefault(key, (fit, scored_at, [], [], [], []))
        moment = fetched.to_datetime(as_of)
        assert moment is not None
        for values, value in zip(
            lead[2:],
            (kind, float(weight), (moment - _EPOCH) // _MICROSECOND, count),
            strict=True,
        ):
            values.append(value)  # type: ignore[attr-defined]
    return found


async def _decay_chunk(
    model: QualificationModel, sums: dict[int, Sums], now: datetime
) -> int:
    now_us = (now - _EPOCH) // _MICROSECOND
    updates = []
    for key, (fit_score, scored_at, kinds, weights, as_ofs, counts) in sums.items():
        fit = fetched.to_decimal(fit_score) or Decimal(0)
        ages = [(now_us - as_of) / _DAY_US for as_of in as_ofs]
        numbers = numbers_by_age(
            model, fit, zip(kinds, weights, ages, counts, strict=True)
        )
        updates.append(
            (
                key,
                numbers.score,
                numbers.engagement_score,
                numbers.raw_score,
                now,
                scored_at,
            )
        )
    return await bulk.update_columns(
        "lead", SCORE_COLUMNS, updates, guard=("scored_at", "timestamptz")
    )
