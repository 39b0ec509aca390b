"""`node` and `nodes`: any object by its global ID, under the same read rules."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.core.permissions import require
from schema.core.relay import MAX_NODES, Node, resolve_nodes
from server.domain.core.errors import InvalidArguments


@strawberry.type
class NodeQueries:
    @strawberry.field
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        require(info, "node")
        found: Node | None = (await resolve_nodes(info, [id]))[0]
        return found

    @strawberry.field
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        require(info, "nodes")
        if len(ids) > MAX_NODES:
            raise InvalidArguments(f"ask for at most {MAX_NODES} IDs at once")
        return await resolve_nodes(info, ids)
