"""Reading leads (`node`, `leadByEmail`, the `leads` connection) and who may
write them: sessions by team and role, and API tokens by scope."""

from __future__ import annotations

from typing import Any

import pytest

from server.models.leads import Lead
from server.services.core import ids
from tests.helpers import Api
from tests.lead_steps import (
    BY_EMAIL,
    LIST,
    MOVE,
    NODE,
    RECORD,
    UPDATE,
    UPSERT,
    Desk,
    ago,
    lead_snapshot,
    payload,
    refused,
    seat,
    token_for,
    well_fitting,
)


async def scored_leads(desk: Desk) -> list[dict[str, Any]]:
    """Five leads under the test model, scores 35, 20, 15, 0 and 35 in order
    of creation; the first is qualified (MQL)."""
    await desk.activate_model()
    rows = [
        well_fitting("a@example.com"),
        well_fitting("b@example.com", industry="Retail"),
        well_fitting("c@example.com", companySize=5),
        {"email": "d@example.com"},
        well_fitting("e@example.com"),
    ]
    done = await desk.upsert(rows)
    leads = [r["lead"] for r in done["results"]]
    demo = {"leadId": leads[0]["id"], "kind": "DEMO_REQUEST", "occurredAt": ago(1)}
    await desk.record([demo])
    return leads


async def listed(desk: Desk, **variables: Any) -> dict[str, Any]:
    found: dict[str, Any] = (await desk.query("rep", LIST, **variables))["leads"]
    return found


def emails(page: dict[str, Any]) -> list[str]:
    return [edge["node"]["email"][0] for edge in page["edges"]]


async def test_node_reads_a_lead_with_its_history_and_activities(api: Api) -> None:
    desk = await seat(api)
    [lead, *_] = await scored_leads(desk)

    found = (await desk.query("rep", NODE, id=lead["id"]))["node"]

    assert (found["id"], found["email"], found["stage"]) == (
        lead["id"],
        "a@example.com",
        "MQL",
    )
    assert [c["to"] for c in found["stageHistory"]] == ["NEW", "MQL"]
    assert [e["node"]["kind"] for e in found["activities"]["edges"]] == ["DEMO_REQUEST"]


async def test_node_of_an_unknown_lead_is_null(api: Api) -> None:
    desk = await seat(api)

    found = await desk.query("rep", NODE, id=ids.encode("Lead", 404))

    assert found == {"node": None}


async def test_lead_by_email_normalises_the_address_and_misses_quietly(
    api: Api,
) -> None:
    desk = await seat(api)
    [lead, *_] = await scored_leads(desk)

    hit = await desk.query("leader", BY_EMAIL, email=" A@EXAMPLE.com ")
    miss = await desk.query("leader", BY_EMAIL, email="zz@example.com")
    invalid = await desk.query("leader", BY_EMAIL, email="not an address")

    assert hit["leadByEmail"]["id"] == lead["id"]
    assert miss == invalid == {"leadByEmail": None}


@pytest.mark.parametrize(
    ("field", "direction", "expected"),
    [
        ("SCORE", "DESC", ["e", "a", "b", "c", "d"]),  # ties: the later lead first
        ("SCORE", "ASC", ["d", "c", "b", "a", "e"]),
        ("CREATED_AT", "ASC", ["a", "b", "c", "d", "e"]),
        ("CREATED_AT", "DESC", ["e", "d", "c", "b", "a"]),
    ],
)
async def test_leads_are_ordered_by_score_or_creation_either_way(
    api: Api, field: str, direction: str, expected: list[str]
) -> None:
    desk = await seat(api)
    await scored_leads(desk)

    page = await listed(desk, orderBy={"field": field, "direction": direction})

    assert emails(page) == expected


async def test_newest_first_pages_through_leads_created_in_one_call(
    api: Api,
) -> None:
    desk = await seat(api)
    await scored_leads(desk)
    order = {"field": "CREATED_AT", "direction": "DESC"}

    first = await listed(desk, orderBy=order, first=2)
    rest = await listed(
        desk, orderBy=order, first=5, after=first["pageInfo"]["endCursor"]
    )

    assert (emails(first), emails(rest)) == (["e", "d"], ["c", "b", "a"])


