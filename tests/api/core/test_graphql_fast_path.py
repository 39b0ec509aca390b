"""``POST /graphql`` skips Starlette's middleware and routing (`server.app.App`):
every answer must be the one the Starlette route gives, byte for byte.

Each request is sent twice, once to the app and once through
`Starlette.__call__` (the middleware stack and the `/graphql` route), and the
two answers are compared: status, headers and body.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette

from server.app import App
from server.services.core.ratelimit import RateLimiter
from server.services.people import auth
from tests.helpers import BASE, PASSWORD, issue_token, make_user, open_session

pytestmark = pytest.mark.usefixtures("database")
RID = "fastpath-0001"
VIEWER = b'{"query": "{ viewer { id name team } }"}'
LOGIN = (
    "mutation($i: LoginInput!) { login(input: $i) { viewer { name } "
    "userErrors { code } } }"
)

Answer = tuple[int, list[tuple[str, str]], bytes]


async def _send(app: Any, request: dict[str, Any]) -> Answer:
    transport = httpx.ASGITransport(
        app=app, client=("127.0.0.1", 50000), raise_app_exceptions=False
    )
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        r = await client.request(
            request.get("method", "POST"),
            "/graphql",
            content=request.get("body", VIEWER),
            headers=request.get("headers", {}),
        )
    content, given = r.content, r.headers.get("x-request-id")
    if given and given != RID:  # one the server made up: the same on both
        content = content.replace(given.encode(), b"<made up>")
    headers = sorted(
        (k.lower(), "<made up>" if v == given != RID else v)
        for k, v in r.headers.multi_items()
    )
    return r.status_code, headers, content


FAST_PATH_TAKEN: list[str] = []


@pytest.fixture
async def paths(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Any, Any]]:
    post = app.graphql.post

    async def counted(scope: Any, receive: Any, send: Any) -> None:
        FAST_PATH_TAKEN.append(scope["method"])
        await post(scope, receive, send)

    monkeypatch.setattr(app.graphql, "post", counted)
    FAST_PATH_TAKEN.clear()

    async def through_starlette(scope: Any, receive: Any, send: Any) -> None:
        await Starlette.__call__(app, scope, receive, send)

    # A budget that never runs out, so both paths report the same one left.
    app.graphql.executor.rates.capacity = app.graphql.executor.rates.rate = 1e12
    yield app, through_starlette


async def _same(paths: tuple[Any, Any], request: dict[str, Any]) -> Answer:
    fast, slow = paths
    auth.credentials.clear()
    first = await _send(fast, request)
    auth.credentials.clear()
    second = await _send(slow, request)
    assert first == second, request
    return first


async def test_answers_and_refusals_are_the_starlette_routes(
    paths: tuple[Any, Any],
) -> None:
    user = await make_user("ann@example.com", "MARKETING", "MANAGER")
    token = await issue_token(user)
    session = await open_session(user)
    json = {"content-type": "application/json", "x-request-id": RID}
    bearer = {**json, "authorization": f"Bearer {token}"}
    cookie = {**json, "cookie": f"{auth.SESSION_COOKIE}={session}"}
    cases: list[tuple[dict[str, Any], int]] = [
        ({"headers": bearer}, 200),
        ({"headers": {**bearer, "accept": "application/graphql-response+json"}}, 200),
        ({"headers": json}, 401),
        ({"headers": {**json, "authorization": "Basic abc"}}, 401),
        ({"headers": {**json, "authorization": "Bearer acc_nope"}}, 401),
        ({"headers": cookie}, 200),
        ({"headers": {**cookie, "origin": BASE}}, 200),
        ({"headers": {**cookie, "origin": "https://evil.example"}}, 403),
        ({"headers": {**bearer, "content-type": "text/plain"}}, 415),
        ({"headers": bearer, "body": b"{not json"}, 400),
        ({"headers": bearer, "body": b"[1, 2]"}, 400),
        ({"headers": bearer, "body": b'{"query": "{ viewer { "}'}, 200),
        ({"headers": bearer, "body": b'{"query": "{ nope }"}'}, 200),
        (
            {
                "headers": {**bearer, "accept": "application/graphql-response+json"},
                "body": b'{"query": "{ nope }"}',
            },
            400,
        ),
        (
            {
                "headers": bearer,
                "body": b'{"query": "{ viewer { id } }", "x": "'
                + b"y" * (2 * 1024 * 1024)
                + b'"}',
            },
            413,
        ),
        (
            {"headers": {**bearer, "content-type": "application/json; charset=utf-8"}},
            200,
        ),
        ({"headers": {"content-type": "application/json"}}, 401),  # a fresh request id
        ({"method": "GET", "headers": bearer}, 400),  # no query: Starlette's route
        ({"method": "PUT", "headers": bearer}, 405),
    ]
    for request, status in cases:
        answer = await _same(paths, request)
        assert answer[0] == status, (request, answer)
    # Every POST went the short way once (and the long way once).
    posts = sum(1 for request, _ in cases if request.get("method", "POST") == "POST")
    assert ["POST"] * posts == FAST_PATH_TAKEN


async def test_a_sign_in_sets_the_same_cookies(paths: tuple[Any, Any]) -> None:
    await make_user("bob@example.com")
    body = orjson.dumps(
        {
            "query": LOGIN,
            "variables": {"i": {"email": "bob@example.com", "password": PASSWORD}},
        }
    )
    request = {
        "headers": {"content-type": "application/json", "x-request-id": RID},
        "body": body,
    }
    fast, slow = paths
    answers = [await _send(fast, request), await _send(slow, request)]
    for status, _, content in answers:
        assert status == 200
        assert orjson.loads(content)["data"]["login"]["viewer"]["name"] == "Bob"

    def shape(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        # Each sign-in opens its own session: the secret differs, nothing else.
        return [
            (k, v.split(";", 1)[1] if v.startswith(f"{auth.SESSION_COOKIE}=") else v)
            for k, v in headers
        ]

    assert shape(answers[0][1]) == shape(answers[1][1])
    assert answers[0][2] == answers[1][2]
    assert any(k == "set-cookie" for k, _ in answers[0][1])


async def test_a_spent_budget_is_refused_alike(
    paths: tuple[Any, Any], app: App
) -> None:
    user = await make_user("cy@example.com")
    token = await issue_token(user)
    request = {
        "headers": {
            "content-type": "application/json",
            "x-request-id": RID,
            "authorization": f"Bearer {token}",
        }
    }
    answers = []
    for path in paths:
        app.graphql.executor.rates = RateLimiter(1)  # less than any document costs
        answers.append(await _send(path, request))
    assert answers[0] == answers[1]
    assert answers[0][0] == 429


async def test_an_unexpected_error_is_a_plain_500_on_both(
    paths: tuple[Any, Any], app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(app.graphql.executor, "run", broken)
    request = {"headers": {"content-type": "application/json", "x-request-id": RID}}
    answer = await _same(paths, request)
    assert answer[0] == 500
    assert answer[2] == b"Internal Server Error"


async def test_random_requests_are_answered_alike(paths: tuple[Any, Any]) -> None:
    user = await make_user("dee@example.com", "SALES", "MANAGER")
    token = await issue_token(user)
    pick = random.Random(26)
    pieces = [
        b"{",
        b"}",
        b'"query"',
        b":",
        b'"{ viewer { id } }"',
        b'"variables"',
        b"null",
        b"[]",
        b",",
        b'"operationName"',
        b'"x"',
        b"\xff",
        b"1",
    ]
    types = [
        "application/json",
        "application/JSON",
        "text/json",
        "",
        "application/json;",
    ]
    for _ in range(60):
        body = b"".join(pick.choice(pieces) for _ in range(pick.randint(0, 9)))
        headers = {"content-type": pick.choice(types), "x-request-id": RID}
        if pick.random() < 0.7:
            headers["authorization"] = f"Bearer {token}"
        if pick.random() < 0.3:
            headers["accept"] = "application/graphql-response+json"
        await _same(paths, {"headers": headers, "body": body})
