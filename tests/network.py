"""A real `accord serve` process on a free loopback port, and steps to speak to it
over the network."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.agreement_steps import PROPOSE, SIGN
from tests.helpers import TEST_SECRET

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery"
CLI = [sys.executable, "-m", "server.cli"]
LOGIN = """mutation($i: LoginInput!) { login(input: $i) { viewer { name } } }"""

# (email, name, team, role)
Person = tuple[str, str, str, str]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(
    tmp_path_factory: pytest.TempPathFactory,
    people: list[Person],
    workers: int | str = 1,
    **settings: str,
) -> Iterator[str]:
    """A migrated database (SQLite unless the settings name one) with `people`
    (password PASSWORD), served by `accord serve --workers N` with the `settings`
    (ACCORD_… variables) until the block ends; yields its base URL."""
    with server_process(tmp_path_factory, people, workers, **settings) as (base, _):
        yield base


@contextmanager
def server_process(
    tmp_path_factory: pytest.TempPathFactory,
    people: list[Person],
    workers: int | str = 1,
    **settings: str,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """As `running_server`, yielding the `accord serve` process too."""
    env = {
        **os.environ,
        "ACCORD_DATABASE_URL": f"sqlite://{tmp_path_factory.mktemp('srv')}/a.db",
        "ACCORD_SECRET_KEY": TEST_SECRET,
        **settings,
    }
    _cli(env, "migrate")
    for email, name, team, role in people:
        _cli(
            env,
            *("create-user", "--email", email, "--name", name),
            *("--team", team, "--role", role, "--password", PASSWORD),
        )
    port = free_port()
    log = open(tmp_path_factory.mktemp("log") / "server.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--workers", str(workers)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(base)
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


def _cli(env: dict[str, str], *args: str) -> None:
    subprocess.run([*CLI, *args], cwd=ROOT, env=env, check=True, capture_output=True)


def _wait_until_ready(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail("the server did not become ready")


def sign_in(client: httpx.Client, email: str) -> None:
    login = {"query": LOGIN, "variables": {"i": {"email": email, "password": PASSWORD}}}
    answer = client.post("/graphql", json=login).json()
    assert answer["data"]["login"]["viewer"], answer


def call(client: httpx.Client, document: str, payload: dict[str, Any]) -> Any:
    """Run a mutation; its payload, which must have no user errors."""
    data = send(client, document, payload)
    assert data["userErrors"] == [], data
    return data


def send(client: httpx.Client, document: str, payload: dict[str, Any]) -> Any:
    """Run a mutation; its payload."""
    answer = client.post(
        "/graphql", json={"query": document, "variables": {"input": payload}}
    )
    return next(iter(answer.json()["data"].values()))


def query(client: httpx.Client, document: str, **variables: Any) -> Any:
    answer = client.post("/graphql", json={"query": document, "variables": variables})
    body = answer.json()
    assert "errors" not in body, body
    return body["data"]


def in_force(
    marketing: httpx.Client,
    sales: httpx.Client,
    document: str,
    key: str,
    terms: dict[str, Any],
) -> str:
    """Draft an agreement (`document`, answered under `key`), propose it and have
    both managers sign it; its id."""
    made = call(marketing, document, {"terms": terms})
    agreement_id: str = made[key]["id"]
    proposed = call(marketing, PROPOSE, {"agreementId": agreement_id})
    content_hash = proposed["agreement"]["contentHash"]
    for signer in (marketing, sales):
        call(signer, SIGN, {"agreementId": agreement_id, "contentHash": content_hash})
    return agreement_id


RESCORING = "{ rescoring { finishedAt } }"


def rescored(client: httpx.Client, timeout: float = 30.0) -> None:
    """Wait until the latest rescoring (a model or persona coming into force starts
    one in the background) has finished, so it cannot rescore what comes next."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = query(client, RESCORING)["rescoring"]
        if found is None or found["finishedAt"] is not None:
            return
        time.sleep(0.05)
    pytest.fail("the rescoring did not finish")
