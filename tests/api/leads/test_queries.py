"""The lead list's filters and orderings, and what a page costs."""

from __future__ import annotations

from datetime import timedelta, timezone
from typing import Any

from server import db
from server.models.leads import Lead
from server.models.people import User
from server.services.core import ids
from tests.helpers import Api
from tests.lead_steps import Desk, seat

LIST = """
query($filter: LeadFilter, $orderBy: LeadOrder, $first: Int, $after: String) {
  leads(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    edges { node { email } } pageInfo { hasNextPage endCursor } totalCount
  }
}"""
Q1 = """
query {
  leads(filter: {stages: [NEW]}, orderBy: {field: SCORE, direction: DESC}, first: 50) {
    edges {
      node { id fullName company score stage persona { name } owner { name email } }
    }
  }
}"""
PEOPLE = [
    {
        "email": "ada@alpha.io",
        "firstName": "Ada",
        "lastName": "Zeta",
        "company": "Alpha",
        "companySize": 500,
        "industry": "Logistics",
    },
    {
        "email": "bob@beta.io",
        "firstName": "Bob",
        "lastName": "Young",
        "company": "Beta 100%",
        "companySize": 50,
        "industry": "Retail",
    },
    {
        "email": "cy@gamma.io",
        "firstName": "Cy",
        "lastName": "Xu",
        "company": "Gamma",
        "companySize": 900,
        "industry": "Logistics",
    },
    {"email": "dee@delta.io", "lastName": None, "company": "Delta_co"},
]


async def ready(api: Api) -> Desk:
    desk = await seat(api)
    await desk.activate_persona()
    await desk.activate_model()
    done = await desk.upsert(PEOPLE)
    assert done["summary"]["created"] == 4, done
    return desk


async def listed(desk: Desk, **variables: Any) -> list[str]:
    found = await desk.query("rep", LIST, **variables)
    return [e["node"]["email"] for e in found["leads"]["edges"]]


async def test_leads_filter_by_text_score_grade_persona_owner_and_time(
    api: Api,
) -> None:
    desk = await ready(api)
    rep = await User.get(name="Rep")
    await Lead.filter(email="bob@beta.io").update(owner_id=rep.id)
    persona = (await Lead.get(email="ada@alpha.io")).persona_id
    assert persona is not None

    assert await listed(desk, filter={"search": "GAMMA"}) == ["cy@gamma.io"]
    assert await listed(desk, filter={"search": "100%"}) == ["bob@beta.io"]
    assert await listed(desk, filter={"search": "_co"}) == ["dee@delta.io"]
    assert sorted(await listed(desk, filter={"scoreMin": 35})) == [
        "ada@alpha.io",
        "cy@gamma.io",
    ]
    assert await listed(desk, filter={"scoreMax": 0}) == ["dee@delta.io", "bob@beta.io"]
    assert await listed(
        desk, filter={"grades": ["A"]}, orderBy={"field": "NAME", "direction": "ASC"}
    ) == ["cy@gamma.io", "ada@alpha.io"]
    assert sorted(
        await listed(desk, filter={"personaIds": [ids.encode("Persona", persona)]})
    ) == ["ada@alpha.io", "bob@beta.io", "cy@gamma.io"]  # Retail matches it too
    assert await listed(desk, filter={"ownerIds": [ids.encode("User", rep.id)]}) == [
        "bob@beta.io"
    ]
    assert await listed(desk, filter={"createdTo": "2000-01-01T00:00:00Z"}) == []
    bad = await desk.api.gql(LIST, {"filter": {"ownerIds": ["nope"]}})
    assert bad.error_codes == ["INVALID_INPUT"]


async def test_leads_order_by_name_pages_without_gaps_either_way(api: Api) -> None:
    desk = await ready(api)
    order = {"field": "NAME", "direction": "ASC"}
    first = await desk.query("rep", LIST, orderBy=order, first=2)
    page = first["leads"]
    assert [e["node"]["email"] for e in page["edges"]] == [
        "dee@delta.io",
        "cy@gamma.io",
    ]
    rest = await listed(
        desk, orderBy=order, first=5, after=page["pageInfo"]["endCursor"]
    )
    assert rest == ["bob@beta.io", "ada@alpha.io"]
    down = await listed(desk, orderBy={"field": "NAME", "direction": "DESC"})
    assert down == ["ada@alpha.io", "bob@beta.io", "cy@gamma.io", "dee@delta.io"]
    assert page["totalCount"] == 4


