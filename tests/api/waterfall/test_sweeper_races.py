"""The sweeper at scale and with several workers: a thousand chains due in the
same minute are all reported well within a minute, and two sweepers running
at once on PostgreSQL never report or move anything twice."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from tortoise.context import TortoiseContext

from server.clock import clock
from server.models.core import OutboxEvent
from server.models.leads import Lead
from server.models.people import User
from server.models.waterfall import Handoff, HandoffChain
from server.services.waterfall.sweeper import sweep
from tests.helpers import make_user

START = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
ROUNDS = 30


async def open_chains(count: int, assignees: list[User], spread: timedelta) -> None:
    """`count` pending handoffs without an SLA revision (NOTIFY at timeout),
    accept due 4 hours after START plus up to `spread`, touch due 24 hours after."""
    now = START
    step = spread / max(count, 1)
    await Lead.bulk_create(
        [
            Lead(
                email=f"lead{i}@example.com",
                stage="MQL",
                stage_entered_at=now,
                cycle_started_at=now,
                qualified=True,
                created_at=now,
                updated_at=now,
            )
            for i in range(count)
        ]
    )
    leads = await Lead.all().order_by("id")
    await HandoffChain.bulk_create(
        [
            HandoffChain(
                lead_id=lead.id,
                started_at=now,
                accept_at_risk_at=now + timedelta(hours=3) + step * i,
                accept_due_at=now + timedelta(hours=4) + step * i,
                first_touch_at_risk_at=now + timedelta(hours=18) + step * i,
                first_touch_due_at=now + timedelta(hours=24) + step * i,
            )
            for i, lead in enumerate(leads)
        ]
    )
    chains = await HandoffChain.all().order_by("id")
    await Handoff.bulk_create(
        [
            Handoff(
                chain_id=chain.id,
                lead_id=chain.lead_id,
                assignee_id=assignees[i % len(assignees)].id,
                status="PENDING",
                open_lead=chain.lead_id,
                handed_off_at=now,
                sort_due_at=chain.accept_due_at,
            )
            for i, chain in enumerate(chains)
        ]
    )


async def sales_floor() -> list[User]:
    return [await make_user(f"rep{i}@example.com", "SALES") for i in range(4)]


async def test_a_thousand_chains_due_in_the_same_minute_are_reported_within_it(
    database: TortoiseContext,
) -> None:
    # given 1,000 pending handoffs whose accept deadline falls in one minute
    await open_chains(1000, await sales_floor(), timedelta(minutes=1))

    # when the sweeper runs just after that minute
    clock.set(START + timedelta(hours=4, minutes=1, seconds=1))
    began = time.monotonic()
    handled = await sweep()
    took = time.monotonic() - began

    # then every breach was reported in one sweep, well within the minute
    assert handled == 1000
    assert await OutboxEvent.filter(kind="SLA_BREACHED").count() == 1000
    assert took < 30, f"a sweep of 1,000 chains took {took:.1f} s"
    assert await HandoffChain.filter(accept_breach_reported=False).count() == 0
    # and a second sweep finds nothing to do
    assert await sweep() == 0


@pytest.mark.only_backend("postgres")
async def test_two_sweepers_at_once_never_report_or_move_anything_twice(
    database: TortoiseContext, backend: str
) -> None:
    # given 300 pending handoffs with deadlines spread over two hours
    people = await sales_floor()
    await open_chains(300, people, timedelta(hours=2))
    hours = [2 + 26 * n / (ROUNDS - 1) for n in range(ROUNDS)]
    moments = [START + timedelta(hours=h) for h in hours]
    for round_, moment in enumerate(moments):
        clock.set(moment)
        if round_ == ROUNDS // 3:  # someone leaves: their handoffs move
            await User.filter(id=people[0].id).update(out_of_office=True)
        # when two workers sweep at the same instant
        await asyncio.gather(sweep(), sweep())

    # then no chain was reported twice for a clock, and none moved twice
    rows = await OutboxEvent.filter(kind__in=("SLA_AT_RISK", "SLA_BREACHED"))
    counted = Counter((e.kind, e.payload["chain"], e.payload["clock"]) for e in rows)
    assert counted and max(counted.values()) == 1
    assert len([k for k in counted if k[0] == "SLA_BREACHED"]) == 600
    moved = await Handoff.filter(reassign_cause="OUT_OF_OFFICE").count()
    assert moved == 75
    assert await OutboxEvent.filter(kind="HANDOFF_REASSIGNED").count() == 75
    assert await Handoff.filter(status="PENDING").count() == 300
    chains = await HandoffChain.filter(sweeper_reassignments__gt=1).count()
    assert chains == 0
