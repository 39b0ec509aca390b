"""People: the User type, `viewer` and `users`, and the admin's user mutations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import Enum
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeAlias

import strawberry

from schema.context import Context, Info
from schema.core.errors import UserError, user_errors
from schema.core.permissions import require
from schema.core.relay import (
    Connection,
    Node,
    NodeType,
    connection,
    page_request,
)
from server.domain.core.errors import Unauthenticated
from server.domain.core.roles import Role as DomainRole
from server.domain.core.roles import Scope as DomainScope
from server.domain.core.roles import Team as DomainTeam
from server.services.core import ids
from server.services.core.actors import Actor
from server.services.core.pagination import Page, PageRequest
from server.services.people import reads as user_reads
from server.services.people import users

if TYPE_CHECKING:
    from server import models

# strawberry.enum marks the domain enums in place; the aliases keep mypy happy.
strawberry.enum(DomainTeam, name="Team")
strawberry.enum(DomainRole, name="Role")
strawberry.enum(DomainScope, name="Scope")
Team: TypeAlias = DomainTeam
Role: TypeAlias = DomainRole
Scope: TypeAlias = DomainScope


@strawberry.type
class User(Node):
    id: strawberry.ID
    name: str
    email: str
    team: Team
    role: Role
    active: bool
    timezone: str
    out_of_office: bool
    accepts_leads: bool
    version: int
    created_at: datetime
    updated_at: datetime
    role_granted_at: datetime | None
    credentials_issued_at: datetime | None
    _granted_by: strawberry.Private[int | None]
    _issued_by: strawberry.Private[int | None]

    @strawberry.field
    async def role_granted_by(self, info: Info) -> User | None:
        return await user_by_key(info, self._granted_by)

    @strawberry.field
    async def credentials_issued_by(self, info: Info) -> User | None:
        return await user_by_key(info, self._issued_by)


# What each plain field of `User` holds, read from a user's row (a model or a
# `Record`): `user_type` builds the executor's objects with these, and the
# compiled reads (`schema.people.compiled`) answer the same fields with them.
USER_VALUES: dict[str, Callable[[Any], Any]] = {
    "id": lambda r: strawberry.ID(ids.encode("User", r.id)),
    "name": attrgetter("name"),
    "email": attrgetter("email"),
    "team": lambda r: DomainTeam(r.team),
    "role": lambda r: DomainRole(r.role),
    "active": attrgetter("active"),
    "timezone": attrgetter("timezone"),
    "out_of_office": attrgetter("out_of_office"),
    "accepts_leads": attrgetter("accepts_leads"),
    "version": attrgetter("version"),
    "created_at": attrgetter("created_at"),
    "updated_at": attrgetter("updated_at"),
    "role_granted_at": attrgetter("role_granted_at"),
    "credentials_issued_at": attrgetter("credentials_issued_at"),
}
# The columns each of them reads (a join fetches only those a selection needs).
USER_COLUMNS: dict[str, tuple[str, ...]] = {
    name: ("id",) if name == "id" else (name,) for name in USER_VALUES
}


def user_type(row: models.User) -> User:
    return User(
        **{name: read(row) for name, read in USER_VALUES.items()},
        _granted_by=row.role_granted_by_id,
        _issued_by=row.credentials_issued_by_id,
    )


async def user_by_key(info: Info, key: int | None) -> User | None:
    if key is None:
        return None
    row = await info.context.loader("user").load(key)
    return user_type(row) if row else None


@strawberry.enum
class UserOrderField(Enum):
    NAME = "NAME"
    CREATED_AT = "CREATED_AT"


@strawberry.enum
class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.input
class UserOrder:
    field: UserOrderField = UserOrderField.NAME
    direction: OrderDirection = OrderDirection.ASC


@strawberry.input
class UserFilter:
    team: list[Team] | None = None
    role: list[Role] | None = None
    active: bool | None = None
    search: str | None = None


def _enum_values(values: list[Any] | None) -> list[str] | None:
    return [v.value for v in values] if values else None


@strawberry.type
class UserQueries:
    @strawberry.field(description="The signed-in user (or the API token's owner).")
    async def viewer(self, info: Info) -> User:
        actor = require(info, "viewer")
        row = await info.context.loader("user").load(actor.user_id)
        if row is None:
            raise Unauthenticated("sign in again")
        return user_type(row)

    @strawberry.field
    async def users(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: UserFilter | None = None,
        order_by: UserOrder | None = None,
    ) -> Connection[User]:
        require(info, "users")
        page = await users_page(
            filter, order_by, page_request(first, after, last, before)
        )
        return connection(page, user_type)


async def users_page(
    filter: UserFilter | None, order_by: UserOrder | None, request: PageRequest
) -> Page[Any]:
    """The `users` connection's page of rows (also `schema.people.compiled`)."""
    f, order = filter or UserFilter(), order_by or UserOrder()
    return await user_reads.list_users(
        {
            "team": _enum_values(f.team),
            "role": _enum_values(f.role),
            "active": f.active,
            "search": f.search,
        },
        order.field.value,
        order.direction is OrderDirection.DESC,
        request,
    )


