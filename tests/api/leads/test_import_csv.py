"""`accord import-csv`: leads, stage history and activities from CSV files,
through `upsertLeads` with backfill, chunk by chunk (docs/operations.md), on
SQLite and PostgreSQL; bad rows are reported with their file and line and
the good ones imported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from server import csv_import
from server.models.core import AuditEntry
from server.models.leads import Lead, LeadActivity, StageChange
from tests.helpers import TEST_SECRET, Api
from tests.lead_steps import seat

ROOT = Path(__file__).resolve().parents[3]
LEADS = """email,first_name,company,external_ids,stage,owner_email,amount,company_size
won@past.example,Wen,Past Co,crm:1,WON,rey@example.com,5000,50
nobody@past.example,Bea,Past Co,,SQL,nobody@x.example,,
size@past.example,S,Co,,,,,many
jump@past.example,Jo,Co,crm:2;erp:7,,,,
plain@past.example,Pia,Co,,NURTURING,,,
"""
HISTORY = """email,stage,at,reason
won@past.example,NEW,2025-01-02T09:00:00Z,
won@past.example,MQL,2025-01-03T09:00:00Z,
won@past.example,SAL,2025-01-04T09:00:00Z,accepted in the CRM
won@past.example,SQL,2025-01-05T09:00:00Z,
won@past.example,OPPORTUNITY,2025-01-06T09:00:00Z,
won@past.example,WON,2025-01-07T09:00:00Z,
jump@past.example,NEW,2025-01-02T09:00:00Z,
jump@past.example,SQL,2025-01-03T09:00:00Z,
ghost@past.example,NEW,2025-01-02T09:00:00Z,
"""
ACTIVITIES = """email,kind,occurred_at,external_id,source,metadata
won@past.example,DEMO_REQUEST,2025-01-01T09:00:00Z,a1,web,"{""page"": ""/demo""}"
won@past.example,PAGE_VIEW,2025-01-01T08:00:00Z,,web,
plain@past.example,PAGE_VIEW,2025-01-01T08:00:00Z,,web,[1]
"""
EXPECTED = [
    "leads.csv:4: company_size: write a whole number",
    "history.csv:10: no row of the leads file has this email",
    "activities.csv:4: metadata: write a JSON object",
    "leads.csv:3: owner_email: no user has the address nobody@x.example",
    "history.csv:9: stageHistory.1.stage: the waterfall has no move from NEW to SQL",
]


def files(folder: Path) -> tuple[Path, Path, Path]:
    paths = (folder / "leads.csv", folder / "history.csv", folder / "activities.csv")
    for path, text in zip(paths, (LEADS, HISTORY, ACTIVITIES), strict=True):
        path.write_text(text, encoding="utf-8")
    return paths


async def test_an_import_keeps_the_good_rows_and_names_the_bad_ones_by_line(
    api: Api, tmp_path: Path
) -> None:
    await seat(api)
    leads, history, activities = files(tmp_path)
    progress: list[str] = []

    # one lead per transaction: a refused row takes no other with it
    summary = await csv_import.import_files(
        leads, history, activities, "ada@example.com", chunk=1, progress=progress.append
    )

    assert summary.problems == EXPECTED
    assert (summary.total, summary.outcomes) == (
        5,
        {"FAILED": 3, "CREATED": 2},
    )
    assert progress == [
        "imported 1 of 3 lead row(s)",
        "imported 2 of 3 lead row(s)",
        "imported 3 of 3 lead row(s)",
    ]
    won = await Lead.get(email="won@past.example")
    assert (won.stage, won.owner_id is not None, str(won.amount)) == (
        "WON",
        True,
        "5000.00",
    )
    moves = await StageChange.filter(lead_id=won.id).order_by("at", "id")
    assert [(m.to_stage, m.via) for m in moves][-1] == ("WON", "IMPORTED")
    assert moves[2].reason == "accepted in the CRM"
    assert await LeadActivity.filter(lead_id=won.id, imported=True).count() == 2
    plain = await Lead.get(email="plain@past.example")
    assert plain.stage == "NURTURING"
    assert not await Lead.filter(email__in=["size@past.example", "jump@past.example"])
    # three calls, each audited as the admin through the command line
    entries = await AuditEntry.filter(action="upsertLeads").order_by("id")
    assert len(entries) == 3
    assert {e.credential for e in entries} == {"cli:0"}


async def test_only_an_active_admin_may_run_an_import(api: Api, tmp_path: Path) -> None:
    await seat(api)
    leads = files(tmp_path)[0]

    with pytest.raises(csv_import.ImportError_, match="an active admin"):
        await csv_import.import_files(leads, None, None, "mara@example.com")


def test_the_command_prints_the_problems_and_a_summary_and_exits_1(
    tmp_path: Path,
) -> None:
    env = {
        **os.environ,
        "ACCORD_DATABASE_URL": f"sqlite://{tmp_path / 'accord.db'}",
        "ACCORD_SECRET_KEY": TEST_SECRET,
    }

    def accord(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "server.cli", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    assert accord("migrate").returncode == 0
    for email, team, role in (
        ("ada@example.com", "LEADERSHIP", "ADMIN"),
        ("rey@example.com", "SALES", "MEMBER"),
    ):
        made = accord(
            "create-user",
            "--email",
            email,
            "--name",
            email[:3],
            "--team",
            team,
            "--role",
            role,
            "--password",
            "Long-enough-passw0rd",
        )
        assert made.returncode == 0, made.stderr
    leads, history, activities = files(tmp_path)
    args = (
        "import-csv",
        "--leads",
        str(leads),
        "--history",
        str(history),
        "--activities",
        str(activities),
        "--as",
        "ada@example.com",
    )

    done = accord(*args)
    again = accord(*args)

    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        *EXPECTED,
        "5 lead row(s): 2 created, 0 updated, 0 unchanged, 0 stale, 3 failed; "
        "5 problem(s)",
    ]
    assert "imported 3 of 3 lead row(s)" in done.stderr
    assert done.stderr.strip().endswith(
        "5 problem(s), listed above; every other row was imported"
    )
    # a second run changes nothing
    assert "0 created, 0 updated, 2 unchanged" in again.stdout
