"""Where a lead's data lives: the registry merging and erasure walk.

Every table holding a lead key says what a merge does with it (`KeyColumn`),
and every table says which of its text and JSON columns hold a person's data
and how erasure clears them (`TableData`). Leads declares its own tables and
those of the capabilities before it; later capabilities (waterfall, feedback,
content, meetings, events, …) declare theirs in a ``holdings`` module that
`server/wiring.py` installs, so this package never imports them. Tests walk
every model and fail when a lead key or a text column is not declared here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from server import db
from server.domain.leads.erasure import ERASED, scrub_json, scrub_text
from server.services.core import bulk, mutations
from server.services.leads.store import LeadRecord


@dataclass
class Merging:
    """One merge as its steps see it: both leads as they were, locked."""

    tx: mutations.Tx
    survivor: LeadRecord
    duplicate: LeadRecord
    duplicate_stage_wins: bool
    moved: dict[str, int] = field(default_factory=dict)

    def count(self, table: str, rows: int) -> None:
        if rows:
            self.moved[table] = self.moved.get(table, 0) + rows


@dataclass
class Erasing:
    """One erasure as its steps see it. ``subjects``: the ids, by subject type
    (`Lead`, `Handoff`, …), of the records about the person; record steps add
    theirs, trace steps (audit, outbox, notifications…) read them."""

    tx: mutations.Tx
    lead_id: int
    needles: tuple[str, ...]
    subjects: dict[str, list[int]]
    cleared: dict[str, int] = field(default_factory=dict)

    def count(self, table: str, rows: int) -> None:
        if rows:
            self.cleared[table] = self.cleared.get(table, 0) + rows


MergeStep = Callable[[Merging], Awaitable[None]]
EraseStep = Callable[[Erasing], Awaitable[None]]


@dataclass(frozen=True)
class KeyColumn:
    """A column holding a lead's id. ``merge`` moves the duplicate's rows to the
    survivor; None keeps them on purpose, for the reason ``why`` gives."""

    table: str
    column: str
    merge: MergeStep | None
    why: str


@dataclass(frozen=True)
class TableData:
    """A table's text and JSON columns: ``personal`` ones hold a lead's personal
    data and ``erase`` clears them; ``other`` ones do not (``why`` says so).
    Record steps (``traces=False``) run before trace steps."""

    table: str
    personal: tuple[str, ...] = ()
    other: tuple[str, ...] = ()
    erase: EraseStep | None = None
    traces: bool = False
    why: str = ""


Holding = KeyColumn | TableData


class Registry:
    def __init__(self) -> None:
        self.keys: dict[tuple[str, str], KeyColumn] = {}
        self.tables: dict[str, TableData] = {}

    def install(self, *groups: Iterable[Holding]) -> None:
        """Hold exactly these declarations (installing again replaces them)."""
        self.keys.clear()
        self.tables.clear()
        for group in groups:
            for item in group:
                self._add(item)

    def _add(self, item: Holding) -> None:
        if isinstance(item, KeyColumn):
            key = (item.table, item.column)
            if key in self.keys:
                raise ValueError(f"{item.table}.{item.column} is declared twice")
            self.keys[key] = item
        else:
            if item.table in self.tables:
                raise ValueError(f"{item.table} is declared twice")
            if item.personal and item.erase is None:
                raise ValueError(f"{item.table} has personal columns and no eraser")
            self.tables[item.table] = item

    async def merge(self, merging: Merging) -> None:
        for holding in tuple(self.keys.values()):
            if holding.merge is not None:
                await holding.merge(merging)

    async def erase(self, erasing: Erasing) -> None:
        tables = tuple(self.tables.values())
        for traces in (False, True):
            for table in tables:
                if table.erase is not None and table.traces is traces:
                    await table.erase(erasing)


REGISTRY = Registry()


# -- shared steps for any capability's declarations ------------------------


async def move_rows(merging: Merging, table: str, column: str = "lead_id") -> None:
    """Point the duplicate's rows of ``table`` at the survivor."""
    moved = await db.execute(
        f"UPDATE {table} SET {column} = ? WHERE {column} = ?",
        merging.survivor["id"],
        merging.duplicate["id"],
    )
    merging.count(table, moved)


async def ids_of(table: str, column: str, lead_id: int) -> list[int]:
    rows = await db.fetch(f"SELECT id FROM {table} WHERE {column} = ?", lead_id)
    return sorted(int(r["id"]) for r in rows)


async def replace_text(
    erasing: Erasing, table: str, columns: Sequence[str], where: str, *params: Any
) -> None:
    """Replace the non-empty values of ``columns`` of the rows found, whole."""
    sets = ", ".join(
        f"{c} = CASE WHEN {c} IS NULL OR {c} = '' THEN {c} ELSE ? END" for c in columns
    )
    count = await db.execute(
        f"UPDATE {table} SET {sets} WHERE {where}",
        *([ERASED] * len(columns)),
        *params,
    )
    erasing.count(table, count)


async def scrub_rows(
    erasing: Erasing,
    table: str,
    texts: Sequence[str],
    documents: Sequence[str],
    where: str,
    *params: Any,
    keys: bool = True,
) -> None:
    """Scrub the rows found: the person's strings out of ``texts``, and out of
    the JSON ``documents`` with their personal keys' values (when ``keys``)."""
    columns = (*texts, *documents)
    rows = await db.fetch(
        f"SELECT id, {', '.join(columns)} FROM {table} WHERE {where}", *params
    )
    for row in rows:
        values = _scrubbed(row, texts, documents, erasing.needles, keys)
        if values:
            sets = ", ".join(f"{c} = ?" for c in values)
            await db.execute(
                f"UPDATE {table} SET {sets} WHERE id = ?", *values.values(), row["id"]
            )
            erasing.count(table, 1)


def _scrubbed(
    row: Mapping[str, Any],
    texts: Sequence[str],
    documents: Sequence[str],
    needles: tuple[str, ...],
    keys: bool,
) -> dict[str, Any]:
    changed: dict[str, Any] = {}
    for column in texts:
        value = row[column]
        if isinstance(value, str) and (clean := scrub_text(value, needles)) != value:
            changed[column] = clean
    for column in documents:
        value = row[column]
        document = orjson.loads(value) if isinstance(value, str | bytes) else value
        clean = scrub_json(document, needles, keys=keys)
        if clean != document:
            changed[column] = bulk.json_param(clean)
    return changed


def subject_condition(
    subjects: Mapping[str, Sequence[int]], type_column: str, id_column: str
) -> tuple[str, list[Any]]:
    """Rows whose (type, id) names one of ``subjects``."""
    clauses: list[str] = []
    params: list[Any] = []
    for name, keys in sorted(subjects.items()):
        if keys:
            placeholders = ", ".join("?" for _ in keys)
            clauses.append(f"({type_column} = ? AND {id_column} IN ({placeholders}))")
            params += [name, *keys]
    return (" OR ".join(clauses) or "1 = 0"), params
