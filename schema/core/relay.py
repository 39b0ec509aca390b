"""Relay plumbing: the Node interface, connections and node resolution by global ID."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import strawberry

from schema.context import Context, Info
from server.services.core import ids
from server.services.core.pagination import Page, PageRequest

T = TypeVar("T")
MAX_NODES = 100


@strawberry.interface
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    node: T
    _row: strawberry.Private[Any]
    _cursor_of: strawberry.Private[Callable[[Any], str]]

    @strawberry.field
    def cursor(self) -> str:
        return self._cursor_of(self._row)


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="All rows matching the filter (a second query).")
    async def total_count(self) -> int:
        return await self._count()


def page_request(
    first: int | None, after: str | None, last: int | None, before: str | None
) -> PageRequest:
    return PageRequest(first=first, after=after, last=last, before=before)


def connection(page: Page[Any], convert: Callable[[Any], T]) -> Connection[T]:
    edges = [
        Edge(node=convert(row), _row=row, _cursor_of=page.cursor_of)
        for row in page.rows
    ]
    first = page.cursor_of(page.rows[0]) if page.rows else None
    last = page.cursor_of(page.rows[-1]) if page.rows else None
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=first,
            end_cursor=last,
        ),
        _count=page.count,
    )


@dataclass(frozen=True)
class NodeType:
    """How to fetch rows of one type for `node`/`nodes`, respecting read rules."""

    fetch: Callable[[Context, list[int]], Awaitable[dict[int, Any]]]


# Every capability's node types, by GraphQL type name; each capability's schema
# module lists its own in `NODE_TYPES` and `server/wiring.py` installs them all.
NODE_TYPES: dict[str, NodeType] = {}


def install_node_types(*tables: Mapping[str, NodeType]) -> None:
    """Make `node`/`nodes` answer for these types (and only these)."""
    NODE_TYPES.clear()
    for table in tables:
        NODE_TYPES.update(table)


async def resolve_nodes(info: Info, global_ids: Sequence[str]) -> list[Any]:
    wanted: dict[str, list[int]] = {}
    decoded: list[tuple[str, int] | None] = []
    for gid in global_ids:
        found = ids.decode_any(gid)
        if found is not None and found[0] not in NODE_TYPES:
            found = None
        decoded.append(found)
        if found is not None:
            wanted.setdefault(found[0], []).append(found[1])
    fetched = {
        name: await NODE_TYPES[name].fetch(info.context, keys)
        for name, keys in wanted.items()
    }
    return [fetched[d[0]].get(d[1]) if d else None for d in decoded]
