"""`accord demo-data` in a child process: logins printed once, only into an empty
database, and `accord serve` never seeds by itself."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import TEST_SECRET
from tests.network import _wait_until_ready, free_port

ROOT = Path(__file__).resolve().parents[2]
NOW = "2025-06-02T16:00:00+00:00"
LOGIN = """mutation($i: LoginInput!) {
  login(input: $i) { viewer { name team role } userErrors { code } }
}"""
LEADS = "{ leads(first: 1) { totalCount } }"
NOTIFICATIONS = "{ notifications(first: 1) { totalCount } }"
LOGIN_LINE = re.compile(r"^\s+(\S+@nordlicht\.example)\s+(\S+)\s", re.M)


def accord(*args: str, db_file: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        cwd=ROOT,
        env=_env(db_file, **env),
        capture_output=True,
        text=True,
        timeout=300,
    )


def _env(db_file: Path, **env: str) -> dict[str, str]:
    return {
        **os.environ,
        "ACCORD_DATABASE_URL": f"sqlite://{db_file}",
        "ACCORD_SECRET_KEY": TEST_SECRET,
        **env,
    }


def users_in(db_file: Path) -> int:
    with sqlite3.connect(db_file) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM app_user").fetchone()[0])


@pytest.fixture
def migrated(tmp_path: Path) -> Path:
    db_file = tmp_path / "accord.db"
    assert accord("migrate", db_file=db_file).returncode == 0
    return db_file


def test_demo_data_prints_every_login_once_and_only_fills_an_empty_database(
    migrated: Path,
) -> None:
    built = accord("demo-data", "--leads", "30", "--now", NOW, db_file=migrated)

    assert built.returncode == 0, built.stderr
    logins = LOGIN_LINE.findall(built.stdout)
    assert len(logins) == users_in(migrated) >= 10
    assert "30 leads" in built.stdout
    again = accord("demo-data", "--now", NOW, db_file=migrated)
    assert again.returncode == 1
    assert again.stderr.strip().splitlines() == [
        "accord demo-data: the database has users already: demo data goes into "
        "an empty database only"
    ]
    skipped = accord("demo-data", "--if-empty", db_file=migrated)
    assert skipped.returncode == 0 and "users exist already" in skipped.stdout
    assert not set(re.findall(r"\S+@nordlicht\.example", skipped.stdout))


def test_demo_data_refuses_a_naive_reference_instant(migrated: Path) -> None:
    done = accord("demo-data", "--now", "2025-06-02T16:00", db_file=migrated)
    assert done.returncode == 1 and "offset" in done.stderr
    assert users_in(migrated) == 0


def test_serve_never_seeds_and_a_printed_password_signs_in(migrated: Path) -> None:
    with served(migrated) as base:
        assert httpx.get(f"{base}/readyz").status_code == 200
    assert users_in(migrated) == 0

    built = accord("demo-data", "--leads", "40", "--now", NOW, db_file=migrated)
    logins = dict(LOGIN_LINE.findall(built.stdout))
    with served(migrated) as base, httpx.Client(base_url=base) as client:
        admin = sign_in(client, "jonas.weber@nordlicht.example", logins)
        assert admin == {"name": "Jonas Weber", "team": "LEADERSHIP", "role": "ADMIN"}
        leads = client.post("/graphql", json={"query": LEADS}).json()
        assert leads["data"]["leads"]["totalCount"] == 40
        sign_in(client, "sebastian.krueger@nordlicht.example", logins)
        assert _eventually_notified(client)


def sign_in(client: httpx.Client, email: str, logins: dict[str, str]) -> Any:
    login = {
        "query": LOGIN,
        "variables": {"i": {"email": email, "password": logins[email]}},
    }
    return client.post("/graphql", json=login).json()["data"]["login"]["viewer"]


def _eventually_notified(client: httpx.Client) -> bool:
    """The server's dispatcher hands the demo's events to the notifications
    consumer after it starts (sign-off requests, breaches: a sales manager
    hears of both)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = client.post("/graphql", json={"query": NOTIFICATIONS}).json()
        if found["data"]["notifications"]["totalCount"] > 0:
            return True
        time.sleep(0.5)
    return False


@contextmanager
def served(db_file: Path) -> Iterator[str]:
    """`accord serve` in demo mode on a free port until the block ends."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=_env(db_file, ACCORD_DEMO="1"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(base)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)
