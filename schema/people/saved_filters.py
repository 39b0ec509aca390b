"""Saved filters: each user's named filters per list screen of the web client
(`savedFilters(screen)`, `saveFilter`, `deleteSavedFilter`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from schema.context import Context, Info
from schema.core.errors import UserError, user_errors
from schema.core.permissions import actor_of, require
from schema.core.relay import Node, NodeType
from server.services.core import ids
from server.services.people import saved_filters
from server.services.people.saved_filters import SavedFilterRow


@strawberry.type(description="A named filter of one list screen, the viewer's own.")
class SavedFilter(Node):
    id: strawberry.ID
    screen: str
    name: str
    filter: JSON = strawberry.field(
        description="The screen's own description of the filter, kept as given."
    )
    created_at: datetime
    updated_at: datetime


def saved_filter_type(row: SavedFilterRow) -> SavedFilter:
    return SavedFilter(
        id=strawberry.ID(ids.encode("SavedFilter", row.key)),
        screen=row.screen,
        name=row.name,
        filter=cast(JSON, row.filter),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


@strawberry.type
class SavedFilterQueries:
    @strawberry.field(description="Your saved filters for one screen, by name.")
    async def saved_filters(self, info: Info, screen: str) -> list[SavedFilter]:
        actor = require(info, "savedFilters")
        rows = await saved_filters.saved_filters(actor.user_id, screen)
        return [saved_filter_type(r) for r in rows]


@strawberry.input
class SaveFilterInput:
    screen: str
    name: str = strawberry.field(
        description="Saving under an existing name replaces that filter."
    )
    filter: JSON


@strawberry.type
class SaveFilterPayload:
    saved_filter: SavedFilter | None
    user_errors: list[UserError]


@strawberry.input
class DeleteSavedFilterInput:
    id: strawberry.ID


@strawberry.type
class DeleteSavedFilterPayload:
    deleted_id: strawberry.ID | None
    user_errors: list[UserError]


@strawberry.type
class SavedFilterMutations:
    @strawberry.mutation(description="Save a filter of yours under a name.")
    async def save_filter(
        self, info: Info, input: SaveFilterInput
    ) -> SaveFilterPayload:
        outcome = await saved_filters.save_filter(
            actor_of(info), input.screen, input.name, input.filter
        )
        row = outcome.result
        return SaveFilterPayload(
            saved_filter=saved_filter_type(row) if row and outcome.ok else None,
            user_errors=user_errors(outcome.errors),
        )

    @strawberry.mutation
    async def delete_saved_filter(
        self, info: Info, input: DeleteSavedFilterInput
    ) -> DeleteSavedFilterPayload:
        outcome = await saved_filters.delete_saved_filter(actor_of(info), str(input.id))
        return DeleteSavedFilterPayload(
            deleted_id=strawberry.ID(outcome.result)
            if outcome.ok and outcome.result
            else None,
            user_errors=user_errors(outcome.errors),
        )


async def _fetch(context: Context, keys: list[int]) -> dict[int, Any]:
    actor = context.actor
    if actor is None:
        return {}
    rows = await saved_filters.saved_filters_by_ids(actor.user_id, keys)
    return {k: saved_filter_type(v) for k, v in rows.items()}


NODE_TYPES = {"SavedFilter": NodeType(_fetch)}
