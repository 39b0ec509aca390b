"""The fuzz stage (see tests/fuzzing.py): every operation of the schema, as an
admin, a marketing member, a sales rep and an INGEST token, against `accord serve`
on SQLite and on PostgreSQL, with no 5xx and no INTERNAL_SERVER_ERROR."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import scratch_database
from tests.fuzzing import EXAMPLES, SUMMARY, Caller, fuzz
from tests.network import PASSWORD, running_server

PEOPLE = [
    ("ada@fuzz.example", "Ada", "LEADERSHIP", "ADMIN"),
    ("mel@fuzz.example", "Mel", "MARKETING", "MEMBER"),
    ("rey@fuzz.example", "Rey", "SALES", "MEMBER"),
]
LOGIN = "mutation($i: LoginInput!) { login(input: $i) { viewer { id } } }"
TOKEN = """mutation { createApiToken(input: {name: "fuzz", scopes: [INGEST]})
  { secret userErrors { code } } }"""
SEED = """mutation($i: UpsertLeadsInput!) {
  upsertLeads(input: $i) { summary { created } } }"""


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    if request.param == "sqlite":
        yield None
        return
    with scratch_database("accord_fuzz") as url:
        yield url


def signed_in(base: str, email: str) -> dict[str, str]:
    with httpx.Client(base_url=base) as client:
        variables = {"i": {"email": email, "password": PASSWORD}}
        answer = client.post("/graphql", json={"query": LOGIN, "variables": variables})
        assert answer.json()["data"]["login"]["viewer"], answer.text
        return {"cookie": f"accord_session={client.cookies['accord_session']}"}


def callers(base: str) -> list[Caller]:
    admin, member, rep = (signed_in(base, p[0]) for p in PEOPLE)
    with httpx.Client(base_url=base, headers=member) as client:
        made = client.post("/graphql", json={"query": TOKEN}).json()
        token = {"authorization": f"Bearer {made['data']['createApiToken']['secret']}"}
        rows = [{"email": f"lead{i}@fuzz.example", "company": "Fuzz"} for i in range(3)]
        seeded = client.post(
            "/graphql", json={"query": SEED, "variables": {"i": {"leads": rows}}}
        )
        assert seeded.json()["data"]["upsertLeads"]["summary"]["created"] == 3
    return [
        Caller("admin", admin),
        Caller("marketing member", member),
        Caller("sales rep", rep),
        Caller("INGEST token", token),
    ]


@pytest.mark.slow
def test_no_generated_document_makes_the_server_fail(
    tmp_path_factory: pytest.TempPathFactory, database_url: str | None
) -> None:
    settings = {"ACCORD_DATABASE_URL": database_url} if database_url else {}
    with running_server(tmp_path_factory, PEOPLE, **settings) as base:
        report = fuzz(base, callers(base))
    where = "PostgreSQL" if database_url else "SQLite"
    SUMMARY.append(
        f"fuzz stage on {where}: {report.cases} cases ({EXAMPLES} per operation "
        f"and caller), {len(report.failures)} failing"
    )
    assert report.cases > 0
    assert report.failures == [], "\n\n".join(report.failures)
