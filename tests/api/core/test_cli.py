"""The `accord` command: exit status and a one-line reason for every bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import TEST_SECRET

ROOT = Path(__file__).resolve().parents[3]


def accord(*args: str, db_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {
        **os.environ,
        "ACCORD_DATABASE_URL": db_url,
        "ACCORD_SECRET_KEY": TEST_SECRET,
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite://{tmp_path_factory.mktemp('cli')}/accord.db"
    first = accord("migrate", db_url=url)
    assert first.returncode == 0, first.stderr
    assert "models.0001_initial" in first.stdout  # and every later migration
    again = accord("migrate", db_url=url)
    assert "applied 0 migration" in again.stdout
    return url


def create(
    url: str,
    email: str,
    team: str = "sales",
    role: str = "manager",
    password: str = "correct horse battery",
) -> subprocess.CompletedProcess[str]:
    return accord(
        "create-user",
        "--email",
        email,
        "--name",
        "Ann Smith",
        "--team",
        team,
        "--role",
        role,
        "--password",
        password,
        db_url=url,
    )


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_create_user_makes_a_user_who_exists_once(migrated: str) -> None:
    made = create(migrated, "ann@example.com")
    assert made.returncode == 0 and "ann@example.com" in made.stdout
    assert "already exists" in one_line_error(create(migrated, "ANN@example.com"))


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"team": "sails"}, "unknown team"),
        ({"role": "boss"}, "unknown role"),
        ({"password": "short"}, "weak password"),
        ({"email": "not-an-email"}, "email"),
    ],
)
def test_create_user_refuses_bad_input_in_one_line(
    migrated: str, kwargs: dict[str, str], reason: str
) -> None:
    args = {"email": "bob@example.com", **kwargs}
    assert reason in one_line_error(create(migrated, **args))


def test_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    done = accord("migrate", db_url="postgres://nobody@127.0.0.1:1/none")
    assert "cannot reach the database" in one_line_error(done)


def test_bad_settings_are_named(tmp_path: Path) -> None:
    done = accord("migrate", db_url="mysql://x", ACCORD_SECRET_KEY="short")
    line = one_line_error(done)
    assert "ACCORD_DATABASE_URL" in line and "ACCORD_SECRET_KEY" in line


def test_serve_refuses_several_workers_on_sqlite(migrated: str) -> None:
    done = accord("serve", "--workers", "2", db_url=migrated)
    assert "PostgreSQL" in one_line_error(done)


def test_serve_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    done = accord("serve", db_url=f"sqlite://{tmp_path}/empty.db")
    assert "accord migrate" in one_line_error(done)


def test_export_schema_prints_the_committed_schema() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "export-schema"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout == (ROOT / "schema" / "schema.graphql").read_text(
        encoding="utf-8"
    )


def test_bootstrap_creates_the_first_admin_once(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path}/boot.db"
    accord("migrate", db_url=url)
    first = accord("bootstrap", db_url=url)
    assert first.returncode == 0 and "password:" in first.stdout
    second = accord("bootstrap", db_url=url)
    assert "users exist already" in second.stdout


def test_two_commands_writing_at_once_both_succeed_on_sqlite(migrated: str) -> None:
    env = {
        **os.environ,
        "ACCORD_DATABASE_URL": migrated,
        "ACCORD_SECRET_KEY": TEST_SECRET,
    }
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "server.cli",
                "create-user",
                "--email",
                f"parallel{n}@example.com",
                "--name",
                "Para Llel",
                "--team",
                "SALES",
                "--role",
                "MEMBER",
                "--password",
                "correct horse battery",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(3)
    ]
    results = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], results