async def test_leads_are_filtered_by_stages_and_qualification(api: Api) -> None:
    desk = await seat(api)
    leads = await scored_leads(desk)
    await desk.call("member", MOVE, {"leadId": leads[3]["id"], "stage": "NURTURING"})

    by_stage = await listed(desk, filter={"stages": ["MQL", "NURTURING"]})
    qualified = await listed(desk, filter={"qualified": True})
    unqualified = await listed(desk, filter={"qualified": False, "stages": ["NEW"]})

    assert (emails(by_stage), by_stage["totalCount"]) == (["a", "d"], 2)
    assert (emails(qualified), qualified["totalCount"]) == (["a"], 1)
    assert (emails(unqualified), unqualified["totalCount"]) == (["e", "b", "c"], 3)


async def test_pages_continue_where_they_left_off_whatever_arrives_between(
    api: Api,
) -> None:
    desk = await seat(api)
    await scored_leads(desk)
    order = {"field": "SCORE", "direction": "DESC"}

    first = await listed(desk, orderBy=order, first=2)
    # a lead scoring above the whole first page, and one tying with its end
    await desk.upsert(
        [well_fitting("f@example.com", companySize=300), well_fitting("g@example.com")]
    )
    second = await listed(
        desk, orderBy=order, first=2, after=first["pageInfo"]["endCursor"]
    )
    rest = await listed(
        desk, orderBy=order, first=10, after=second["pageInfo"]["endCursor"]
    )

    # ties go newest first, so both newcomers sort before the first page's end:
    # the pages after it neither repeat nor skip a lead that was there
    assert emails(first) == ["e", "a"]
    assert first["pageInfo"]["hasNextPage"] and first["totalCount"] == 5
    assert emails(second) == ["b", "c"]
    assert emails(rest) == ["d"]
    assert not rest["pageInfo"]["hasNextPage"] and rest["totalCount"] == 7


@pytest.mark.parametrize("size", [0, 101])
async def test_a_page_size_outside_1_to_100_is_refused(api: Api, size: int) -> None:
    desk = await seat(api)
    desk.api.use_session(desk.sessions["rep"])

    response = await desk.api.gql(LIST, {"first": size})

    assert response.error_codes == ["INVALID_INPUT"]


OWN = "id email country version stage score qualified persona { id }"
INGEST_UPSERT = f"""mutation($input: UpsertLeadsInput!) {{
  upsertLeads(input: $input) {{ results {{ lead {{ {OWN} }} userErrors {{ code }} }} }}
}}"""
INGEST_RECORD = f"""mutation($input: RecordLeadActivitiesInput!) {{
  recordLeadActivities(input: $input) {{
    results {{ created lead {{ {OWN} }} userErrors {{ code }} }}
  }}
}}"""
INGEST_UPDATE = f"""mutation($input: UpdateLeadInput!) {{
  updateLead(input: $input) {{ lead {{ {OWN} }} userErrors {{ code }} }}
}}"""


async def test_an_ingest_token_upserts_records_updates_and_reads_only_its_payloads(
    api: Api,
) -> None:
    await seat(api)
    token = await token_for("member", "INGEST")
    api.use_session(None)

    upserted = payload(
        await api.gql(
            INGEST_UPSERT, {"input": {"leads": [well_fitting()]}}, token=token
        )
    )
    lead = upserted["results"][0]["lead"]
    activity = {"leadId": lead["id"], "kind": "PAGE_VIEW", "occurredAt": ago(1)}
    recorded = payload(
        await api.gql(INGEST_RECORD, {"input": {"activities": [activity]}}, token=token)
    )
    update = {"id": lead["id"], "expectedVersion": lead["version"], "country": "NL"}
    updated = payload(await api.gql(INGEST_UPDATE, {"input": update}, token=token))
    found = await api.gql(BY_EMAIL, {"email": lead["email"]}, token=token)

    assert lead["email"] == "ana@logistics.example"
    assert recorded["results"][0]["created"]
    assert (updated["userErrors"], updated["lead"]["country"]) == ([], "NL")
    assert found.error_codes == ["FORBIDDEN"]


