"""The real server process: served by `accord serve`, spoken to over the network."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from tests.agreement_steps import ACTIVE_SLA, CREATE_SLA, PROPOSE, SIGN, sla_input
from tests.helpers import TEST_SECRET

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {
        **os.environ,
        "ACCORD_DATABASE_URL": f"sqlite://{tmp_path_factory.mktemp('srv')}/a.db",
        "ACCORD_SECRET_KEY": TEST_SECRET,
    }
    cli = [sys.executable, "-m", "server.cli"]
    subprocess.run(
        [*cli, "migrate"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    people = [
        ("mgr@example.com", "Mia", "SALES"),
        ("mara@example.com", "Mara", "MARKETING"),
    ]
    for email, name, team in people:
        subprocess.run(
            [
                *cli,
                "create-user",
                "--email",
                email,
                "--name",
                name,
                "--team",
                team,
                "--role",
                "MANAGER",
                "--password",
                PASSWORD,
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    port = free_port()
    log = open(tmp_path_factory.mktemp("log") / "server.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [*cli, "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("the server did not become ready")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


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


def _sign_in(client: httpx.Client, email: str) -> None:
    login = {**LOGIN, "variables": {"i": {"email": email, "password": PASSWORD}}}
    answer = client.post("/graphql", json=login).json()
    assert answer["data"]["login"]["viewer"], answer


def _call(client: httpx.Client, document: str, payload: dict[str, Any]) -> Any:
    answer = client.post(
        "/graphql", json={"query": document, "variables": {"input": payload}}
    )
    data = next(iter(answer.json()["data"].values()))
    assert data["userErrors"] == [], data
    return data


def test_an_sla_signed_and_countersigned_over_the_network_is_in_force(
    server: str,
) -> None:
    with (
        httpx.Client(base_url=server) as marketing,
        httpx.Client(base_url=server) as sales,
    ):
        _sign_in(marketing, "mara@example.com")
        _sign_in(sales, "mgr@example.com")
        made = _call(marketing, CREATE_SLA, {"terms": sla_input()})
        sla_id = made["serviceLevelAgreement"]["id"]
        content_hash = _call(marketing, PROPOSE, {"agreementId": sla_id})["agreement"][
            "contentHash"
        ]
        signed = _call(
            marketing, SIGN, {"agreementId": sla_id, "contentHash": content_hash}
        )
        assert signed["agreement"]["status"] == "DRAFT"
        active = sales.post("/graphql", json={"query": ACTIVE_SLA}).json()["data"]
        assert active["activeServiceLevelAgreement"] is None

        done = _call(sales, SIGN, {"agreementId": sla_id, "contentHash": content_hash})

        agreement = done["agreement"]
        assert (agreement["status"], agreement["revision"]) == ("ACTIVE", 1)
        teams = [s["team"] for s in agreement["revisions"][0]["signOffs"]]
        assert teams == ["MARKETING", "SALES"]
        active = sales.post("/graphql", json={"query": ACTIVE_SLA}).json()["data"]
        assert active["activeServiceLevelAgreement"]["id"] == sla_id
