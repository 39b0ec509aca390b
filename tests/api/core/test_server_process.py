"""The real server process: served by `accord serve`, spoken to over the network."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
import websockets

from tests.agreement_steps import (
    ACTIVE_SLA,
    CREATE_MODEL,
    CREATE_SLA,
    PROPOSE,
    SIGN,
    model_input,
    sla_input,
)
from tests.lead_steps import MOVE, RECORD, UPSERT, well_fitting
from tests.network import (
    PASSWORD,
    call,
    in_force,
    rescored,
    running_server,
    sign_in,
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    people = [
        ("mgr@example.com", "Mia", "SALES", "MANAGER"),
        ("mara@example.com", "Mara", "MARKETING", "MANAGER"),
    ]
    with running_server(tmp_path_factory, people) as base:
        yield base


LOGIN = {
    "query": "mutation($i: LoginInput!) { login(input: $i) { viewer { name } } }",
    "variables": {"i": {"email": "mgr@example.com", "password": PASSWORD}},
}


def test_a_manager_signs_in_over_http_and_reads_viewer(server: str) -> None:
    with httpx.Client(base_url=server) as client:
        assert (
            client.post("/graphql", json={"query": "{ viewer { name } }"}).status_code
            == 401
        )
        signed = client.post("/graphql", json=LOGIN)
        assert signed.json()["data"]["login"]["viewer"] == {"name": "Mia"}
        viewer = client.post("/graphql", json={"query": "{ viewer { name role } }"})
        assert viewer.json()["data"]["viewer"] == {"name": "Mia", "role": "MANAGER"}
        assert client.get("/readyz").json() == {"status": "ready"}


def _session_cookie(server: str) -> str:
    with httpx.Client(base_url=server) as client:
        client.post("/graphql", json=LOGIN)
        return str(client.cookies["accord_session"])


async def _handshake(
    url: str, protocol: str, cookie: str | None
) -> tuple[str | None, dict]:
    headers = {"cookie": f"accord_session={cookie}"} if cookie else {}
    async with websockets.connect(
        url, subprotocols=[protocol], additional_headers=headers, open_timeout=5
    ) as ws:
        try:  # the server may close before or after our connection_init arrives
            await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
            reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
        except websockets.ConnectionClosed as closed:
            return ws.subprotocol, {"closed": closed.rcvd.code if closed.rcvd else None}
        return ws.subprotocol, reply


def test_websockets_speak_graphql_transport_ws_only(server: str) -> None:
    url = server.replace("http://", "ws://") + "/graphql"
    cookie = _session_cookie(server)
    protocol, reply = asyncio.run(_handshake(url, "graphql-transport-ws", cookie))
    assert protocol == "graphql-transport-ws" and reply["type"] == "connection_ack"

    legacy_protocol, legacy_reply = asyncio.run(_handshake(url, "graphql-ws", cookie))
    assert legacy_protocol is None
    assert legacy_reply == {"closed": 4406}  # "Subprotocol not acceptable"


def test_a_websocket_without_credentials_is_rejected(server: str) -> None:
    url = server.replace("http://", "ws://") + "/graphql"
    _, reply = asyncio.run(_handshake(url, "graphql-transport-ws", None))
    assert reply == {"closed": 4403}


@contextmanager
def _managers(server: str) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    """The marketing and the sales manager, each signed in on a client."""
    with (
        httpx.Client(base_url=server) as marketing,
        httpx.Client(base_url=server) as sales,
    ):
        sign_in(marketing, "mara@example.com")
        sign_in(sales, "mgr@example.com")
        yield marketing, sales


def test_an_sla_signed_and_countersigned_over_the_network_is_in_force(
    server: str,
) -> None:
    with _managers(server) as (marketing, sales):
        made = call(marketing, CREATE_SLA, {"terms": sla_input()})
        sla_id = made["serviceLevelAgreement"]["id"]
        content_hash = call(marketing, PROPOSE, {"agreementId": sla_id})["agreement"][
            "contentHash"
        ]
        signed = call(
            marketing, SIGN, {"agreementId": sla_id, "contentHash": content_hash}
        )
        assert signed["agreement"]["status"] == "DRAFT"
        active = sales.post("/graphql", json={"query": ACTIVE_SLA}).json()["data"]
        assert active["activeServiceLevelAgreement"] is None

        done = call(sales, SIGN, {"agreementId": sla_id, "contentHash": content_hash})

        agreement = done["agreement"]
        assert (agreement["status"], agreement["revision"]) == ("ACTIVE", 1)
        teams = [s["team"] for s in agreement["revisions"][0]["signOffs"]]
        assert teams == ["MARKETING", "SALES"]
        active = sales.post("/graphql", json={"query": ACTIVE_SLA}).json()["data"]
        assert active["activeServiceLevelAgreement"]["id"] == sla_id


CREATE_TOKEN = """mutation($input: CreateApiTokenInput!) {
  createApiToken(input: $input) { secret userErrors { code field message } } }"""
LEADS_TOTAL = "{ leads(first: 100) { totalCount edges { node { email score } } } }"


def _model_in_force(marketing: httpx.Client, sales: httpx.Client) -> None:
    in_force(marketing, sales, CREATE_MODEL, "qualificationModel", model_input())
    # (the model's rescoring runs in the background: a lead it reached after
    # the pushes below would be rescored at a later instant)
    rescored(marketing)


def _ingest_token(marketing: httpx.Client) -> str:
    made = call(marketing, CREATE_TOKEN, {"name": "CRM sync", "scopes": ["INGEST"]})
    return str(made["secret"])


def _ago(**delta: float) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).isoformat()


def test_leads_and_activities_pushed_twice_over_the_network_count_once(
    server: str,
) -> None:
    with _managers(server) as (marketing, sales):
        _model_in_force(marketing, sales)
        token = _ingest_token(marketing)
        with httpx.Client(
            base_url=server, headers={"authorization": f"Bearer {token}"}
        ) as crm:
            _pushed_twice(crm, marketing)


def _pushed_twice(crm: httpx.Client, marketing: httpx.Client) -> None:
    batch = [
        well_fitting("ana@net.example", externalIds=[{"system": "crm", "id": "1"}]),
        well_fitting("bo@net.example", companySize=5),
        {"email": "cy@net.example"},
    ]
    # when the CRM pushes its leads twice
    first, again = (call(crm, UPSERT, {"leads": batch}) for _ in range(2))
    # then the second push changes nothing
    assert [r["outcome"] for r in first["results"]] == ["CREATED"] * 3
    assert [r["outcome"] for r in again["results"]] == ["UNCHANGED"] * 3
    assert [r["lead"]["score"] for r in again["results"]] == [35, 15, 0]
    assert [r["lead"] for r in again["results"]] == [
        r["lead"] for r in first["results"]
    ]
    ana = first["results"][0]["lead"]["id"]
    signals = [
        {
            "leadId": ana,
            "kind": "PRICING_VIEW",
            "occurredAt": _ago(days=3),
            "externalId": "pv-1",
        },
        {
            "leadId": ana,
            "kind": "DEMO_REQUEST",
            "occurredAt": _ago(hours=2),
            "externalId": "demo-1",
        },
        {
            "leadEmail": "BO@net.example",
            "kind": "PAGE_VIEW",
            "occurredAt": _ago(days=1),
        },
    ]
    # when the marketing tool pushes the activities twice
    recorded, replayed = (call(crm, RECORD, {"activities": signals}) for _ in range(2))
    # then they are recorded once and the scores stay as they were
    assert [r["created"] for r in recorded["results"]] == [True] * 3
    assert [r["created"] for r in replayed["results"]] == [False] * 3
    assert [r["lead"] for r in replayed["results"]] == [
        r["lead"] for r in recorded["results"]
    ]
    # (the INGEST token reads only its payloads; the marketing manager lists them)
    refused = crm.post("/graphql", json={"query": LEADS_TOTAL}).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    listed = marketing.post("/graphql", json={"query": LEADS_TOTAL}).json()["data"]
    assert listed["leads"]["totalCount"] == 3
    # and the demo request qualified Ana, every point explained
    lead = recorded["results"][1]["lead"]
    assert (lead["stage"], lead["qualifiedBy"], lead["qualifiedUnder"]) == (
        "MQL",
        "ACTIVITY",
        1,
    )
    entries = lead["scoreBreakdown"]
    assert [e["kind"] for e in entries] == ["FIT", "FIT", "ENGAGEMENT", "HAND_RAISE"]
    assert all(e["label"] and e["detail"] for e in entries)
    points = sum(Decimal(e["points"]) for e in entries)
    assert points == Decimal(lead["rawScore"])
    assert lead["score"] == 44  # 35 for fit, 10 halved over 3 of 14 days
    _recycled_lead_stays_put(crm, marketing, ana, signals[:2])


def _recycled_lead_stays_put(
    crm: httpx.Client,
    marketing: httpx.Client,
    lead_id: str,
    old: list[dict[str, Any]],
) -> None:
    back = call(marketing, MOVE, {"leadId": lead_id, "stage": "NURTURING"})
    assert (back["lead"]["stage"], back["lead"]["qualified"]) == ("NURTURING", False)
    renamed = [{**a, "externalId": f"again-{a['externalId']}"} for a in old]
    # when the old activities arrive again, as they were and under new ids
    again = call(crm, RECORD, {"activities": old + renamed})
    # then the lead does not qualify on them in its new cycle
    assert [r["created"] for r in again["results"]] == [False, False, True, True]
    lead = again["results"][-1]["lead"]
    assert (lead["stage"], lead["qualified"]) == ("NURTURING", False)