async def test_the_peers_lead_page_costs_auth_and_one_statement(api: Api) -> None:
    desk = await ready(api)
    rep = await User.get(name="Rep")
    await Lead.all().update(owner_id=rep.id)
    desk.api.use_session(desk.sessions["rep"])
    with db.count_statements() as statements:
        found = (await desk.api.gql(Q1)).data["leads"]["edges"]
    assert len(found) == 4
    assert {e["node"]["owner"]["name"] for e in found} == {"Rep"}
    assert found[0]["node"]["fullName"] == "Cy Xu"  # ties: newest first, like the score
    assert found[0]["node"]["persona"]["name"].startswith("Ops leader")
    # authentication, and the page with its personas and owners joined (a
    # compiled read, `schema.core.compiled`)
    assert len(statements) == 2


SEGMENTS = """
query($groupBy: LeadSegmentGroup!, $filter: LeadFilter) {
  leadSegments(groupBy: $groupBy, filter: $filter) {
    key label leads customers wonRevenue recurringRevenue
  }
}"""


async def test_customers_are_segmented_by_industry_product_and_persona(
    api: Api,
) -> None:
    desk = await ready(api)
    await desk.upsert(
        [
            {
                "email": "ada@alpha.io",
                "isCustomer": True,
                "products": ["Fleet", "Docks"],
            },
            {"email": "cy@gamma.io", "isCustomer": True, "products": ["Fleet"]},
        ]
    )
    await Lead.filter(email="ada@alpha.io").update(
        stage="WON", amount=1200, recurring=True
    )
    await Lead.filter(email="cy@gamma.io").update(stage="WON", amount=300)

    async def grouped(group: str, **filter: Any) -> list[dict[str, Any]]:
        found = await desk.query("rep", SEGMENTS, groupBy=group, filter=filter)
        return found["leadSegments"]  # type: ignore[no-any-return]

    by_industry = await grouped("INDUSTRY", isCustomer=True)
    assert by_industry == [
        {
            "key": "Logistics",
            "label": "Logistics",
            "leads": 2,
            "customers": 2,
            "wonRevenue": "1500.00",
            "recurringRevenue": "1200.00",
        }
    ]
    products = {
        s["key"]: (s["leads"], s["wonRevenue"]) for s in await grouped("PRODUCT")
    }
    assert products == {"Fleet": (2, "1500.00"), "Docks": (1, "1200.00")}
    personas = await grouped("PERSONA", isCustomer=True)
    assert [(p["label"].startswith("Ops leader"), p["leads"]) for p in personas] == [
        (True, 2)
    ]
    countries = await grouped("COUNTRY")
    assert countries == [
        {
            "key": None,
            "label": "unknown",
            "leads": 4,
            "customers": 2,
            "wonRevenue": "1500.00",
            "recurringRevenue": "1200.00",
        }
    ]


Q2 = """
query($id: ID!) {
  node(id: $id) {
    ... on Lead {
      id email fullName company jobTitle stage score createdAt
      activities(first: 20) { edges { node { id kind occurredAt } } }
    }
  }
}"""
Q3 = "{ leadFunnel { stage count } }"


async def test_the_peers_lead_detail_and_funnel_cost_auth_and_one_statement_each(
    api: Api,
) -> None:
    desk = await ready(api)
    lead = await Lead.get(email="ada@alpha.io")
    await desk.record(
        [
            {
                "leadId": ids.encode("Lead", lead.id),
                "kind": "PAGE_VIEW",
                "occurredAt": "2026-01-01T00:00:00Z",
                "externalId": f"v{n}",
            }
            for n in range(25)
        ]
    )
    desk.api.use_session(desk.sessions["rep"])
    with db.count_statements() as detail:
        found = (await desk.api.gql(Q2, {"id": ids.encode("Lead", lead.id)})).data
    assert len(found["node"]["activities"]["edges"]) == 20
    # authentication, the lead, its activities
    assert len(detail) == 3
    with db.count_statements() as funnel:
        counts = (await desk.api.gql(Q3)).data["leadFunnel"]
    assert {c["stage"]: c["count"] for c in counts}["NEW"] == 4
    # authentication, the counters with their unfolded deltas
    assert len(funnel) == 2


async def test_time_ranges_compare_instants_whatever_their_offset(api: Api) -> None:
    desk = await seat(api)
    await desk.upsert([{"email": "t@example.com"}])
    created = (await Lead.get(email="t@example.com")).created_at
    berlin = created.astimezone(timezone(timedelta(hours=1)))
    before = (berlin - timedelta(seconds=1)).isoformat()
    after = (berlin + timedelta(seconds=1)).isoformat()
    assert await listed(desk, filter={"createdFrom": before}) == ["t@example.com"]
    assert await listed(desk, filter={"createdTo": before}) == []
    assert await listed(desk, filter={"createdFrom": after}) == []
    naive = await desk.api.gql(LIST, {"filter": {"createdFrom": "2026-01-01T00:00:00"}})
    assert naive.error_codes == ["INVALID_INPUT"]
