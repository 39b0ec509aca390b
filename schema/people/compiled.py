"""People as the compiler answers them (`schema.core.compiled`): `User`, the
`users` connection, `viewer` and the viewer's `savedFilters`."""

from __future__ import annotations

from typing import Any

from schema.context import Context
from schema.core.compiled import Joins, RootOne, RootPage, RowType, request_of
from schema.people.saved_filters import saved_filter_type
from schema.people.users import USER_COLUMNS, USER_VALUES, user_type, users_page
from server.services.core.actors import Actor
from server.services.core.pagination import Page
from server.services.people import reads as user_reads
from server.services.people import saved_filters


async def _users(kwargs: dict[str, Any], joins: Joins, context: Context) -> Page[Any]:
    request = request_of(kwargs)
    return await users_page(kwargs.get("filter"), kwargs.get("order_by"), request)


async def _viewer(kwargs: dict[str, Any], context: Context) -> Any:
    actor = context.caller
    assert isinstance(actor, Actor)  # the plan checked `viewer` first
    return (await user_reads.user_records([actor.user_id])).get(actor.user_id)


async def _saved_filters(kwargs: dict[str, Any], context: Context) -> Any:
    actor = context.caller
    assert isinstance(actor, Actor)  # the plan checked `savedFilters` first
    return await saved_filters.saved_filters(actor.user_id, kwargs["screen"])


TYPES = {
    "User": RowType(
        "User", convert=user_type, leaves=USER_VALUES, columns=USER_COLUMNS
    ),
    "SavedFilter": RowType("SavedFilter", convert=saved_filter_type),
}
ROOTS: dict[str, RootPage | RootOne] = {
    "users": RootPage("User", "users", _users),
    "viewer": RootOne("User", "viewer", _viewer),
    "savedFilters": RootOne("SavedFilter", "savedFilters", _saved_filters),
}
