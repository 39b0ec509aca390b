"""The demo company: what it contains, that a seed always builds the same one,
and that it never goes into a database with users."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from argon2 import PasswordHasher
from tortoise.context import TortoiseContext

from server import db
from server.clock import clock
from server.demo import DemoOptions, DemoRefused, build_demo
from server.models.agreements import Agreement, AgreementRevision, AgreementSignOff
from server.models.events import Webhook, WebhookDelivery
from server.models.leads import Lead, LeadActivity
from server.models.people import User
from server.models.waterfall import FollowUp, Handoff, HandoffChain
from server.services.people import passwords
from tests.helpers import make_user

NOW = datetime.fromisoformat("2025-06-02T16:00:00+00:00")
LEADS = 100


@pytest.fixture(autouse=True)
def quick_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its real cost takes a third of a second per person; what is
    tested here is the company, not the hash."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", cheap)


async def build(seed: int = 7) -> Any:
    return await build_demo(DemoOptions(NOW, leads=LEADS, seed=seed))


async def test_the_demo_company_has_both_teams_signed_agreements_and_history(
    database: TortoiseContext,
) -> None:
    report = await build()

    people = await User.all().values_list("team", "role", "email")
    for team in ("MARKETING", "SALES"):
        assert {r for t, r, _ in people if t == team} == {"MANAGER", "MEMBER"}
    assert [e for t, r, e in people if r == "ADMIN"] != []
    assert sorted(login.person.email for login in report.logins) == sorted(
        e for _, _, e in people
    )
    await _agreements_are_in_force_and_signed_by_both_teams()
    await _leads_have_ninety_days_of_activity()
    await _handoffs_breach_are_rejected_with_reasons_and_reassigned()
    await _webhooks_are_paused_with_a_delivery_log()
    assert clock.now() - datetime.now(NOW.tzinfo) < timedelta(seconds=5)


async def _agreements_are_in_force_and_signed_by_both_teams() -> None:
    active = await Agreement.filter(status="ACTIVE").values_list("kind", flat=True)
    assert {"GOAL", "PERSONA", "QUALIFICATION_MODEL", "SERVICE_LEVEL_AGREEMENT"} <= set(
        active
    )
    assert active.count("PERSONA") >= 2
    for revision in await AgreementRevision.all():
        teams = await AgreementSignOff.filter(revision_id=revision.id).values_list(
            "team", flat=True
        )
        assert sorted(teams) == ["MARKETING", "SALES"]
    sla = await Agreement.get(in_force_slot="SERVICE_LEVEL_AGREEMENT")
    calendar = json.loads(sla.terms or "{}")["businessCalendar"]
    assert calendar["timezone"] == "Europe/Berlin"
    assert "2025-04-18" in calendar["holidays"]  # Good Friday
    assert await Agreement.get_or_none(in_force_slot="QUALIFICATION_MODEL")
    assert sla.pending == "PROPOSED"  # an amendment awaits sales' signature


async def _leads_have_ninety_days_of_activity() -> None:
    assert await Lead.all().count() == LEADS
    times = await LeadActivity.all().values_list("occurred_at", flat=True)
    assert len(times) > 2 * LEADS
    assert NOW - timedelta(days=90) <= min(times) < NOW - timedelta(days=80)
    assert NOW - timedelta(days=3) < max(times) <= NOW
    stages = set(await Lead.all().values_list("stage", flat=True))
    assert {"NEW", "NURTURING", "SAL", "SQL"} <= stages


async def _handoffs_breach_are_rejected_with_reasons_and_reassigned() -> None:
    chains = await HandoffChain.all()
    breached = [
        c
        for c in chains
        if c.accept_due_at
        and (c.decided_at or NOW) > c.accept_due_at
        and c.withdrawn_at is None
    ]
    assert breached
    rejected = await Handoff.filter(status="REJECTED")
    assert rejected and all(h.rejection_reason for h in rejected)
    assert await Handoff.filter(status="REASSIGNED").exists()
    assert await Handoff.filter(status="ACCEPTED").exists()
    assert await FollowUp.all().count() > 0


async def _webhooks_are_paused_with_a_delivery_log() -> None:
    hooks = await Webhook.all()
    assert len(hooks) == 2 and not any(h.active for h in hooks)
    statuses = await WebhookDelivery.all().values_list("status", flat=True)
    assert {"SUCCEEDED", "FAILED"} <= set(statuses)
    assert "PENDING" not in statuses  # nothing waits to be sent anywhere


async def test_the_same_seed_builds_the_same_company(
    database: TortoiseContext, backend: str
) -> None:
    await build(seed=3)
    first = await digest()
    await _empty_the_database(backend)
    await build(seed=3)
    assert await digest() == first


async def test_demo_data_refuses_a_database_with_users(
    database: TortoiseContext,
) -> None:
    await make_user("someone@example.com")
    with pytest.raises(DemoRefused):
        await build()
    assert await User.all().count() == 1
    assert await Lead.all().count() == 0


async def digest() -> str:
    """A fingerprint of what the demo built, independent of row keys."""
    emails = dict(await User.all().values_list("id", "email"))
    leads = (
        await Lead.all()
        .order_by("email")
        .values_list(
            "email",
            "stage",
            "score",
            "raw_score",
            "qualified",
            "owner_id",
            "created_at",
        )
    )
    handoffs = await Handoff.all().values_list(
        "lead__email", "assignee_id", "status", "rejection_reason", "decided_at"
    )
    chains = await HandoffChain.all().values_list(
        "lead__email", "accept_due_at", "first_touch_at", "touch_attempts"
    )
    rows = [
        [_plain(v, emails) if n in (5,) else _plain(v) for n, v in enumerate(row)]
        for row in leads
    ]
    rows += sorted(
        [_plain(v, emails) if n == 1 else _plain(v) for n, v in enumerate(row)]
        for row in handoffs
    )
    rows += sorted([_plain(v) for v in row] for row in chains)
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


def _plain(value: Any, users: dict[int, str] | None = None) -> Any:
    if users is not None and value is not None:
        return users[value]
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, datetime):
        return value.isoformat()
    return value


async def _empty_the_database(backend: str) -> None:
    if backend == "postgres":
        from tests.conftest import _truncate_all

        await _truncate_all()
        return
    tables = await db.fetch(
        "SELECT name FROM sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite_%' AND name != 'tortoise_migrations'"
    )
    await db.execute("PRAGMA foreign_keys = OFF")
    for row in tables:
        await db.execute(f'DELETE FROM "{row["name"]}"')
    await db.execute("PRAGMA foreign_keys = ON")
