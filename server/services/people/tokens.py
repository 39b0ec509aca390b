"""API tokens: created by their owner in a session, revoked by the owner or an admin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from server.domain.core.errors import ErrorCode, UserError, UserErrors, refuse
from server.domain.core.roles import Scope
from server.models.people import ApiToken
from server.services.core import ids, mutations
from server.services.core.actors import Actor
from server.services.core.pagination import Ordering, Page, PageRequest, paginate
from server.services.people.auth import TOKEN_PREFIX
from server.services.people.passwords import digest, new_secret

TOKEN_ORDERING = Ordering("CREATED_AT:D", (("created_at", True),))


@dataclass(frozen=True)
class NewToken:
    name: str
    scopes: list[str]
    expires_at: datetime | None


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str


def _problems(new: NewToken, now: datetime) -> list[UserError]:
    errors = []
    if not new.name.strip() or len(new.name) > 200:
        errors.append(
            UserError(
                ErrorCode.INVALID_INPUT, "give a name of 1–200 characters", ("name",)
            )
        )
    if not new.scopes:
        errors.append(
            UserError(ErrorCode.INVALID_INPUT, "choose at least one scope", ("scopes",))
        )
    unknown = [s for s in new.scopes if s not in Scope.__members__]
    if unknown:
        errors.append(
            UserError(ErrorCode.INVALID_INPUT, f"unknown scopes {unknown}", ("scopes",))
        )
    if new.expires_at is not None and new.expires_at <= now:
        errors.append(
            UserError(ErrorCode.INVALID_INPUT, "must be in the future", ("expiresAt",))
        )
    return errors


async def create_api_token(
    actor: Actor, new: NewToken
) -> mutations.Outcome[IssuedToken]:
    async def body(tx: mutations.Tx) -> IssuedToken:
        errors = _problems(new, tx.now)
        if errors:
            raise UserErrors(errors)
        prefix = f"{TOKEN_PREFIX}{new_secret(6)[:8]}"
        secret = f"{prefix}_{new_secret(32)}"
        scopes = ",".join(sorted(set(new.scopes)))
        token = await ApiToken.create(
            user_id=actor.user_id,
            name=new.name.strip(),
            secret_hash=digest(secret),
            prefix=prefix,
            scopes=scopes,
            created_at=tx.now,
            expires_at=new.expires_at,
        )
        tx.audit("ApiToken", token.id, name=token.name, scopes=scopes)
        return IssuedToken(token, secret)

    return await mutations.run(actor, "createApiToken", body)


async def revoke_api_token(actor: Actor, token_id: str) -> mutations.Outcome[ApiToken]:
    async def body(tx: mutations.Tx) -> ApiToken:
        key = ids.decode(token_id, "ApiToken", "id")
        token = await ApiToken.filter(id=key).select_for_update().first()
        if token is None or (token.user_id != actor.user_id and not actor.is_admin):
            raise refuse(ErrorCode.NOT_FOUND, "no such API token", "id")
        if token.revoked_at is None:
            token.revoked_at, token.revoked_by_id = tx.now, actor.user_id
            await token.save(update_fields=["revoked_at", "revoked_by_id"])
        tx.audit("ApiToken", token.id, revoked=True)
        return token

    return await mutations.run(actor, "revokeApiToken", body)


async def list_tokens(
    actor: Actor, filter: dict[str, Any], page: PageRequest
) -> Page[ApiToken]:
    query = ApiToken.all()
    if not actor.is_admin or not filter.get("everyone"):
        query = query.filter(user_id=actor.user_id)
    if filter.get("active"):
        query = query.filter(revoked_at__isnull=True)
    return await paginate(query, TOKEN_ORDERING, page)


async def tokens_by_ids(actor: Actor, keys: list[int]) -> dict[int, ApiToken]:
    query = ApiToken.filter(id__in=keys)
    if not actor.is_admin:
        query = query.filter(user_id=actor.user_id)
    return {row.id: row for row in await query}
