"""The periodic decay pass: stored scores follow engagement as it ages.

Engagement is kept as decayed sums per lead and kind (`engagement_store`), whose
value at any later instant is one multiplication away, so the pass reads no
activity: it walks the leads that have engagement in chunks (ranges of ids,
each read with its sums in one statement), recomputes each one's engagement
and score at ``now`` from its stored sums and its fit score
(`scoring.numbers_by_age`), and writes the numbers with one statement per chunk;
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
from itertools import groupby
from operator import itemgetter
from typing import Any

from tortoise.transactions import in_transaction

from server import db
from server.domain.agreements.lifecycle import AgreementKind
from server.domain.leads.engagement import DAY
from server.domain.leads.qualification_model import QualificationModel
from server.domain.leads.scoring import ScoreNumbers, numbers_by_age
from server.services.agreements import in_force
from server.services.core import bulk, fetched
from server.services.leads.garbage import fewer_collections
from server.services.leads.scoring import model_of

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
    with fewer_collections():
        return await _pass(now)


async def _pass(now: datetime) -> DecayResult:
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
    current = await in_force.one(AgreementKind.QUALIFICATION_MODEL, model_of)
    if current is None:
        return None
    activated = current.revision.activated_at
    assert activated is not None
    return current.value, activated


async def _walk(
    model: QualificationModel,
    activated_at: datetime,
    now: datetime,
    start: int,
    stop: int,
) -> DecayResult:
    """Decay the leads with ids in [start, stop), a chunk a transaction."""
    firsts = list(range(start, stop, CHUNK))
    if not firsts:
        return DecayResult(0, 0)
    seen, changed = 0, 0
    chunk = await _read(model, activated_at, firsts[0], stop)
    found = await asyncio.to_thread(_numbers, model, chunk, now)
    for following in [*firsts[1:], None]:
        # One transaction a chunk. It also reads the next chunk, and while its
        # numbers are computed in a thread the database writes this chunk's.
        async with in_transaction():
            after: Chunk | None = None
            if following is not None:
                after = await _read(model, activated_at, following, stop)
            writing = asyncio.ensure_future(_write(found, now))
            try:
                upcoming = (
                    await asyncio.to_thread(_numbers, model, after, now)
                    if after
                    else []
                )
            finally:
                changed += await writing
        seen += len(found)
        found = upcoming
    return DecayResult(seen, changed)


# (lead id, score before, numbers now, scored_at before) of a lead decayed
Decayed = tuple[int, int, ScoreNumbers, Any]
# The rows of a chunk as read, and whether they come one a lead (PostgreSQL)
Chunk = tuple[list[Sequence[Any]], bool]
_MICROSECOND = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAY_US = 86_400_000_000


async def _read(
    model: QualificationModel, activated_at: datetime, first: int, stop: int
) -> Chunk:
    """The leads with ids in [first, first + CHUNK) (and below ``stop``) scored
    under the model in force and with engagement, with their stored sums."""
    where = (
        "WHERE l.id >= ? AND l.id < ? AND e.lead_id >= ? AND e.lead_id < ? "
        "AND l.scored_under = ? AND l.scored_at >= ?"
    )
    end = min(first + CHUNK, stop)
    params = (first, end, first, end, model.revision, activated_at)
    joined = "FROM lead l JOIN lead_engagement e ON e.lead_id = l.id"
    if db.dialect() != "sqlite":
        # one row a lead, its sums as arrays (as_of exact, in microseconds: the
        # same age in days as dividing the timedeltas)
        return (
            await db.fetch_values(
                "SELECT l.id, l.score, l.fit_score, l.scored_at, "
                "array_agg(e.kind), array_agg(e.weight), "
                "array_agg((EXTRACT(EPOCH FROM e.as_of) * 1000000)::bigint), "
                f"array_agg(e.count) {joined} {where} GROUP BY l.id",
                *params,
            ),
            True,
        )
    # SQLite: the leads, then their sums a row each in lead order (the
    # engagement index's); the lead's columns are not repeated on every sum
    leads = await db.fetch_values(
        "SELECT id, score, fit_score, scored_at FROM lead l "
        "WHERE l.id >= ? AND l.id < ? AND l.scored_under = ? AND l.scored_at >= ?",
        first,
        end,
        model.revision,
        activated_at,
    )
    sums = await db.fetch_values(
        "SELECT lead_id, kind, weight, as_of, count FROM lead_engagement "
        "WHERE lead_id >= ? AND lead_id < ? ORDER BY lead_id",
        first,
        end,
    )
    return [*leads, *sums], False


def _numbers(model: QualificationModel, chunk: Chunk, now: datetime) -> list[Decayed]:
    """Each lead of a chunk with its numbers at ``now`` (pure: run in a thread)."""
    rows, grouped = chunk
    found: list[Decayed] = []
    if grouped:
        now_us = (now - _EPOCH) // _MICROSECOND
        for key, score, fit, scored_at, kinds, weights, as_ofs, counts in rows:
            ages = [(now_us - as_of) / _DAY_US for as_of in as_ofs]
            numbers = numbers_by_age(
                model,
                fit if fit is not None else Decimal(0),
                zip(kinds, weights, ages, counts, strict=True),
            )
            found.append((key, score, numbers, scored_at))
        return found
    # the leads' rows (4 values) first, then the sums' (5 values)
    leads = {row[0]: row for row in rows if len(row) == 4}
    moment = fetched.to_datetime
    sums = (row for row in rows if len(row) == 5)
    for key, group in groupby(sums, key=itemgetter(0)):
        lead = leads.get(key)
        if lead is None:  # not scored under the model in force
            continue
        _, score, fit, scored_at = lead
        numbers = numbers_by_age(
            model,
            fetched.to_decimal(fit) or Decimal(0),
            ((r[1], r[2], (now - moment(r[3])) / DAY, r[4]) for r in group),  # type: ignore[operator]
        )
        found.append((key, score, numbers, scored_at))
    return found


async def _write(found: list[Decayed], now: datetime) -> int:
    """Write the numbers; a lead whose whole score did not move keeps its score
    column, so its score indexes are not touched."""
    moved = [d for d in found if d[2].score != d[1]]
    kept = [d for d in found if d[2].score == d[1]]
    guard = ("scored_at", "timestamptz")
    # On SQLite the instant as Tortoise's sqlite3 adapter writes it, made once
    # rather than by the adapter for every row.
    at: Any = now.isoformat(" ") if db.dialect() == "sqlite" else now
    changed = await bulk.update_columns(
        "lead",
        SCORE_COLUMNS,
        [
            (k, n.score, n.engagement_score, n.raw_score, at, was)
            for k, _, n, was in moved
        ],
        guard=guard,
    )
    return changed + await bulk.update_columns(
        "lead",
        SCORE_COLUMNS[1:],
        [(k, n.engagement_score, n.raw_score, at, was) for k, _, n, was in kept],
        guard=guard,
    )
