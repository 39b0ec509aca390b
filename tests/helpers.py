"""Shared test helpers: an HTTP GraphQL client and factories for people and sessions."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.applications import Starlette

from server.clock import clock
from server.models.core import OutboxEvent
from server.models.people import ApiToken, Session, User
from server.services.core import outbox as events
from server.services.people.auth import SESSION_COOKIE, TOKEN_PREFIX
from server.services.people.passwords import _hasher, digest, new_secret

TEST_SECRET = "test-secret-key-for-accord-tests-only-0123456789"
PASSWORD = "correct horse battery staple"
BASE = "http://testserver"


@functools.cache
def password_hash() -> str:
    """One Argon2 hash shared by every fixture user (hashing is slow on purpose)."""
    return _hasher.hash(PASSWORD)


@dataclass
class Response:
    status: int
    body: dict[str, Any]
    headers: httpx.Headers

    @property
    def data(self) -> dict[str, Any]:
        assert "errors" not in self.body, self.body.get("errors")
        return self.body["data"]  # type: ignore[no-any-return]

    @property
    def error_codes(self) -> list[str]:
        return [e["extensions"]["code"] for e in self.body.get("errors", [])]


class Api:
    """Talks to the app over HTTP, as the web client or an integration would."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.http = client

    @classmethod
    @asynccontextmanager
    async def for_app(cls, app: Starlette) -> AsyncIterator[Api]:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
            yield cls(client)

    async def gql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        method: str = "POST",
    ) -> Response:
        sent = dict(headers or {})
        if token:
            sent["authorization"] = f"Bearer {token}"
        if method == "GET":
            params: dict[str, str] = {"query": query}
            if variables:
                import orjson

                params["variables"] = orjson.dumps(variables).decode()
            r = await self.http.get("/graphql", params=params, headers=sent)
        else:
            payload: dict[str, Any] = {"query": query}
            if variables is not None:
                payload["variables"] = variables
            r = await self.http.post("/graphql", json=payload, headers=sent)
        body = r.json() if r.headers.get("content-type", "").find("json") >= 0 else {}
        return Response(r.status_code, body, r.headers)

    def use_session(self, secret: str | None) -> None:
        self.http.cookies.clear()
        if secret:
            self.http.cookies.set(SESSION_COOKIE, secret, domain="testserver.local")

    @property
    def session(self) -> str | None:
        return self.http.cookies.get(SESSION_COOKIE, domain="testserver.local")

    async def login(self, email: str, password: str = PASSWORD) -> Response:
        return await self.gql(LOGIN, {"input": {"email": email, "password": password}})


LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) {
    viewer { id name team role } userErrors { code message field }
  }
}
"""


async def make_user(
    email: str,
    team: str = "SALES",
    role: str = "MEMBER",
    *,
    name: str | None = None,
    active: bool = True,
    granted_hours_ago: float | None = None,
) -> User:
    now = clock.now()
    return await User.create(
        email=email,
        name=name or email.split("@")[0].title(),
        team=team,
        role=role,
        active=active,
        password_hash=password_hash(),
        created_at=now,
        updated_at=now,
    )


async def open_session(user: User) -> str:
    """A live session for the user, as if they had signed in; returns the cookie."""
    secret = new_secret()
    now = clock.now()
    from server.services.people.auth import policy

    await Session.create(
        user_id=user.id,
        secret_hash=digest(secret),
        created_at=now,
        last_seen_at=now,
        expires_at=now + policy.absolute,
    )
    return secret


async def issue_token(user: User, scopes: str = "READ") -> str:
    secret = f"{TOKEN_PREFIX}test{new_secret(4)}_{new_secret(24)}"
    await ApiToken.create(
        user_id=user.id,
        name="test",
        secret_hash=digest(secret),
        prefix="test",
        scopes=scopes,
        created_at=clock.now(),
    )
    return secret


# The dispatcher's marks on an outbox event: its work after the commit, never a
# call's (a dispatch of an earlier event may land between two snapshots).
DISPATCH_MARKS = frozenset({"dispatched_at", "attempts", "retry_at", "last_error"})


def row_content(model: type[Any], row: dict[str, Any]) -> dict[str, Any]:
    """A row as a snapshot compares it: an outbox event without dispatch marks."""
    if model is OutboxEvent:
        return {k: v for k, v in row.items() if k not in DISPATCH_MARKS}
    return dict(row)


async def settle_outbox() -> None:
    """Dispatch every outbox event written so far (the consumers run), waiting
    for a batch the app's own dispatcher may be handling meanwhile, so that
    comparing rows before and after a call sees no dispatch in between."""
    for _ in range(500):
        await events.dispatch_once()
        if not await OutboxEvent.filter(dispatched_at__isnull=True).exists():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("outbox events stayed undispatched")
