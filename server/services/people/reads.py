"""Reading users: the `users` list, users by id, a page's owners for display."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q

from server import db
from server.models.people import User
from server.services.core import fetched
from server.services.core.pagination import Ordering, Page, PageRequest, paginate

USER_ORDERINGS = {
    "NAME": Ordering("NAME", (("name", False),)),
    "CREATED_AT": Ordering("CREATED_AT", (("created_at", False),)),
}

READ_COLUMNS = (
    "id",
    "email",
    "name",
    "team",
    "role",
    "active",
    "timezone",
    "out_of_office",
    "accepts_leads",
    "role_granted_by_id",
    "role_granted_at",
    "credentials_issued_by_id",
    "credentials_issued_at",
    "version",
    "created_at",
    "updated_at",
)


def user_query(filter: dict[str, Any]) -> Any:
    query = User.all().only(*READ_COLUMNS)
    if filter.get("team"):
        query = query.filter(team__in=filter["team"])
    if filter.get("role"):
        query = query.filter(role__in=filter["role"])
    if filter.get("active") is not None:
        query = query.filter(active=filter["active"])
    if filter.get("search"):
        text = filter["search"]
        query = query.filter(Q(name__icontains=text) | Q(email__icontains=text))
    return query


async def list_users(
    filter: dict[str, Any], order: str, descending: bool, page: PageRequest
) -> Page[User]:
    base = USER_ORDERINGS[order]
    ordering = Ordering(
        f"{base.name}:{'D' if descending else 'A'}",
        tuple((f, descending) for f, _ in base.keys),
    )
    return await paginate(user_query(filter), ordering, page)


async def users_by_ids(keys: list[int]) -> dict[int, User]:
    return {u.id: u for u in await User.filter(id__in=keys).only(*READ_COLUMNS)}


async def count_users() -> int:
    return await User.all().count()


async def user_records(keys: list[int]) -> dict[int, Any]:
    """Users read for display (attribute access like `User`), one statement and
    no model objects: a page's owners."""
    if not keys:
        return {}
    rows = await db.fetch(
        f"SELECT {', '.join(READ_COLUMNS)} FROM app_user "
        f"WHERE id IN ({', '.join('?' for _ in keys)})",
        *keys,
    )
    return fetched.records(User, rows)
