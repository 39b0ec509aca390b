"""Users, sessions, API tokens and the audit log."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeAlias

import strawberry
from strawberry.scalars import JSON

from schema.context import Context, CookieChange, Info
from schema.errors import UserError, user_errors
from schema.permissions import require
from schema.relay import (
    Connection,
    Node,
    NodeType,
    connection,
    page_request,
    register_node,
)
from server.domain.errors import Unauthenticated
from server.domain.users import Role as DomainRole
from server.domain.users import Scope as DomainScope
from server.domain.users import Team as DomainTeam
from server.services import audit, auth, ids, tokens, users
from server.services.actors import Actor

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
        return await _user_by_key(info, self._granted_by)

    @strawberry.field
    async def credentials_issued_by(self, info: Info) -> User | None:
        return await _user_by_key(info, self._issued_by)


def user_type(row: models.User) -> User:
    return User(
        id=strawberry.ID(ids.encode("User", row.id)),
        name=row.name,
        email=row.email,
        team=DomainTeam(row.team),
        role=DomainRole(row.role),
        active=row.active,
        timezone=row.timezone,
        out_of_office=row.out_of_office,
        accepts_leads=row.accepts_leads,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        role_granted_at=row.role_granted_at,
        credentials_issued_at=row.credentials_issued_at,
        _granted_by=row.role_granted_by_id,
        _issued_by=row.credentials_issued_by_id,
    )


async def _user_by_key(info: Info, key: int | None) -> User | None:
    if key is None:
        return None
    row = await info.context.loader("user").load(key)
    return user_type(row) if row else None


@strawberry.type
class Session(Node):
    id: strawberry.ID
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    user_agent: str
    client_address: str
    current: bool


def session_type(row: models.Session, actor: Actor) -> Session:
    return Session(
        id=strawberry.ID(ids.encode("Session", row.id)),
        created_at=row.created_at,
        last_seen_at=auth.last_seen(row),
        expires_at=row.expires_at,
        user_agent=row.user_agent,
        client_address=row.client_address,
        current=actor.credential == "session" and actor.credential_id == row.id,
    )


@strawberry.type
class ApiToken(Node):
    id: strawberry.ID
    name: str
    prefix: str = strawberry.field(
        description="The first characters of the secret, to tell tokens apart."
    )
    scopes: list[Scope]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    _owner: strawberry.Private[int]

    @strawberry.field
    async def owner(self, info: Info) -> User | None:
        return await _user_by_key(info, self._owner)


def token_type(row: models.ApiToken) -> ApiToken:
    return ApiToken(
        id=strawberry.ID(ids.encode("ApiToken", row.id)),
        name=row.name,
        prefix=row.prefix,
        scopes=[DomainScope(s) for s in row.scopes.split(",") if s],
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=auth.token_last_used(row),
        revoked_at=row.revoked_at,
        _owner=row.user_id,
    )


@strawberry.type
class AuditEntry(Node):
    id: strawberry.ID
    credential: str
    action: str
    outcome: str
    entity_type: str
    entity_id: str | None
    changes: JSON
    request_id: str
    at: datetime
    _actor: strawberry.Private[int | None]

    @strawberry.field
    async def actor(self, info: Info) -> User | None:
        return await _user_by_key(info, self._actor)


CREDENTIAL_TYPES = {"session": "Session", "token": "ApiToken"}


def _credential_label(stored: str) -> str:
    """ "session:12" becomes "session:<global ID>"; "cli" and "" stay as they are."""
    kind, _, key = stored.partition(":")
    if kind in CREDENTIAL_TYPES and key.isdigit():
        return f"{kind}:{ids.encode(CREDENTIAL_TYPES[kind], int(key))}"
    return stored


def audit_type(row: models.AuditEntry) -> AuditEntry:
    entity_id = None
    if row.entity_id is not None:
        known = row.entity_type in ids.TYPE_CODES
        entity_id = (
            ids.encode(row.entity_type, row.entity_id) if known else str(row.entity_id)
        )
    return AuditEntry(
        id=strawberry.ID(ids.encode("AuditEntry", row.id)),
        credential=_credential_label(row.credential),
        action=row.action,
        outcome=row.outcome,
        entity_type=row.entity_type,
        entity_id=entity_id,
        changes=row.changes,
        request_id=row.request_id,
        at=row.at,
        _actor=row.actor_id,
    )


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


@strawberry.input
class ApiTokenFilter:
    everyone: bool = strawberry.field(
        default=False, description="Admins: every user's tokens."
    )
    active: bool = False


@strawberry.input
class AuditEntryFilter:
    action: list[str] | None = None
    actor_id: strawberry.ID | None = None
    since: datetime | None = None


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
        f, order = filter or UserFilter(), order_by or UserOrder()
        page = await users.list_users(
            {
                "team": _enum_values(f.team),
                "role": _enum_values(f.role),
                "active": f.active,
                "search": f.search,
            },
            order.field.value,
            order.direction is OrderDirection.DESC,
            page_request(first, after, last, before),
        )
        return connection(page, user_type)

    @strawberry.field(description="Your own sessions that are still usable.")
    async def sessions(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Session]:
        actor = require(info, "sessions")
        page = await auth.list_sessions(actor, page_request(first, after, last, before))
        return connection(page, lambda row: session_type(row, actor))

    @strawberry.field(description="Your API tokens; admins may ask for everyone's.")
    async def api_tokens(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ApiTokenFilter | None = None,
    ) -> Connection[ApiToken]:
        actor = require(info, "apiTokens")
        f = filter or ApiTokenFilter()
        page = await tokens.list_tokens(
            actor,
            {"everyone": f.everyone, "active": f.active},
            page_request(first, after, last, before),
        )
        return connection(page, token_type)

    @strawberry.field(
        description="Managers and admins: every change and refusal, newest first."
    )
    async def audit_entries(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: AuditEntryFilter | None = None,
    ) -> Connection[AuditEntry]:
        require(info, "auditEntries")
        f = filter or AuditEntryFilter()
        page = await audit.list_entries(
            {"action": f.action, "actorId": f.actor_id, "since": f.since},
            page_request(first, after, last, before),
        )
        return connection(page, audit_type)


# ---- mutations ----------------------------------------------------------------


@strawberry.input
class LoginInput:
    email: str
    password: str


@strawberry.type
class LoginPayload:
    viewer: User | None
    user_errors: list[UserError]


@strawberry.type
class LogoutPayload:
    ok: bool
    user_errors: list[UserError]


@strawberry.type
class LogoutEverywherePayload:
    sessions_ended: int
    user_errors: list[UserError]


@strawberry.input
class SetPasswordInput:
    token: str
    password: str


@strawberry.type
class SetPasswordPayload:
    ok: bool
    user_errors: list[UserError]


@strawberry.input
class ChangePasswordInput:
    current_password: str
    new_password: str


@strawberry.type
class ChangePasswordPayload:
    ok: bool
    user_errors: list[UserError]


@strawberry.input
class CreateApiTokenInput:
    name: str
    scopes: list[Scope]
    expires_at: datetime | None = None


@strawberry.type
class CreateApiTokenPayload:
    api_token: ApiToken | None
    secret: str | None = strawberry.field(description="Shown once; store it now.")
    user_errors: list[UserError]


@strawberry.input
class RevokeApiTokenInput:
    id: strawberry.ID


@strawberry.type
class RevokeApiTokenPayload:
    api_token: ApiToken | None
    user_errors: list[UserError]


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
    url: str | None = strawberry.field(description="Shown once to the admin.")
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


def _actor(info: Info) -> Actor:
    actor = info.context.actor
    if actor is None:
        raise Unauthenticated("sign in or send an API token")
    return actor


def _base_url(context: Context) -> str:
    return context.settings.public_url or context.base_url


@strawberry.type
class UserMutations:
    @strawberry.mutation
    async def login(self, info: Info, input: LoginInput) -> LoginPayload:
        ctx = info.context
        outcome = await auth.login(
            ctx.caller, input.email, input.password, ctx.user_agent, ctx.session_secret
        )
        if outcome.result is None:
            return LoginPayload(viewer=None, user_errors=user_errors(outcome.errors))
        max_age = int(auth.policy.absolute.total_seconds())
        ctx.cookies.append(
            CookieChange(auth.SESSION_COOKIE, outcome.result.session_secret, max_age)
        )
        return LoginPayload(viewer=user_type(outcome.result.user), user_errors=[])

    @strawberry.mutation
    async def logout(self, info: Info) -> LogoutPayload:
        outcome = await auth.logout(_actor(info))
        info.context.cookies.append(CookieChange(auth.SESSION_COOKIE, None))
        return LogoutPayload(ok=outcome.ok, user_errors=user_errors(outcome.errors))

    @strawberry.mutation
    async def logout_everywhere(self, info: Info) -> LogoutEverywherePayload:
        outcome = await auth.logout_everywhere(_actor(info))
        info.context.cookies.append(CookieChange(auth.SESSION_COOKIE, None))
        return LogoutEverywherePayload(
            sessions_ended=outcome.result or 0, user_errors=user_errors(outcome.errors)
        )

    @strawberry.mutation
    async def set_password(
        self, info: Info, input: SetPasswordInput
    ) -> SetPasswordPayload:
        outcome = await users.set_password(
            info.context.caller, input.token, input.password
        )
        return SetPasswordPayload(
            ok=outcome.ok, user_errors=user_errors(outcome.errors)
        )

    @strawberry.mutation
    async def change_password(
        self, info: Info, input: ChangePasswordInput
    ) -> ChangePasswordPayload:
        outcome = await users.change_password(
            _actor(info), input.current_password, input.new_password
        )
        return ChangePasswordPayload(
            ok=outcome.ok, user_errors=user_errors(outcome.errors)
        )

    @strawberry.mutation
    async def create_api_token(
        self, info: Info, input: CreateApiTokenInput
    ) -> CreateApiTokenPayload:
        new = tokens.NewToken(
            input.name, [s.value for s in input.scopes], input.expires_at
        )
        outcome = await tokens.create_api_token(_actor(info), new)
        issued = outcome.result
        return CreateApiTokenPayload(
            api_token=token_type(issued.token) if issued else None,
            secret=issued.secret if issued else None,
            user_errors=user_errors(outcome.errors),
        )

    @strawberry.mutation
    async def revoke_api_token(
        self, info: Info, input: RevokeApiTokenInput
    ) -> RevokeApiTokenPayload:
        outcome = await tokens.revoke_api_token(_actor(info), input.id)
        row = outcome.result
        return RevokeApiTokenPayload(
            api_token=token_type(row) if row else None,
            user_errors=user_errors(outcome.errors),
        )

    @strawberry.mutation
    async def create_user(self, info: Info, input: CreateUserInput) -> UserPayload:
        new = users.NewUser(
            input.email, input.name, input.team.value, input.role.value, input.timezone
        )
        outcome = await users.create_user(_actor(info), new)
        return _user_payload(outcome)

    @strawberry.mutation
    async def update_user(self, info: Info, input: UpdateUserInput) -> UserPayload:
        changes = users.UserChanges(
            input.id, input.expected_version, _update_values(input)
        )
        return _user_payload(await users.update_user(_actor(info), changes))

    @strawberry.mutation
    async def deactivate_user(
        self, info: Info, input: DeactivateUserInput
    ) -> UserPayload:
        return _user_payload(await users.deactivate_user(_actor(info), input.id))

    @strawberry.mutation
    async def create_set_password_link(
        self, info: Info, input: CreateSetPasswordLinkInput
    ) -> CreateSetPasswordLinkPayload:
        outcome = await users.create_set_password_link(_actor(info), input.user_id)
        link = outcome.result
        return CreateSetPasswordLinkPayload(
            user=user_type(link.user) if link else None,
            url=f"{_base_url(info.context)}/#/set-password?token={link.token}"
            if link
            else None,
            expires_at=link.expires_at if link else None,
            user_errors=user_errors(outcome.errors),
        )


def _user_payload(outcome: Any) -> UserPayload:
    row = outcome.result
    return UserPayload(
        user=user_type(row) if row else None, user_errors=user_errors(outcome.errors)
    )


async def _fetch_users(context: Context, keys: list[int]) -> dict[int, Any]:
    return {k: user_type(v) for k, v in (await users.users_by_ids(keys)).items()}


async def _fetch_audit(context: Context, keys: list[int]) -> dict[int, Any]:
    actor = context.actor
    if actor is None or not (actor.is_admin or actor.is_manager):
        return {}
    return {k: audit_type(v) for k, v in (await audit.entries_by_ids(keys)).items()}


async def _fetch_sessions(context: Context, keys: list[int]) -> dict[int, Any]:
    actor = context.actor
    if actor is None:
        return {}
    rows = await auth.own_sessions_by_ids(actor, keys)
    return {k: session_type(v, actor) for k, v in rows.items()}


async def _fetch_tokens(context: Context, keys: list[int]) -> dict[int, Any]:
    actor = context.actor
    if actor is None:
        return {}
    return {
        k: token_type(v) for k, v in (await tokens.tokens_by_ids(actor, keys)).items()
    }


register_node("User", NodeType(_fetch_users))
register_node("AuditEntry", NodeType(_fetch_audit))
register_node("Session", NodeType(_fetch_sessions))
register_node("ApiToken", NodeType(_fetch_tokens))