@pytest.mark.parametrize(
    "linked",
    [
        "owner { email }",
        "feedback { rating }",
        "handoffs { id }",
        "followUps { id }",
        "activities { totalCount }",
        "stageHistory { actor { email } }",
    ],
)
async def test_an_ingest_payload_does_not_reach_people_or_sales_work(
    api: Api, linked: str
) -> None:
    await seat(api)
    token = await token_for("member", "INGEST")
    api.use_session(None)
    document = INGEST_UPSERT.replace("persona { id }", linked)

    answer = await api.gql(
        document, {"input": {"leads": [well_fitting()]}}, token=token
    )

    assert answer.error_codes == ["FORBIDDEN"]
    assert await Lead.all().count() == 1


async def test_an_ingest_token_may_not_move_a_lead(api: Api) -> None:
    desk = await seat(api)
    [lead] = [r["lead"] for r in (await desk.upsert([well_fitting()]))["results"]]
    token = await token_for("member", "INGEST")
    api.use_session(None)
    before = await lead_snapshot()

    moved = await api.gql(
        MOVE, {"input": {"leadId": lead["id"], "stage": "NURTURING"}}, token=token
    )

    assert moved.error_codes == ["FORBIDDEN"]
    assert await lead_snapshot() == before


@pytest.mark.parametrize(
    ("owner", "scopes"),
    [("member", "READ"), ("rep", "INGEST"), ("sales", "WRITE")],
)
async def test_tokens_without_ingest_rights_may_not_upsert(
    api: Api, owner: str, scopes: str
) -> None:
    await seat(api)
    token = await token_for(owner, scopes)
    api.use_session(None)

    response = await api.gql(
        UPSERT, {"input": {"leads": [well_fitting()]}}, token=token
    )

    assert response.error_codes == ["FORBIDDEN"]
    assert response.body["data"] is None
    assert await Lead.all().count() == 0


async def test_a_write_token_of_a_marketing_user_may_upsert(api: Api) -> None:
    await seat(api)
    token = await token_for("member", "WRITE")
    api.use_session(None)

    response = await api.gql(
        UPSERT, {"input": {"leads": [well_fitting()]}}, token=token
    )

    assert payload(response)["summary"]["created"] == 1


@pytest.mark.parametrize("who", ["rep", "sales", "leader"])
@pytest.mark.parametrize(
    ("document", "input"),
    [
        (UPSERT, {"leads": [{"email": "x@example.com"}]}),
        (RECORD, {"activities": []}),
    ],
)
async def test_sales_and_leadership_may_not_ingest(
    api: Api, who: str, document: str, input: dict[str, Any]
) -> None:
    desk = await seat(api)

    await refused(desk, who, document, input, "FORBIDDEN")


async def test_sales_may_not_update_a_lead(api: Api) -> None:
    desk = await seat(api)
    [lead] = [r["lead"] for r in (await desk.upsert([well_fitting()]))["results"]]

    await refused(
        desk,
        "sales",
        UPDATE,
        {"id": lead["id"], "expectedVersion": lead["version"], "country": "NL"},
        "FORBIDDEN",
    )


async def test_an_admin_may_ingest_in_a_session(api: Api) -> None:
    desk = await seat(api)

    done = await desk.upsert([well_fitting()], who="admin")

    assert done["results"][0]["lead"]["stageHistory"][0]["actor"] == {"name": "Admin"}


async def test_without_credentials_nothing_is_read_or_written(api: Api) -> None:
    desk = await seat(api)
    [lead] = [r["lead"] for r in (await desk.upsert([well_fitting()]))["results"]]
    api.use_session(None)

    read = await api.gql(NODE, {"id": lead["id"]})
    written = await api.gql(UPSERT, {"input": {"leads": [{"email": "z@example.com"}]}})

    assert read.error_codes == written.error_codes == ["UNAUTHENTICATED"]
    assert await Lead.all().count() == 1
