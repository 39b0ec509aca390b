"""HTTP and graphql-transport-ws share one validation and execution path: the
same documents are refused with the same codes over both, from one rate budget."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from tortoise.context import TortoiseContext

import schema as schema_module
from server.app import create_app
from server.models import ApiToken
from server.settings import Limits, Settings
from tests.helpers import PASSWORD, issue_token, make_user
from tests.transports import WebSocketClient, codes_of, serving

LIMITS = Limits(max_depth=3, max_aliases=2, max_tokens=120, max_cost=150)
LOGIN = 'login(input: {email: "ann@example.com", password: "x"}) { viewer { id } }'
TOO_MANY_TOKENS = "{ viewer { " + " ".join(["id"] * 130) + " } }"
INGEST = "mutation { upsertLeads(input: {leads: []}) { userErrors { code } } }"

# (what is refused, document, variables, the codes both transports answer)
REFUSED: list[tuple[str, str, dict[str, Any] | None, list[str]]] = [
    ("too deep", "{ leads { edges { node { id } } } }", None, ["QUERY_TOO_COMPLEX"]),
    (
        "too many aliases",
        "{ a: viewer { id } b: viewer { id } c: viewer { id } }",
        None,
        ["QUERY_TOO_COMPLEX"],
    ),
    ("too many tokens", TOO_MANY_TOKENS, None, ["QUERY_TOO_COMPLEX"]),
    (
        "too costly",
        "{ users(first: 100) { edges { cursor } } }",
        None,
        ["QUERY_TOO_COMPLEX"],
    ),
    (
        "introspection",
        "{ __schema { types { name } } }",
        None,
        ["GRAPHQL_VALIDATION_FAILED"],
    ),
    ("a misspelt field", "{ viewr { id } }", None, ["GRAPHQL_VALIDATION_FAILED"]),
    ("two logins", f"mutation {{ a: {LOGIN} b: {LOGIN} }}", None, ["INVALID_INPUT"]),
    ("a mutation the READ scope lacks", INGEST, None, ["FORBIDDEN"]),
    (
        "a variable of the wrong type",
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": [1]},
        ["INVALID_INPUT"],
    ),
    ("unparsable", "{ viewer { ", None, ["GRAPHQL_PARSE_FAILED"]),
]


@pytest.fixture
async def served(settings: Settings, database: TortoiseContext) -> AsyncIterator[str]:
    app: Starlette = create_app(replace(settings, limits=LIMITS), manage_database=False)
    async with app.router.lifespan_context(app), serving(app) as base:
        yield base


async def over_http(base: str, token: str, query: str, variables: Any) -> Any:
    async with httpx.AsyncClient(base_url=base) as client:
        answer = await client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {token}"},
        )
        return answer.json()


@pytest.mark.parametrize(("what", "query", "variables", "codes"), REFUSED)
async def test_a_document_refused_over_http_is_refused_alike_over_websocket(
    served: str,
    what: str,
    query: str,
    variables: dict[str, Any] | None,
    codes: list[str],
) -> None:
    token = await issue_token(await make_user("ann@example.com"), "READ")
    http_body = await over_http(served, token, query, variables)
    async with WebSocketClient.connect(served, token=token) as ws:
        ws_body = await ws.run(query, variables)
    assert codes_of(http_body) == codes, (what, http_body)
    assert codes_of(ws_body) == codes, (what, ws_body)
    for body in (http_body, ws_body):
        for error in body.get("errors", []):
            assert "Did you mean" not in error["message"]


async def test_a_websocket_operation_answers_like_http_and_reads_the_viewer(
    served: str,
) -> None:
    token = await issue_token(await make_user("ann@example.com"), "READ")
    async with WebSocketClient.connect(served, token=token) as ws:
        body = await ws.run("{ viewer { email } }")
    assert body["data"] == {"viewer": {"email": "ann@example.com"}}
    assert body["extensions"]["cost"]["requested"] == 2


async def test_both_transports_spend_one_rate_budget(
    settings: Settings, database: TortoiseContext
) -> None:
    app = create_app(
        replace(settings, limits=replace(LIMITS, rate_limit_per_minute=5)),
        manage_database=False,
    )
    token = await issue_token(await make_user("ann@example.com"), "READ")
    async with (
        app.router.lifespan_context(app),
        serving(app) as base,
        WebSocketClient.connect(base, token=token) as ws,
    ):
        spent = [await ws.run("{ viewer { id } }") for _ in range(2)]
        assert [codes_of(b) for b in spent] == [[], []]
        over = await over_http(base, token, "{ viewer { id } }", None)
        assert codes_of(over) == ["THROTTLED"]
        assert codes_of(await ws.run("{ viewer { id } }")) == ["THROTTLED"]


async def test_a_revoked_token_stops_working_on_an_open_connection(
    served: str,
) -> None:
    ann = await make_user("ann@example.com")
    token = await issue_token(ann, "READ")
    async with WebSocketClient.connect(served, token=token) as ws:
        assert codes_of(await ws.run("{ viewer { id } }")) == []
        await ApiToken.filter(user_id=ann.id).delete()
        assert codes_of(await ws.run("{ viewer { id } }")) == ["UNAUTHENTICATED"]


async def test_a_session_signs_in_over_websocket_with_its_cookie(
    served: str,
) -> None:
    await make_user("ann@example.com")
    async with httpx.AsyncClient(base_url=served) as client:
        signed = await client.post(
            "/graphql",
            json={
                "query": "mutation($i: LoginInput!) { login(input: $i) "
                "{ viewer { name } } }",
                "variables": {"i": {"email": "ann@example.com", "password": PASSWORD}},
            },
        )
        assert signed.json()["data"]["login"]["viewer"] == {"name": "Ann"}
        cookie = client.cookies["accord_session"]
    async with WebSocketClient.connect(served, cookie=cookie) as ws:
        body = await ws.run("{ viewer { name } }")
    assert body["data"] == {"viewer": {"name": "Ann"}}


async def test_an_unexpected_failure_is_masked_alike_on_both_transports(
    served: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("secret detail from deep inside")

    query_type = schema_module.schema._schema.query_type
    assert query_type is not None
    monkeypatch.setattr(query_type.fields["leadFunnel"], "resolve", broken)
    token = await issue_token(await make_user("ann@example.com"), "READ")
    http_body = await over_http(served, token, "{ leadFunnel { count } }", None)
    async with WebSocketClient.connect(served, token=token) as ws:
        ws_body = await ws.run("{ leadFunnel { count } }")
    for body in (http_body, ws_body):
        [error] = body["errors"]
        assert error["message"] == "Internal server error"
        assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
        assert error["extensions"]["requestId"]
        assert "secret detail" not in str(body)
