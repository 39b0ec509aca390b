"""The funnel at a period's end and conversion, as the database computes them
(`server.services.metrics.funnel`, from what `lead_store.settle_stage_history`
keeps beside each move), against the definitions worked out in Python over
random stage histories written in random batches: moves sharing an instant
(ties broken by id), moves recorded out of order (a backfill writes older
moves after newer ones; a merge brings a duplicate's) and moves after the
period. The persona filters are
the drill-down tests' (`tests/api/metrics/test_drill_down.py`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.domain.core.periods import Period
from server.domain.leads.stages import LeadStage
from server.models import Lead, StageChange
from server.services.leads import store as lead_store
from server.services.metrics import funnel
from server.services.metrics.scope import Scope

pytestmark = pytest.mark.read_connections

T0 = datetime(2026, 3, 1, tzinfo=UTC)
STAGES = [s.value for s in LeadStage]
# A move: (lead, hour, stage); few hours, so that moves share instants.
moves = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 4), st.sampled_from(STAGES)),
    min_size=0,
    max_size=40,
)


def _at(hour: int) -> datetime:
    return T0 + timedelta(hours=hour)


def expected_funnel(rows: list[dict[str, Any]], closes: datetime) -> dict[str, int]:
    last: dict[int, dict[str, Any]] = {}
    for r in sorted(rows, key=lambda r: (r["at"], r["id"])):
        if r["at"] < closes:
            last[r["lead"]] = r
    counts = dict.fromkeys(STAGES, 0)
    for r in last.values():
        counts[r["stage"]] += 1
    return counts


def expected_conversion(
    rows: list[dict[str, Any]], opens: datetime, closes: datetime
) -> list[tuple[str, int, int]]:
    found = []
    for stage, following in funnel.NEXT.items():
        entered, advanced = set(), set()
        for e in rows:
            if e["stage"] != stage or not opens <= e["at"] < closes:
                continue
            entered.add(e["lead"])
            if any(
                n["lead"] == e["lead"]
                and n["stage"] == following
                and (n["at"], n["id"]) > (e["at"], e["id"])
                for n in rows
            ):
                advanced.add(e["lead"])
        found.append((stage, len(entered), len(advanced)))
    return found


async def _world(
    history: list[tuple[int, int, str]], batch: int = 1
) -> list[dict[str, Any]]:
    await StageChange.all().delete()
    await Lead.all().delete()
    instants = ("stage_entered_at", "cycle_started_at", "created_at", "updated_at")
    leads = [
        await Lead.create(
            email=f"h{n}@example.com", stage="NEW", **dict.fromkeys(instants, T0)
        )
        for n in range(4)
    ]
    # written as the services write them: in batches (`record_stage_changes`,
    # which settles each history that gained a move), in the drawn order
    by_id = {lead.id: n for n, lead in enumerate(leads)}
    for start in range(0, len(history), batch):
        await lead_store.record_stage_changes(
            [
                (leads[lead].id, None, stage, _at(hour), None, "MOVE", None, None, None)
                for lead, hour, stage in history[start : start + batch]
            ]
        )
    return [
        {"lead": by_id[r.lead_id], "id": r.id, "at": r.at, "stage": r.to_stage}
        for r in await StageChange.all().order_by("id")
    ]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    history=moves,
    bounds=st.tuples(st.integers(0, 5), st.integers(1, 5)),
    batch=st.integers(1, 8),
)
async def test_funnel_and_conversion_follow_their_definitions(
    database: Any,
    history: list[tuple[int, int, str]],
    bounds: tuple[int, int],
    batch: int,
) -> None:
    rows = await _world(history, batch)
    opens = _at(bounds[0])
    closes = opens + timedelta(hours=bounds[1])
    scope = Scope(Period(opens, closes), None, ZoneInfo("UTC"), _at(30))
    assert await funnel.funnel_at_end(scope) == expected_funnel(rows, closes)
    steps = await funnel.conversion(scope)
    assert [(s.stage, s.entered, s.advanced) for s in steps] == expected_conversion(
        rows, opens, closes
    )
