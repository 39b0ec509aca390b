"""Edges of GraphQL over HTTP an outside probe found: malformed GET variables,
the nosniff header, and no schema hints for callers who may not introspect."""

from __future__ import annotations

from tests.helpers import Api, make_user, open_session

LEADS = "query($f: LeadFilter) { leads(filter: $f) { totalCount } }"


async def signed_in(api: Api) -> None:
    user = await make_user("ann@example.com", "MARKETING", "MANAGER")
    api.use_session(await open_session(user))


async def test_malformed_variables_in_a_get_answer_400(api: Api) -> None:
    await signed_in(api)
    answer = await api.http.get(
        "/graphql", params={"query": "{ viewer { id } }", "variables": "{not json"}
    )
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_every_graphql_answer_says_nosniff(api: Api) -> None:
    await signed_in(api)
    for answer in (
        await api.gql("{ viewer { id } }"),
        await api.gql("{ viewer { "),
        await api.gql("mutation { logout { ok } }", method="GET"),
    ):
        assert answer.headers["x-content-type-options"] == "nosniff"


async def test_refusals_give_no_did_you_mean_hints(api: Api) -> None:
    await signed_in(api)
    answers = [
        await api.gql("{ viewr { id } }"),
        await api.gql(LEADS, {"f": {"stages": ["MQLL"]}}),
        await api.gql(LEADS, {"f": {"serch": "x"}}),
    ]
    for answer in answers:
        assert answer.error_codes, answer.body
        for error in answer.body["errors"]:
            assert "Did you mean" not in error["message"], error
