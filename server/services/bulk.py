"""Set-based writes: many rows in one statement, whatever the dialect.

Bulk inputs (hundreds of leads, a thousand activities) are written with
multi-row ``INSERT … VALUES`` statements, chunked so no statement binds more than
`MAX_PARAMS` values (SQLite's default limit is 32,766; PostgreSQL's 65,535).
Updates of whole rows go through ``INSERT … ON CONFLICT (id) DO UPDATE``: column
types come from the target table on both SQLite and PostgreSQL, so no casts are
needed and one statement updates a whole chunk.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import orjson

from server import db

MAX_PARAMS = 30_000


def json_param(value: Any) -> str | None:
    """A JSON column's value as both drivers take it: text."""
    return None if value is None else orjson.dumps(value).decode()


def chunks(rows: Sequence[Any], width: int) -> Iterator[Sequence[Any]]:
    size = max(1, MAX_PARAMS // max(1, width))
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def insert(
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    conflict: str = "",
    returning: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """Insert rows (each a value per column); ``conflict`` is a trailing
    ``ON CONFLICT …`` clause; returns the ``returning`` columns of written rows."""
    found: list[dict[str, Any]] = []
    if not rows:
        return found
    names = ", ".join(columns)
    one = "(" + ", ".join("?" for _ in columns) + ")"
    tail = f" RETURNING {', '.join(returning)}" if returning else ""
    for chunk in chunks(rows, len(columns)):
        values = ", ".join(one for _ in chunk)
        sql = f"INSERT INTO {table} ({names}) VALUES {values} {conflict}{tail}"
        params = [value for row in chunk for value in row]
        if returning:
            found.extend(await db.fetch(sql, *params))
        else:
            await db.execute(sql, *params)
    return found


async def update(
    table: str, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]
) -> None:
    """Overwrite the given columns of existing rows, keyed by ``id``."""
    if not rows:
        return
    names = ["id", *columns]
    assign = ", ".join(f"{c} = excluded.{c}" for c in columns)
    await insert(
        table,
        names,
        [[row[c] for c in names] for row in rows],
        conflict=f"ON CONFLICT (id) DO UPDATE SET {assign}",
    )


async def update_columns(
    table: str,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[Any]],
    *,
    guard: tuple[str, str] | None = None,
) -> int:
    """Set a few columns of many rows by ``id`` in one statement per chunk.

    ``columns`` are (name, PostgreSQL type) pairs; each row is the id, the new
    values and, with ``guard`` (a column and its type), the value that column
    must still have — a row changed meanwhile is left alone. Returns how many
    rows changed."""
    if not rows:
        return 0
    pg = db.dialect() != "sqlite"
    names = ["id", *(c for c, _ in columns), *([f"was_{guard[0]}"] if guard else [])]
    types = ["bigint", *(t for _, t in columns), *([guard[1]] if guard else [])]
    one = "(" + ", ".join(f"?::{t}" if pg else "?" for t in types) + ")"
    assign = ", ".join(f"{c} = v.{c}" for c, _ in columns)
    where = f"{table}.id = v.id"
    if guard:
        where += f" AND {table}.{guard[0]} = v.was_{guard[0]}"
    changed = 0
    for chunk in chunks(rows, len(names)):
        values = ", ".join(one for _ in chunk)
        found = await db.fetch(
            f"WITH v({', '.join(names)}) AS (VALUES {values}) "
            f"UPDATE {table} SET {assign} FROM v WHERE {where} RETURNING {table}.id",
            *[value for row in chunk for value in row],
        )
        changed += len(found)
    return changed
