"""GraphQL over HTTP: methods, media types, status codes, masking and limits."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace
from typing import Any

import pytest
from tortoise.context import TortoiseContext

from schema.core.limits import DocumentCache
from server.app import create_app
from server.services.people import reads as users
from server.settings import Limits, Settings
from tests.helpers import Api, make_user, open_session

VIEWER = "{ viewer { name } }"
MakeApi = Callable[..., AbstractAsyncContextManager[Api]]


@pytest.fixture
def api_with(settings: Settings, database: TortoiseContext) -> MakeApi:
    """An app whose limits differ from the defaults (keyword arguments of Limits)."""

    @asynccontextmanager
    async def build(**limits: Any) -> AsyncIterator[Api]:
        app = create_app(
            replace(settings, limits=replace(Limits(), **limits)), manage_database=False
        )
        async with app.router.lifespan_context(app), Api.for_app(app) as client:
            yield client

    return build


async def signed_in(api: Api) -> None:
    api.use_session(
        await open_session(await make_user("ann@example.com", "SALES", "MANAGER"))
    )


async def test_queries_work_over_get_and_mutations_do_not(api: Api) -> None:
    await signed_in(api)
    got = await api.gql(VIEWER, method="GET")
    assert got.status == 200 and got.data["viewer"]["name"] == "Ann"
    refused = await api.gql("mutation { logout { ok } }", method="GET")
    assert refused.status == 405 and refused.headers["allow"] == "POST"
    put = await api.http.put("/graphql", json={"query": VIEWER})
    assert put.status_code == 405


async def test_every_answer_is_marked_not_cacheable(api: Api) -> None:
    await signed_in(api)
    for response in (
        await api.gql(VIEWER),
        await api.gql("{ nope }"),
        await api.gql(VIEWER, method="GET"),
    ):
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-request-id"]


async def test_graphql_response_json_uses_status_codes_and_json_stays_200(
    api: Api,
) -> None:
    await signed_in(api)
    modern = await api.gql(
        "{ nope }", headers={"accept": "application/graphql-response+json"}
    )
    assert modern.status == 400
    assert modern.headers["content-type"].startswith(
        "application/graphql-response+json"
    )
    assert modern.error_codes == ["GRAPHQL_VALIDATION_FAILED"]
    legacy = await api.gql("{ nope }")
    assert legacy.status == 200 and legacy.error_codes == ["GRAPHQL_VALIDATION_FAILED"]
    broken = await api.gql("{ viewer { ")
    assert broken.error_codes == ["GRAPHQL_PARSE_FAILED"]


async def test_an_unexpected_failure_is_masked_with_a_request_id(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await signed_in(api)

    async def explode(*args: object) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(users, "list_users", explode)
    with caplog.at_level(logging.ERROR, logger="accord.graphql"):
        response = await api.gql(
            "{ users { totalCount } }", headers={"x-request-id": "req-12345678"}
        )

    error = response.body["errors"][0]
    assert error["message"] == "Internal server error"
    assert error["extensions"] == {
        "code": "INTERNAL_SERVER_ERROR",
        "requestId": "req-12345678",
    }
    assert "secret internal detail" not in str(response.body)
    assert "req-12345678" in caplog.text and "secret internal detail" in caplog.text


async def test_introspection_is_off_unless_debugging(api: Api) -> None:
    await signed_in(api)
    response = await api.gql("{ __schema { types { name } } }")
    assert set(response.error_codes) == {"GRAPHQL_VALIDATION_FAILED"}
    assert "introspection" in response.body["errors"][0]["message"].lower()


async def test_limits_refuse_before_any_resolver_runs(
    api_with: MakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[object] = []
    real = users.list_users

    async def spy(*args: Any) -> Any:
        calls.append(args)
        return await real(*args)

    monkeypatch.setattr(users, "list_users", spy)
    deep = (
        "{ users { edges { node { "
        + "roleGrantedBy { " * 11
        + "id"
        + " }" * 11
        + " } } } }"
    )
    aliased = "{ " + " ".join(f"u{i}: users {{ totalCount }}" for i in range(31)) + " }"
    costly = (
        "{ users(first: 100) { edges { node"
        " { roleGrantedBy { roleGrantedBy { id } } } } } }"
    )
    async with api_with(max_cost=300) as api:
        await signed_in(api)
        for document, reason in (
            (deep, "deep"),
            (aliased, "aliases"),
            (costly, "costs"),
        ):
            refused = await api.gql(document)
            assert refused.status == 400, reason
            assert refused.error_codes == ["QUERY_TOO_COMPLEX"]
            assert reason in refused.body["errors"][0]["message"]
        tokens = await api.gql("{ viewer { " + "name " * 5001 + "} }")
        assert tokens.error_codes == ["QUERY_TOO_COMPLEX"]
        assert calls == []
        allowed = await api.gql("{ users(first: 5) { totalCount } }")
        assert allowed.status == 200 and len(calls) == 1
        assert allowed.body["extensions"]["cost"]["requested"] > 0


async def test_the_rate_limit_answers_throttled_with_retry_after(
    api_with: MakeApi,
) -> None:
    async with api_with(rate_limit_per_minute=30) as api:
        await signed_in(api)
        codes = [
            (await api.gql("{ users(first: 2) { totalCount } }")).status
            for _ in range(12)
        ]
        assert codes[0] == 200 and codes[-1] == 429
        throttled = await api.gql(VIEWER)
        assert throttled.error_codes == ["THROTTLED"]
        assert int(throttled.headers["retry-after"]) >= 1


async def test_request_bodies_over_the_limit_are_refused(api_with: MakeApi) -> None:
    async with api_with(max_body_bytes=1000) as api:
        await signed_in(api)
        response = await api.gql(VIEWER, {"padding": "x" * 2000})
        assert response.status == 413 and response.error_codes == ["PAYLOAD_TOO_LARGE"]


async def test_document_checks_run_once_per_distinct_document(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    await signed_in(api)
    prepared: list[str] = []
    real = DocumentCache._prepare

    def counting(self: DocumentCache, text: str) -> Any:
        prepared.append(text)
        return real(self, text)

    monkeypatch.setattr(DocumentCache, "_prepare", counting)
    for _ in range(5):
        await api.gql("{ viewer { email } }")
    await api.gql("{ viewer { name } }")
    assert prepared == ["{ viewer { email } }", "{ viewer { name } }"]
