"""Rescoring on a new model revision, in resumable chunks, and the decay pass."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from server.clock import clock
from server.domain.agreements.activity_kinds import ActivityKind
from server.domain.leads.attributes import Activity
from server.domain.leads.engagement import tally_activities
from server.domain.leads.scoring import decayed_numbers, score_state
from server.models.core import OutboxEvent
from server.models.leads import Lead, LeadActivity, RescoreJob
from server.services.leads import decay, rescoring
from server.services.leads.decay import decay_pass
from server.services.leads.engagement_store import load_tallies, state_of
from server.services.leads.scoring import attributes, breakdowns, model_in_force
from server.services.leads.store import load_leads
from tests.agreement_steps import model_input
from tests.helpers import Api
from tests.lead_steps import Desk, seat, well_fitting

UPDATE_MODEL = """
mutation($input: UpdateQualificationModelInput!) {
  updateQualificationModel(input: $input) {
    qualificationModel { id version } userErrors { code message }
  }
}"""
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


async def amend_model(desk: Desk, model_id: str, **changes: Any) -> None:
    found = await Lead.all().count()  # any query: keeps the helper honest
    assert found >= 0
    from server.models.agreements import Agreement
    from server.services.core import ids

    row = await Agreement.get(id=ids.codec().decode(model_id)[1])
    done = await desk.call(
        "marketing",
        UPDATE_MODEL,
        {
            "id": model_id,
            "expectedVersion": row.version,
            "terms": model_input(**changes),
        },
    )
    assert done["userErrors"] == [], done
    content_hash = await desk.propose(model_id)
    await desk.sign(model_id, content_hash, "marketing")
    await desk.sign(model_id, content_hash, "sales")


async def amended_with_leads(
    api: Api, monkeypatch: pytest.MonkeyPatch, prefix: str, count: int, chunk: int
) -> None:
    """``count`` well-fitting leads scored under a model, then the model amended
    to a lower threshold (its rescoring job open) and chunks of ``chunk``."""
    clock.set(START)
    desk = await seat(api)
    model_id = await desk.activate_model()
    await desk.upsert([well_fitting(f"{prefix}{n}@example.com") for n in range(count)])
    await rescoring.run_until_idle()  # the activation's own job
    await amend_model(desk, model_id, mqlThreshold=30)
    monkeypatch.setattr(rescoring, "CHUNK", chunk)


async def test_a_lower_threshold_qualifies_leads_by_model_change_in_chunks(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock.set(START)
    desk = await seat(api)
    model_id = await desk.activate_model()
    rows = [well_fitting(f"lead{n}@example.com") for n in range(5)]
    rows.append({"email": "cold@example.com", "industry": "Mining"})
    done = await desk.upsert(rows)
    assert done["summary"]["created"] == 6
    assert await Lead.filter(qualified=True).count() == 0  # fit 35 < 50

    # when the teams sign a model whose threshold the well-fitting leads reach
    await amend_model(desk, model_id, mqlThreshold=30)

    # then a rescoring job waits, and runs in chunks (2 leads each here)
    monkeypatch.setattr(rescoring, "CHUNK", 2)
    first = await rescoring.run_chunk()
    assert first is not None and (first.done, first.total) == (2, 6)
    assert first.remaining == 4
    # a crash here loses nothing: the next run resumes after the cursor
    while (progress := await rescoring.run_chunk()) is not None:
        last = progress
    assert last.finished_at is not None and last.done == 6 and last.promoted == 5
    qualified = await Lead.filter(qualified=True).order_by("id")
    assert [q.qualified_by for q in qualified] == ["MODEL_CHANGE"] * 5
    assert {q.stage for q in qualified} == {"MQL"}
    assert await Lead.filter(email="cold@example.com", qualified=False).exists()
    kinds = [e.kind for e in await OutboxEvent.filter(kind="LEAD_QUALIFIED")]
    assert len(kinds) == 5
    assert await RescoreJob.filter(finished_at__isnull=True).count() == 0


async def test_decay_lowers_engagement_and_the_breakdown_still_sums_to_raw_score(
    api: Api,
) -> None:
    clock.set(START)
    desk = await seat(api)
    await desk.activate_model()
    done = await desk.upsert([well_fitting()])
    lead_id = done["results"][0]["lead"]["id"]
    views = [
        {
            "leadId": lead_id,
            "kind": "PRICING_VIEW",
            "occurredAt": START.isoformat(),
            "externalId": f"pv{n}",
        }
        for n in range(2)
    ]
    await desk.record(views)
    before = await Lead.get(email="ana@logistics.example")
    assert abs(before.engagement_score - 20) < Decimal("0.001")  # the clock ticks

    # when 14 days pass (one half-life) and the decay pass runs
    clock.set(START + timedelta(days=14))
    result = await decay_pass(clock.now())

    # then engagement halved, the score followed, and the breakdown explains it
    after = await Lead.get(id=before.id)
    assert result.changed == 1
    assert abs(after.engagement_score - 10) < Decimal("0.001")
    assert after.score == 45
    [breakdown] = (await breakdowns([after.id])).values()
    assert sum(Decimal(e["points"]) for e in breakdown) == after.raw_score
    assert {e["kind"] for e in breakdown} == {"FIT", "ENGAGEMENT"}
    # and a second pass moments later changes it only by those moments
    again = await decay_pass(clock.now())
    later = (await Lead.get(id=before.id)).raw_score
    assert abs(later - after.raw_score) < Decimal("0.0001")
    assert again.leads == 1


async def test_incremental_sums_equal_a_full_recomputation_after_random_streams(
    api: Api,
) -> None:
    clock.set(START)
    desk = await seat(api)
    await desk.activate_model(
        engagementRules=[
            {
                "activityKind": "PRICING_VIEW",
                "points": 10,
                "maxPoints": 1000,
                "halfLifeDays": 14,
            },
            {
                "activityKind": "PAGE_VIEW",
                "points": 1,
                "maxPoints": 1000,
                "halfLifeDays": 3,
            },
            {"activityKind": "EMAIL_OPEN", "points": 2, "maxPoints": 1000},
        ],
        mqlThreshold=100000,
    )
    await desk.upsert([well_fitting(f"r{n}@example.com") for n in range(3)])
    rng = random.Random(7)
    kinds = ["PRICING_VIEW", "PAGE_VIEW", "EMAIL_OPEN"]
    now = START
    for step in range(12):
        now += timedelta(hours=rng.randint(1, 60))
        clock.set(now)
        await desk.refresh_sessions()
        batch = [
            {
                "leadEmail": f"r{rng.randrange(3)}@example.com",
                "kind": rng.choice(kinds),
                "occurredAt": (now - timedelta(hours=rng.randint(0, 200))).isoformat(),
                "externalId": f"s{step}-{n}",
            }
            for n in range(rng.randint(1, 6))
        ]
        await desk.record(batch)
        if rng.random() < 0.5:
            await decay_pass(clock.now())
    # the stored scores equal scoring every activity from scratch at scored_at
    model = await model_in_force()
    assert model is not None
    for lead in (
        await load_leads(emails=[f"r{n}@example.com" for n in range(3)])
    ).values():
        activities = [
            Activity(ActivityKind(a.kind), a.occurred_at)
            for a in await LeadActivity.filter(lead_id=lead["id"])
        ]
        fresh = score_state(
            model,
            attributes(lead),
            tally_activities(activities, model, lead["scored_at"]),
            lead["scored_at"],
        )
        assert abs(fresh.raw_score - lead["raw_score"]) < Decimal("1e-6"), lead["email"]
        assert fresh.score == lead["score"]


@pytest.mark.only_backend("postgres")
async def test_two_workers_rescore_disjoint_chunks_and_every_lead_once(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    await amended_with_leads(api, monkeypatch, "w", 40, chunk=3)

    # when two workers run the job at the same time
    await asyncio.gather(rescoring.run_until_idle(), rescoring.run_until_idle())

    # then every lead was rescored and promoted exactly once
    job = await RescoreJob.all().order_by("-id").first()
    assert job is not None and job.finished_at is not None
    assert (job.done, job.promoted) == (40, 40)
    assert await OutboxEvent.filter(kind="LEAD_QUALIFIED").count() == 40
    assert await Lead.filter(qualified_by="MODEL_CHANGE").count() == 40


async def test_a_job_rescores_leads_left_behind_below_a_workers_cursor(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    await amended_with_leads(api, monkeypatch, "c", 7, chunk=2)
    job = await RescoreJob.filter(finished_at__isnull=True).first()
    assert job is not None
    # when this worker believes it already took every lead up to the last but
    # one (as if another worker's earlier chunks had rolled back)
    last = await Lead.all().order_by("-id").first()
    assert last is not None
    rescoring._cursors[job.id] = last.id - 1

    await rescoring.run_until_idle()

    # then the job still rescored every lead, each once
    await job.refresh_from_db()
    assert job.finished_at is not None and (job.done, job.promoted) == (7, 7)
    assert await Lead.filter(rescore_job=job.id).count() == 7
    assert await Lead.filter(qualified_by="MODEL_CHANGE").count() == 7


async def test_the_decay_pass_covers_every_lead_across_walkers_and_chunks(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock.set(START)
    desk = await seat(api)
    await desk.activate_model()
    await desk.upsert([well_fitting(f"d{n}@example.com") for n in range(9)])
    await desk.upsert([{"email": "quiet@example.com", "industry": "Mining"}])
    await desk.record(
        [
            {
                "leadEmail": f"d{n}@example.com",
                "kind": kind,
                "occurredAt": (START - timedelta(hours=n)).isoformat(),
                "externalId": f"d{n}-{kind}",
            }
            for n in range(9)
            for kind in ("PRICING_VIEW", "DEMO_REQUEST")[: 1 + n % 2]
        ]
    )
    monkeypatch.setattr(decay, "CHUNK", 2)
    monkeypatch.setattr(decay, "WALKERS", 3)

    # when ten days later the pass runs in chunks of two ids, and again a minute
    # later (when no whole score moves: only the numbers are written)
    for later in (timedelta(days=10), timedelta(days=10, minutes=1)):
        clock.set(START + later)
        now = clock.now()
        result = await decay_pass(now)

        # then every lead with engagement got exactly the numbers of its sums now
        assert (result.leads, result.changed) == (9, 9)
        model = await model_in_force()
        assert model is not None
        leads = await load_leads(emails=[f"d{n}@example.com" for n in range(9)])
        sums = await load_tallies(leads)
        for key, lead in leads.items():
            assert lead["scored_at"] == now
            state = state_of(sums[key], lead["cycle_counts_after"])
            numbers = decayed_numbers(model, lead["fit_score"], state, now)
            assert lead["engagement_score"] == numbers.engagement_score, lead["email"]
            assert (lead["raw_score"], lead["score"]) == (
                numbers.raw_score,
                numbers.score,
            )
        quiet = await Lead.get(email="quiet@example.com")
        assert quiet.scored_at != now
