"""SQL statements per lead operation are fixed by the operation's shape, never
by the number of rows: bulk statements for bulk inputs, batches for pages."""

from __future__ import annotations

from typing import Any

import pytest

from server import db
from tests.helpers import Api
from tests.lead_steps import LEAD, RECORD, UPSERT, Desk, ago, seat, well_fitting

PAGE = f"""
query($first: Int) {{
  leads(first: $first, orderBy: {{field: SCORE, direction: DESC}}) {{
    edges {{ cursor node {{ {LEAD} }} }}
    pageInfo {{ hasNextPage endCursor }}
    totalCount
  }}
}}"""
# Every ingestion: authentication, the model and the personas in force, and the
# audit entry; then, one statement each,
SHARED = 4
# … keys by external id, leads by address, the aliases of the addresses no lead
# holds (a merged duplicate's, an erased person's), insert, save scored, stage
# history and its funnel deltas, external ids (delete, insert), event
# sequences, events
CREATING = SHARED + 11
# … keys by external id, leads by address, their external ids, engagement, save,
# event sequences, events
UPDATING = SHARED + 7
# … leads, engagement, insert activities, upsert engagement, save
RECORDING = SHARED + 5
# … and for qualifications: stage history, its settling (`settle_stage_history`),
# funnel deltas, event sequences, events
QUALIFYING = RECORDING + 5


async def ready(api: Api) -> Desk:
    """A desk with a persona and the model in force."""
    desk = await seat(api)
    await desk.activate_persona()
    await desk.activate_model()
    return desk


def people(prefix: str, n: int, **extra: Any) -> list[dict[str, Any]]:
    """``n`` well-fitting leads, each with a CRM id."""
    return [
        well_fitting(
            f"{prefix}{i}@example.com",
            externalIds=[{"system": "crm", "id": f"{prefix}{i}"}],
            **extra,
        )
        for i in range(n)
    ]


async def statements_of(desk: Desk, who: str, document: str, **input: Any) -> int:
    """How many statements one mutation ran, after checking it had no errors."""
    with db.count_statements() as statements:
        done = await desk.call(who, document, input)
    assert done["userErrors"] == [] and done["summary"]["failed"] == 0, done
    return len(statements)


async def upsert_counts(desk: Desk, n: int) -> tuple[int, int]:
    """Statements to create ``n`` leads, then to change them all."""
    created = await statements_of(
        desk, "member", UPSERT, leads=people(f"p{n}-", n), summaryOnly=True
    )
    changed = people(f"p{n}-", n, country="NL")
    updated = await statements_of(
        desk, "member", UPSERT, leads=changed, summaryOnly=True
    )
    return created, updated


async def test_upserting_5_or_100_leads_costs_the_same_statements(api: Api) -> None:
    desk = await ready(api)

    counts = {n: await upsert_counts(desk, n) for n in (5, 100)}

    assert counts == {5: (CREATING, UPDATING), 100: (CREATING, UPDATING)}


async def record_count(desk: Desk, n: int, kind: str) -> int:
    done = await desk.upsert(people(f"{kind}{n}-", n))
    activities = [
        {"leadId": r["lead"]["id"], "kind": kind, "occurredAt": ago(1)}
        for r in done["results"]
    ]
    return await statements_of(
        desk, "member", RECORD, activities=activities, summaryOnly=True
    )


@pytest.mark.parametrize(
    ("kind", "expected"), [("PRICING_VIEW", RECORDING), ("DEMO_REQUEST", QUALIFYING)]
)
async def test_recording_5_or_100_activities_costs_the_same_statements(
    api: Api, kind: str, expected: int
) -> None:
    desk = await ready(api)

    counts = {n: await record_count(desk, n, kind) for n in (5, 100)}

    assert counts == {5: expected, 100: expected}


async def test_a_page_of_5_or_50_leads_costs_the_same_statements(api: Api) -> None:
    desk = await ready(api)
    await desk.upsert(people("page", 50), summaryOnly=True)
    counts = {}

    for n in (5, 50):
        desk.api.use_session(desk.sessions["rep"])
        with db.count_statements() as statements:
            page = (await desk.api.gql(PAGE, {"first": n})).data["leads"]
        assert len(page["edges"]) == n and page["totalCount"] == 50
        assert all(e["node"]["persona"] for e in page["edges"])
        counts[n] = len(statements)

    # authentication, the page (personas joined: the compiled read), its count,
    # then one batch each: external ids, stage history, the users who moved the
    # leads, and for the breakdowns the leads, the model and their sums
    assert counts == {5: 9, 50: 9}
