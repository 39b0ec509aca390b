"""Stored engagement: one decayed sum per lead and activity kind (SPEC §2.2).

The tallies of `server.domain.leads.engagement` as rows of ``lead_engagement``; read
and written for many leads at once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from server import db
from server.domain.agreements.activity_kinds import ActivityKind
from server.domain.leads.engagement import EngagementState, KindTally
from server.services.core import bulk, fetched

COLUMNS = ("lead_id", "kind", "weight", "as_of", "half_life_days", "count", "latest_at")
TYPES = (
    "bigint",
    "varchar",
    "float8",
    "timestamptz",
    "numeric",
    "integer",
    "timestamptz",
)


_KINDS = {kind.value: kind for kind in ActivityKind}


def _tally(
    weight: Any, as_of: Any, half_life: Any, count: Any, latest_at: Any
) -> KindTally:
    return KindTally(
        weight=float(weight),
        as_of=_moment(as_of),
        half_life_days=None if half_life is None else _half_life(half_life),
        count=int(count),
        latest_at=_moment(latest_at),
    )


def _moment(value: Any) -> datetime:
    # PostgreSQL gives aware instants; SQLite text
    if type(value) is datetime and value.tzinfo is not None:
        return value
    found = fetched.to_datetime(value)
    assert found is not None
    return found


@lru_cache(maxsize=256)
def _half_life(value: Any) -> Decimal:
    return Decimal(str(value)).normalize()


async def load_tallies(
    lead_ids: Iterable[int],
) -> dict[int, dict[ActivityKind, KindTally]]:
    keys = sorted(set(lead_ids))
    found: dict[int, dict[ActivityKind, KindTally]] = {key: {} for key in keys}
    if not keys:
        return found
    where, params = bulk.any_of("lead_id", keys, "bigint")
    rows = await db.fetch_values(
        f"SELECT {', '.join(COLUMNS)} FROM lead_engagement WHERE {where}", *params
    )
    kinds = _KINDS
    if db.dialect() == "postgres":
        # asyncpg gives the values typed already (float8, aware instants, int):
        # only the half-life needs normalising, as `_tally` does
        half = _half_life
        for lead_id, kind, weight, as_of, half_life, count, latest_at in rows:
            found[lead_id][kinds[kind]] = KindTally(
                weight,
                as_of,
                None if half_life is None else half(half_life),
                count,
                latest_at,
            )
        return found
    for lead_id, kind, weight, as_of, half_life, count, latest_at in rows:
        tally = _tally(weight, as_of, half_life, count, latest_at)
        found[int(lead_id)][kinds[kind]] = tally
    return found


def state_of(
    tallies: Mapping[ActivityKind, KindTally], counts_after: datetime | None
) -> EngagementState:
    return EngagementState(counts_after, dict(tallies))


async def save_states(states: Mapping[int, EngagementState]) -> None:
    """Write each lead's tallies (kinds a state no longer has are deleted)."""
    if not states:
        return
    await clear(states.keys())
    await bulk.insert("lead_engagement", COLUMNS, _rows(states), types=TYPES)


async def upsert_states(
    states: Mapping[int, EngagementState],
    kinds: Mapping[int, Collection[ActivityKind]],
) -> None:
    """Write the tallies of the given ``kinds`` of each lead over the stored
    ones (other kinds stay as they are): the activity fast path, where an
    activity changes its own kind's tally only."""
    assign = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS[2:])
    await bulk.insert(
        "lead_engagement",
        COLUMNS,
        _rows(states, kinds),
        conflict=f"ON CONFLICT (lead_id, kind) DO UPDATE SET {assign}",
        types=TYPES,
    )


def _rows(
    states: Mapping[int, EngagementState],
    kinds: Mapping[int, Collection[ActivityKind]] | None = None,
) -> list[tuple[Any, ...]]:
    """The tallies of the states (of the given kinds only, when given), one row
    per lead and kind (`COLUMNS`)."""
    return [
        (lead, kind.value, t.weight, t.as_of, t.half_life_days, t.count, t.latest_at)
        for lead, state in states.items()
        for kind, t in state.tallies.items()
        if kinds is None or kind in kinds[lead]
    ]


async def clear(lead_ids: Iterable[int]) -> None:
    keys = sorted(set(lead_ids))
    for start in range(0, len(keys), bulk.MAX_PARAMS):
        chunk = keys[start : start + bulk.MAX_PARAMS]
        await db.execute(
            f"DELETE FROM lead_engagement WHERE lead_id IN "
            f"({', '.join('?' for _ in chunk)})",
            *chunk,
        )
