"""A historical import's part of an `upsertLeads` row (SPEC §2.3, `backfill`).

With ``backfill: true`` a row may also carry what the installation's past knew:
``stage``, ``owner`` (a user's ID), ``amount`` and ``recurring``, the lead's
``stageHistory`` (``[{stage, at, reason}]``) and past ``activities`` (the fields
of a `recordLeadActivities` row without the lead). They are recorded as
imported: the history's moves with ``via`` ``IMPORTED``, the activities flagged
``imported``; no handoff or SLA clock is ever started for them.

Rules, where the spec is silent:
- the history's first entry is where the lead began (any stage: a CRM may have
  created it as an SQL); each following entry must be a move the waterfall's
  table has (by anyone, any way) from the one before; instants never go back
  and are at most `FUTURE_TOLERANCE` ahead of now;
- ``stage`` alone is a history of one entry, entered at the import; with a
  history it must be the history's last stage;
- ``amount`` and ``recurring`` need a stage from OPPORTUNITY on (the final one);
- a lead whose current cycle passed MQL is qualified, ``qualifiedBy`` MANUAL
  (the importer says so), ``qualifiedUnder`` null.
Every problem is collected with its path and raised together (`UserErrors`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import pairwise
from typing import Any

from server.domain.agreements.terms import Reader
from server.domain.core.errors import UserErrors
from server.domain.core.instants import as_utc
from server.domain.leads.activity_intake import (
    FUTURE_TOLERANCE,
    ActivityRow,
    read_imported_activity,
)
from server.domain.leads.intake import read_instant
from server.domain.leads.stages import (
    AMOUNT_STAGES,
    MAX_REASON_LENGTH,
    LeadStage,
    in_waterfall,
    starts_cycle,
)

BACKFILL_FIELDS = (
    "stage",
    "stageHistory",
    "owner",
    "amount",
    "recurring",
    "activities",
)
MAX_HISTORY = 100
MAX_ACTIVITIES = 1000
MAX_AMOUNT = Decimal(10) ** 15


@dataclass(frozen=True)
class ImportedMove:
    stage: LeadStage
    at: datetime
    reason: str | None


@dataclass(frozen=True)
class Backfill:
    """What a row imports. ``history`` is empty when the stage is not given;
    ``changes`` holds ``owner`` (the ID as given, None clears), ``amount`` and
    ``recurring`` for exactly the fields the row names."""

    history: tuple[ImportedMove, ...]
    changes: dict[str, Any]
    activities: tuple[ActivityRow, ...]

    @property
    def stage(self) -> LeadStage | None:
        return self.history[-1].stage if self.history else None

    @property
    def empty(self) -> bool:
        return not (self.history or self.changes or self.activities)


def backfill_fields(raw: Mapping[str, Any]) -> list[str]:
    """The import-only fields a row names (refused without ``backfill``)."""
    return [key for key in BACKFILL_FIELDS if key in raw]


def read_backfill(
    raw: Mapping[str, Any], path: Sequence[str | int], now: datetime
) -> Backfill:
    """Read a row's import fields; raises `UserErrors` with every problem."""
    reader = Reader(raw, tuple(str(step) for step in path))
    history = _history(reader, now)
    changes: dict[str, Any] = {}
    if "owner" in raw:
        owner = raw["owner"]
        if owner is not None and (not isinstance(owner, str) or not owner.strip()):
            reader.fail("owner", "give a user's ID")
        changes["owner"] = owner
    if "amount" in raw:
        changes["amount"] = reader.decimal(
            "amount", low=0, high=MAX_AMOUNT - Decimal("0.01"), required=False
        )
    if "recurring" in raw:
        changes["recurring"] = raw["recurring"] is True
    activities = []
    for item in reader.children("activities", max_items=MAX_ACTIVITIES):
        found = read_imported_activity(item, now)
        if found is not None:
            activities.append(found)
    if reader.errors:
        raise UserErrors(reader.errors)
    return Backfill(tuple(history), changes, tuple(activities))


def _history(reader: Reader, now: datetime) -> list[ImportedMove]:
    raw = reader.raw
    stage = None
    if "stage" in raw and raw["stage"] is None:
        reader.fail("stage", "the stage cannot be cleared")
    elif "stage" in raw:
        stage = reader.choice("stage", LeadStage) or None
    moves = [_move(item, now) for item in _entries(reader)]
    if not moves:
        if stage:
            return [ImportedMove(LeadStage(stage), as_utc(now), None)]
        return []
    if any(move is None for move in moves):
        return []
    found = [move for move in moves if move is not None]
    for index, (before, after) in enumerate(pairwise(found), 1):
        where = ("stageHistory", str(index))
        if after.at < before.at:
            reader.fail_at(
                (*where, "at"), "moves are in time order: this one is earlier"
            )
        if not in_waterfall(before.stage, after.stage):
            message = f"the waterfall has no move from {before.stage} to {after.stage}"
            reader.fail_at((*where, "stage"), message)
    if stage and stage != found[-1].stage:
        reader.fail("stage", "give the stage the history ends in")
    return found


def _entries(reader: Reader) -> list[Reader]:
    return reader.children("stageHistory", max_items=MAX_HISTORY)


def _move(item: Reader, now: datetime) -> ImportedMove | None:
    known = len(item.errors)
    stage = item.choice("stage", LeadStage)
    at = read_instant(item, "at", required=True)
    if at is not None and at > as_utc(now) + FUTURE_TOLERANCE:
        item.fail("at", "this is in the future: a history is in the past")
    reason = item.text("reason", max_length=MAX_REASON_LENGTH, required=False)
    if len(item.errors) > known or at is None:
        return None
    return ImportedMove(LeadStage(stage), at, reason or None)


def money_refusal(stage: LeadStage, changes: Mapping[str, Any]) -> str | None:
    """The field refused when an amount or recurring revenue is set on a lead
    whose stage has no deal yet (before OPPORTUNITY), or None."""
    for key in ("amount", "recurring"):
        if changes.get(key) not in (None, False) and stage not in AMOUNT_STAGES:
            return key
    return None


def qualified_at(history: Sequence[ImportedMove]) -> datetime | None:
    """When the lead qualified in its current cycle (its last entry into MQL
    after the cycle began), or None."""
    start = next(
        (i for i in range(len(history) - 1, 0, -1) if starts_cycle(history[i].stage)),
        0,
    )
    found = [m.at for m in history[start:] if m.stage is LeadStage.MQL]
    return found[-1] if found else None


def cycle_start(history: Sequence[ImportedMove]) -> tuple[datetime, datetime | None]:
    """When the lead's current qualification cycle began (`started_at`,
    `counts_after`): at its last move into a cycle-starting stage, else at the
    history's first entry (the cycle begun at creation)."""
    for move in reversed(history[1:]):
        if starts_cycle(move.stage):
            return move.at, move.at
    return history[0].at, None