@strawberry.input
class CreateUserInput:
    email: str
    name: str
    team: Team
    role: Role
    timezone: str = "UTC"


@strawberry.input
class UpdateUserInput:
    id: strawberry.ID
    expected_version: int | None = None
    name: str | None = strawberry.UNSET
    team: Team | None = strawberry.UNSET
    role: Role | None = strawberry.UNSET
    timezone: str | None = strawberry.UNSET
    out_of_office: bool | None = strawberry.UNSET
    accepts_leads: bool | None = strawberry.UNSET
    active: bool | None = strawberry.UNSET


@strawberry.type
class UserPayload:
    user: User | None
    user_errors: list[UserError]


@strawberry.input
class DeactivateUserInput:
    id: strawberry.ID


@strawberry.input
class CreateSetPasswordLinkInput:
    user_id: strawberry.ID


@strawberry.type
class CreateSetPasswordLinkPayload:
    user: User | None
    url: str | None = strawberry.field(
        description="Shown once to the admin; null when the link was e-mailed."
    )
    emailed: bool = strawberry.field(
        description="Whether the link went to the user by e-mail (SMTP configured)."
    )
    expires_at: datetime | None
    user_errors: list[UserError]


UPDATE_FIELDS = {
    "name": "name",
    "team": "team",
    "role": "role",
    "timezone": "timezone",
    "out_of_office": "outOfOffice",
    "accepts_leads": "acceptsLeads",
    "active": "active",
}


def _update_values(data: UpdateUserInput) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for attr, key in UPDATE_FIELDS.items():
        value = getattr(data, attr)
        if value is not strawberry.UNSET:
            values[key] = value.value if isinstance(value, Enum) else value
    return values


@strawberry.input
class UpdatePreferencesInput:
    expected_version: int | None = None
    out_of_office: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="While true, routing skips you and your pending handoffs "
        "move to colleagues.",
    )
    accepts_leads: bool | None = strawberry.field(
        default=strawberry.UNSET, description="While false, routing skips you."
    )
    timezone: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="IANA name; deadlines in your messages are shown in it.",
    )


def _preference_values(data: UpdatePreferencesInput) -> dict[str, Any]:
    found = {
        "outOfOffice": data.out_of_office,
        "acceptsLeads": data.accepts_leads,
        "timezone": data.timezone,
    }
    return {k: v for k, v in found.items() if v is not strawberry.UNSET}


def actor_of(info: Info) -> Actor:
    """The signed-in caller; mutations that need one refuse anonymous callers."""
    actor = info.context.actor
    if actor is None:
        raise Unauthenticated("sign in or send an API token")
    return actor


def _base_url(context: Context) -> str:
    return context.settings.public_url or context.base_url


@strawberry.type
class UserMutations:
    @strawberry.mutation
    async def create_user(self, info: Info, input: CreateUserInput) -> UserPayload:
        new = users.NewUser(
            input.email, input.name, input.team.value, input.role.value, input.timezone
        )
        outcome = await users.create_user(actor_of(info), new)
        return _user_payload(outcome)

    @strawberry.mutation
    async def update_user(self, info: Info, input: UpdateUserInput) -> UserPayload:
        changes = users.UserChanges(
            input.id, input.expected_version, _update_values(input)
        )
        return _user_payload(await users.update_user(actor_of(info), changes))

    @strawberry.mutation(description="Your own out-of-office, leads and timezone.")
    async def update_preferences(
        self, info: Info, input: UpdatePreferencesInput
    ) -> UserPayload:
        outcome = await users.update_preferences(
            actor_of(info), input.expected_version, _preference_values(input)
        )
        return _user_payload(outcome)

    @strawberry.mutation
    async def deactivate_user(
        self, info: Info, input: DeactivateUserInput
    ) -> UserPayload:
        return _user_payload(await users.deactivate_user(actor_of(info), input.id))

    @strawberry.mutation
    async def create_set_password_link(
        self, info: Info, input: CreateSetPasswordLinkInput
    ) -> CreateSetPasswordLinkPayload:
        outcome = await users.create_set_password_link(actor_of(info), input.user_id)
        link = outcome.result
        return CreateSetPasswordLinkPayload(
            user=user_type(link.user) if link else None,
            url=f"{_base_url(info.context)}{users.set_password_path(link.token)}"
            if link and link.token
            else None,
            emailed=bool(link and link.emailed),
            expires_at=link.expires_at if link else None,
            user_errors=user_errors(outcome.errors),
        )


def _user_payload(outcome: Any) -> UserPayload:
    row = outcome.result
    return UserPayload(
        user=user_type(row) if row else None, user_errors=user_errors(outcome.errors)
    )


async def _fetch_users(context: Context, keys: list[int]) -> dict[int, Any]:
    return {k: user_type(v) for k, v in (await user_reads.users_by_ids(keys)).items()}


NODE_TYPES = {"User": NodeType(_fetch_users)}
