"""Set-based writes: many rows in one statement, whatever the dialect.

Bulk inputs (hundreds of leads, a thousand activities) are written with
multi-row ``INSERT … VALUES`` statements, chunked so no statement binds more than
`MAX_PARAMS` values (SQLite's default limit is 32,766; PostgreSQL's 65,535).
Updates of whole rows go through ``INSERT … ON CONFLICT (id) DO UPDATE``: column
types come from the target table on both SQLite and PostgreSQL, so no casts are
needed and one statement updates a whole chunk.

On PostgreSQL, a caller that names the column types gets one array per column
instead (``SELECT * FROM unnest($1::bigint[], …)``): the statement's text is the
same whatever the number of rows, so the driver prepares it once per connection
instead of once per call, and there are a handful of parameters to send rather
than tens of thousands. The hot paths (activities, engagement sums, scores) take
it; `any_of` does the same for ``IN`` lists.
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


def any_of(column: str, values: Sequence[Any], pg_type: str) -> tuple[str, list[Any]]:
    """``column`` is one of ``values``: the condition and its parameters (one
    array on PostgreSQL, one placeholder a value on SQLite)."""
    if db.dialect() == "sqlite":
        return f"{column} IN ({', '.join('?' for _ in values)})", list(values)
    return f"{column} = ANY(?::{pg_type}[])", [list(values)]


def _arrays(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    """Rows as one list per column."""
    return [[row[n] for row in rows] for n in range(width)]


async def insert(
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    conflict: str = "",
    returning: Sequence[str] = (),
    types: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """Insert rows (each a value per column); ``conflict`` is a trailing
    ``ON CONFLICT …`` clause; returns the ``returning`` columns of written rows.
    ``types`` (PostgreSQL's, one per column) sends arrays on PostgreSQL."""
    found: list[dict[str, Any]] = []
    if not rows:
        return found
    tail = f" RETURNING {', '.join(returning)}" if returning else ""
    if types and db.dialect() != "sqlite":
        assert len(types) == len(columns)
        arrays = ", ".join(f"?::{t}[]" for t in types)
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) "
            f"SELECT * FROM unnest({arrays}) {conflict}{tail}"
        )
        params = _arrays(rows, len(columns))
        if returning:
            return await db.fetch(sql, *params)
        await db.execute(sql, *params)
        return found
    names = ", ".join(columns)
    one = "(" + ", ".join("?" for _ in columns) + ")"
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
    names = ["id", *(c for c, _ in columns), *([f"was_{guard[0]}"] if guard else [])]
    types = ["bigint", *(t for _, t in columns), *([guard[1]] if guard else [])]
    assign = ", ".join(f"{c} = v.{c}" for c, _ in columns)
    where = f"{table}.id = v.id"
    if guard:
        where += f" AND {table}.{guard[0]} = v.was_{guard[0]}"
    if db.dialect() != "sqlite":
        arrays = ", ".join(f"?::{t}[]" for t in types)
        return await db.execute(
            f"UPDATE {table} SET {assign} "
            f"FROM unnest({arrays}) AS v({', '.join(names)}) WHERE {where}",
            *_arrays(rows, len(names)),
        )
    one = "(" + ", ".join("?" for _ in types) + ")"
    changed = 0
    for chunk in chunks(rows, len(names)):
        values = ", ".join(one for _ in chunk)
        # the driver counts the rows changed (sqlite3's total_changes)
        changed += await db.execute(
            f"WITH v({', '.join(names)}) AS (VALUES {values}) "
            f"UPDATE {table} SET {assign} FROM v WHERE {where}",
            *[value for row in chunk for value in row],
        )
    return changed
