"""Keyset pagination for every connection.

Rows are ordered by indexed sort keys with the primary key as the last tie-breaker;
a cursor seals the sort values of its row, so a page starts exactly after (or
before) that row however many rows were inserted in between. Each page is one SQL
statement fetching ``n + 1`` rows; ``totalCount`` is a second statement run only
when asked for. ``last`` without ``before`` reads the index backwards from the end.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import orjson
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from server.domain.core.errors import InvalidArguments
from server.domain.core.ids import InvalidId
from server.services.core import fetched, ids

M = TypeVar("M", bound=Model)
R = TypeVar("R")
DEFAULT_PAGE = 20
MAX_PAGE = 100


@dataclass(frozen=True)
class PageRequest:
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    def size(self) -> int:
        if self.first is not None and self.last is not None:
            raise InvalidArguments("pass either first or last, not both")
        n = self.last if self.last is not None else self.first
        if n is None:
            return DEFAULT_PAGE
        if not 1 <= n <= MAX_PAGE:
            raise InvalidArguments(f"first and last must be between 1 and {MAX_PAGE}")
        return n

    @property
    def backward(self) -> bool:
        return self.last is not None or (self.before is not None and self.first is None)


@dataclass(frozen=True)
class Ordering:
    """A named sort: fields (model attribute names) with a direction each."""

    name: str
    keys: tuple[tuple[str, bool], ...]  # (field, descending); the pk is appended


@dataclass
class Page(Generic[R]):
    """A page of rows; a row's cursor is sealed only when someone asks for it
    (a 50-row page seldom needs more than its end cursor)."""

    rows: list[R]
    cursor_of: Callable[[R], str]
    has_next: bool
    has_previous: bool
    count: Callable[[], Awaitable[int]]

    @property
    def cursors(self) -> list[str]:
        return [self.cursor_of(row) for row in self.rows]


def _encode_value(value: Any) -> Any:
    return {"dt": value.isoformat()} if isinstance(value, datetime) else value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        return datetime.fromisoformat(value["dt"])
    return value


def make_cursor(ordering: Ordering, row: Model) -> str:
    values = [_encode_value(getattr(row, field)) for field, _ in ordering.keys]
    return ids.cursors().seal(orjson.dumps([ordering.name, values, row.pk]))


def read_cursor(ordering: Ordering, cursor: str) -> tuple[list[Any], Any]:
    try:
        name, values, pk = orjson.loads(ids.cursors().unseal(cursor))
    except (InvalidId, orjson.JSONDecodeError, ValueError, TypeError, KeyError):
        raise InvalidArguments("this cursor is not valid") from None
    if name != ordering.name or len(values) != len(ordering.keys):
        raise InvalidArguments("this cursor belongs to another ordering")
    return [_decode_value(v) for v in values], pk


def _beyond(ordering: Ordering, values: Sequence[Any], pk: Any, forward: bool) -> Q:
    """Rows strictly after (forward) or before the cursor row in this ordering."""
    keys = [*ordering.keys, ("pk", False)]
    cursor_values = [*values, pk]
    clauses: list[Q] = []
    for i, (field, desc) in enumerate(keys):
        go_down = desc == forward
        op = "lt" if go_down else "gt"
        column = "id" if field == "pk" else field
        equal = {
            ("id" if f == "pk" else f): v
            for (f, _), v in zip(keys[:i], cursor_values[:i], strict=True)
        }
        clauses.append(Q(**equal, **{f"{column}__{op}": cursor_values[i]}))
    combined = clauses[0]
    for clause in clauses[1:]:
        combined = combined | clause
    return combined


def _order_terms(ordering: Ordering, reverse: bool) -> list[str]:
    terms = []
    for field, desc in [*ordering.keys, ("id", False)]:
        down = desc != reverse
        terms.append(f"-{field}" if down else field)
    return terms


async def paginate(
    query: QuerySet[M],
    ordering: Ordering,
    request: PageRequest,
    *,
    records: bool = False,
) -> Page[M]:
    """A keyset page of the query's rows: model objects, or with ``records``
    the same statement's rows as `fetched.Record`s (read by attribute like the
    model's objects, converted like its fields, without building them: for
    pages whose rows are only shown)."""
    size = request.size()
    backward = request.backward
    page_query = query
    if request.after is not None:
        values, pk = read_cursor(ordering, request.after)
        page_query = page_query.filter(_beyond(ordering, values, pk, forward=True))
    if request.before is not None:
        values, pk = read_cursor(ordering, request.before)
        page_query = page_query.filter(_beyond(ordering, values, pk, forward=False))
    page_query = page_query.order_by(*_order_terms(ordering, backward)).limit(size + 1)
    rows: list[Any] = await _records(page_query) if records else list(await page_query)
    more = len(rows) > size
    rows = rows[:size]
    if backward:
        rows.reverse()
    return Page(
        rows=rows,
        cursor_of=lambda row: make_cursor(ordering, row),
        has_next=more if not backward else request.before is not None,
        has_previous=more if backward else request.after is not None,
        count=query.count,
    )


async def _records(query: QuerySet[M]) -> list[Any]:
    """The query's rows as records: Tortoise's own statement, run on the
    current connection, each column converted once."""
    from server import db

    query.sql()  # builds the statement
    sql, params = query.query.get_parameterized_sql()
    raw = await db.connection().execute_query_dict(sql, params)
    convert = fetched.record_converters(query.model)
    same = fetched.same
    found = []
    for row in raw:
        values = {k: convert.get(k, same)(v) for k, v in row.items()}
        values["pk"] = values["id"]  # as a model object answers `pk`
        found.append(fetched.Record(values))
    return found


@dataclass(frozen=True)
class SqlQuery:
    """A plain SQL read to page through: ``select`` up to its FROM/JOINs, the
    WHERE conditions (``?`` placeholders) and their parameters, and ``columns``
    naming the SQL expression of every ordering field (``id`` included)."""

    select: str
    count_from: str
    where: tuple[str, ...]
    params: tuple[Any, ...]
    columns: dict[str, str]


def _beyond_sql(
    query: SqlQuery, ordering: Ordering, values: Sequence[Any], pk: Any, forward: bool
) -> tuple[str, list[Any]]:
    keys = [*ordering.keys, ("id", _tie_descending(ordering))]
    cursor_values = [*values, pk]
    clauses, params = [], []
    for i, (field, desc) in enumerate(keys):
        op = "<" if desc == forward else ">"
        parts = [f"{query.columns[f]} = ?" for f, _ in keys[:i]]
        parts.append(f"{query.columns[field]} {op} ?")
        clauses.append("(" + " AND ".join(parts) + ")")
        params.extend([*cursor_values[:i], cursor_values[i]])
    return "(" + " OR ".join(clauses) + ")", params


async def paginate_rows(
    query: SqlQuery, ordering: Ordering, request: PageRequest
) -> Page[dict[str, Any]]:
    """`paginate` for a plain SQL read: one statement per page, rows as dicts
    (no model objects), the same sealed cursors."""
    from server import db

    size = request.size()
    backward = request.backward
    where, params = list(query.where), list(query.params)
    for cursor, forward in ((request.after, True), (request.before, False)):
        if cursor is not None:
            values, pk = read_cursor(ordering, cursor)
            clause, extra = _beyond_sql(query, ordering, values, pk, forward)
            where.append(clause)
            params.extend(extra)
    order = ", ".join(
        f"{query.columns[f]} {'DESC' if desc != backward else 'ASC'}"
        for f, desc in [*ordering.keys, ("id", _tie_descending(ordering))]
    )
    sql = query.select + _where(where) + f" ORDER BY {order} LIMIT ?"
    rows = await db.fetch(sql, *params, size + 1)
    more = len(rows) > size
    rows = rows[:size]
    if backward:
        rows.reverse()

    async def count() -> int:
        found = await db.fetch(
            "SELECT COUNT(*) AS n FROM " + query.count_from + _where(list(query.where)),
            *query.params,
        )
        return int(found[0]["n"])

    return Page(
        rows=rows,
        cursor_of=lambda row: _row_cursor(ordering, row),
        has_next=more if not backward else request.before is not None,
        has_previous=more if backward else request.after is not None,
        count=count,
    )


def _tie_descending(ordering: Ordering) -> bool:
    """Rows equal on every key follow the ordering's first direction by id, so
    one index on (…, key, id) serves the page in either direction without a
    sort (mixed directions make the database sort every matching row)."""
    return ordering.keys[0][1] if ordering.keys else False


def _where(conditions: list[str]) -> str:
    return " WHERE " + " AND ".join(conditions) if conditions else ""


def _row_cursor(ordering: Ordering, row: dict[str, Any]) -> str:
    values = [_encode_value(row[field]) for field, _ in ordering.keys]
    return ids.cursors().seal(orjson.dumps([ordering.name, values, row["id"]]))
