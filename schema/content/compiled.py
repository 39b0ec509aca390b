"""The content board as the compiler answers it (`schema.core.compiled`): the
`contentRequests` connection (its cards built together, one statement per
relation over the page, as the executor does) and `contentRequestCounts`."""

from __future__ import annotations

from typing import Any

from schema.content.queries import request_counts, requests_page
from schema.content.types import cards_of, due_state, today_in, viewer_actions
from schema.context import Context
from schema.core.compiled import (
    Batch,
    Joins,
    NotCompiled,
    RootOne,
    RootPage,
    RowType,
    request_of,
)
from server.services.core.pagination import Page


async def _requests(
    kwargs: dict[str, Any], joins: Joins, context: Context
) -> Page[Any]:
    return await requests_page(
        kwargs.get("filter"), kwargs["order_by"], request_of(kwargs), today_in(context)
    )


async def _counts(kwargs: dict[str, Any], context: Context) -> Any:
    return await request_counts(kwargs.get("filter"), today_in(context))


async def _cards(rows: list[Any], context: Context) -> list[Any]:
    cards = await cards_of(context, rows)
    return [cards[row.id] for row in rows]


def _shown(name: str) -> Batch:
    """A card's relation, filled in by `cards_of` for a page's cards."""

    async def values(rows: list[Any], context: Context) -> list[Any]:
        found = [getattr(row, name) for row in rows]
        if any(hasattr(v, "__await__") for v in found):
            raise NotCompiled(f"ContentRequest.{name} not loaded")
        return found

    return Batch({"persona": "Persona"}.get(name, "User"), values, built=True)


async def _actions(rows: list[Any], context: Context) -> list[Any]:
    return [viewer_actions(context, row) for row in rows]


def _due(name: str) -> Batch:
    async def states(rows: list[Any], context: Context) -> list[Any]:
        return [due_state(context, row._row, getattr(row, name)) for row in rows]

    return Batch(None, states)


TYPES = {
    "ContentRequest": RowType(
        "ContentRequest",
        convert_all=_cards,
        relations={
            "persona": _shown("persona"),
            "requester": _shown("requester"),
            "assignee": _shown("assignee"),
            "viewer_actions": Batch(None, _actions),
            "requested_due_state": _due("requested_due_date"),
            "committed_due_state": _due("committed_due_date"),
        },
    ),
    "ContentRequestCount": RowType("ContentRequestCount"),
}
ROOTS: dict[str, RootPage | RootOne] = {
    "contentRequests": RootPage("ContentRequest", "contentRequests", _requests),
    "contentRequestCounts": RootOne(
        "ContentRequestCount", "contentRequestCounts", _counts
    ),
}
