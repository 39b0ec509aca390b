"""Credentials: sessions, sign-in and out, passwords and API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import strawberry

from schema.context import Context, CookieChange, Info
from schema.core.errors import UserError, user_errors
from schema.core.permissions import require
from schema.core.relay import (
    Connection,
    Node,
    NodeType,
    connection,
    page_request,
)
from schema.people.users import Scope, User, actor_of, user_by_key, user_type
from server.domain.core.roles import Scope as DomainScope
from server.services.core import ids
from server.services.core.actors import Actor
from server.services.people import auth, tokens, users

if TYPE_CHECKING:
    from server import models


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
        return await user_by_key(info, self._owner)


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


@strawberry.input
class ApiTokenFilter:
    everyone: bool = strawberry.field(
        default=False, description="Admins: every user's tokens."
    )
    active: bool = False


@strawberry.type
class CredentialQueries:
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


@strawberry.type
class CredentialMutations:
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
        outcome = await auth.logout(actor_of(info))
        info.context.cookies.append(CookieChange(auth.SESSION_COOKIE, None))
        return LogoutPayload(ok=outcome.ok, user_errors=user_errors(outcome.errors))

    @strawberry.mutation
    async def logout_everywhere(self, info: Info) -> LogoutEverywherePayload:
        outcome = await auth.logout_everywhere(actor_of(info))
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
            actor_of(info), input.current_password, input.new_password
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
        outcome = await tokens.create_api_token(actor_of(info), new)
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
        outcome = await tokens.revoke_api_token(actor_of(info), input.id)
        row = outcome.result
        return RevokeApiTokenPayload(
            api_token=token_type(row) if row else None,
            user_errors=user_errors(outcome.errors),
        )


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


NODE_TYPES = {
    "Session": NodeType(_fetch_sessions),
    "ApiToken": NodeType(_fetch_tokens),
}
