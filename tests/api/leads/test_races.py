"""Concurrent ingestion on PostgreSQL never duplicates a lead or an activity."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest

from server.models.core import OutboxEvent
from server.models.leads import Lead, LeadActivity, LeadExternalId, StageChange
from server.services.people.auth import SESSION_COOKIE
from tests.helpers import Api
from tests.lead_steps import RECORD, UPSERT, Desk, ago, payload, seat, well_fitting

ROUNDS = 20
AT_ONCE = 4
CROWD = 100  # enough rows that two inserts overlap


async def at_once(desk: Desk, document: str, inputs: list[dict[str, Any]]) -> list[Any]:
    """Send every input as its own request at the same instant (each request
    runs in its own transaction on its own pooled connection); the payloads."""
    desk.api.use_session(None)
    cookie = {"cookie": f"{SESSION_COOKIE}={desk.sessions['member']}"}
    sent = [desk.api.gql(document, {"input": i}, headers=cookie) for i in inputs]
    return [payload(response) for response in await asyncio.gather(*sent)]


@pytest.mark.only_backend("postgres")
async def test_the_same_new_lead_upserted_at_once_is_created_exactly_once(
    api: Api, backend: str
) -> None:
    desk = await seat(api)
    for round_ in range(ROUNDS):
        email = f"race{round_}@example.com"
        crm = [{"system": "crm", "id": f"R{round_}"}]
        # when several syncs push the same new person at the same instant
        answers = await at_once(
            desk,
            UPSERT,
            [
                {"leads": [well_fitting(email, externalIds=crm, campaign=f"c{n}")]}
                for n in range(AT_ONCE)
            ],
        )
        # then every call succeeds and exactly one of them created the lead
        assert [a["userErrors"] for a in answers] == [[]] * AT_ONCE, answers
        rows = [a["results"][0] for a in answers]
        assert [r["userErrors"] for r in rows] == [[]] * AT_ONCE, rows
        assert sorted(r["outcome"] for r in rows) == ["CREATED"] + ["UPDATED"] * (
            AT_ONCE - 1
        )
        assert len({r["lead"]["id"] for r in rows}) == 1
        [lead] = await Lead.filter(email=email)
        assert await LeadExternalId.filter(lead_id=lead.id).count() == 1
        assert await StageChange.filter(lead_id=lead.id).count() == 1
        created = OutboxEvent.filter(kind="LEAD_CREATED", subject_id=lead.id)
        assert await created.count() == 1
    assert await Lead.all().count() == ROUNDS


async def counting_visits(api: Api) -> tuple[Desk, str]:
    """A model where every page view is worth one point (no decay, a cap out of
    reach), and a lead to visit; the desk and the lead's ID."""
    desk = await seat(api)
    visits = {"activityKind": "PAGE_VIEW", "points": 1, "maxPoints": 1000}
    await desk.activate_model(engagementRules=[visits], mqlThreshold=1000)
    done = await desk.upsert([well_fitting()])
    return desk, done["results"][0]["lead"]["id"]


@pytest.mark.only_backend("postgres")
async def test_the_same_activity_recorded_at_once_counts_exactly_once(
    api: Api, backend: str
) -> None:
    desk, lead_id = await counting_visits(api)
    for round_ in range(ROUNDS):
        visit = {
            "leadId": lead_id,
            "kind": "PAGE_VIEW",
            "occurredAt": ago(minutes=round_),
            "externalId": f"visit-{round_}",
        }
        # when a retrying sender delivers the same activity several times at once
        answers = await at_once(
            desk, RECORD, [{"activities": [visit]} for _ in range(AT_ONCE)]
        )
        # then each call succeeds, one recorded it, and the score counts it once
        rows = [a["results"][0] for a in answers]
        assert [r["userErrors"] for r in rows] == [[]] * AT_ONCE, rows
        assert sorted(r["created"] for r in rows) == [False] * (AT_ONCE - 1) + [True]
        assert await LeadActivity.filter(external_id=f"visit-{round_}").count() == 1
        found = (await Lead.get()).engagement_score
        assert found == Decimal(round_ + 1), (round_, found)


@pytest.mark.only_backend("postgres")
async def test_different_activities_recorded_at_once_all_count(
    api: Api, backend: str
) -> None:
    desk, lead_id = await counting_visits(api)
    for round_ in range(ROUNDS):
        # when several senders each deliver another visit of the lead at once
        answers = await at_once(
            desk,
            RECORD,
            [
                {
                    "activities": [
                        {
                            "leadId": lead_id,
                            "kind": "PAGE_VIEW",
                            "occurredAt": ago(minutes=round_),
                            "externalId": f"visit-{round_}-{n}",
                        }
                    ]
                }
                for n in range(AT_ONCE)
            ],
        )
        # then every visit counts: no update of the stored sums is lost
        assert all(a["results"][0]["created"] for a in answers), answers
        found = (await Lead.get()).engagement_score
        assert found == Decimal((round_ + 1) * AT_ONCE), (round_, found)


@pytest.mark.only_backend("postgres")
async def test_new_leads_upserted_at_once_in_opposite_orders_never_deadlock(
    api: Api, backend: str
) -> None:
    desk = await seat(api)
    for round_ in range(ROUNDS):
        people = [well_fitting(f"r{round_}-{n}@example.com") for n in range(CROWD)]
        # when two syncs push the same new people at once, in opposite orders
        answers = await at_once(
            desk, UPSERT, [{"leads": people}, {"leads": people[::-1]}]
        )
        # then both succeed and each person is one lead
        assert [a["userErrors"] for a in answers] == [[], []], answers
        outcomes = sorted(r["outcome"] for a in answers for r in a["results"])
        assert outcomes == ["CREATED"] * CROWD + ["UNCHANGED"] * CROWD
    assert await Lead.all().count() == ROUNDS * CROWD
