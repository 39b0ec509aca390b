"""Steps for the lead screens' browser tests: leads made through the API the
way marketing's tools would (upsert, a demo request that qualifies them, a
handoff), on the shared demo server. Each test makes its own leads, under
names no other test uses, so the tests run in any order."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime
from typing import Any

from tests.client.conftest import DemoLogin, DemoServer

_serial = itertools.count(1)
UPSERT = """mutation($input: UpsertLeadsInput!) {
  upsertLeads(input: $input) {
    results { outcome lead { id } userErrors { field message } } userErrors { message }
  }
}"""
RECORD = """mutation($input: RecordLeadActivitiesInput!) {
  recordLeadActivities(input: $input) { summary { qualified } userErrors { message } }
}"""
HAND_OFF = """mutation($input: HandoffLeadInput!) {
  handoffLead(input: $input) {
    handoff { id assignee { id name } } userErrors { code message }
  }
}"""
LEAD = """query($id: ID!) { node(id: $id) { ... on Lead {
  id fullName stage owner { name }
  handoffs { id status assignee { name } } followUps { channel outcome note }
} } }"""
USER_ID = """query($search: String) {
  users(filter: {search: $search}) { edges { node { id } } }
}"""


def call(demo: DemoServer, who: DemoLogin, document: str, **variables: Any) -> Any:
    body = demo.gql(document, variables, session=demo.session_of(who)).json()
    assert "errors" not in body, body
    return body["data"]


def marketer(demo: DemoServer) -> DemoLogin:
    return demo.person("MARKETING", "MEMBER", 0)


def user_id(demo: DemoServer, who: DemoLogin) -> str:
    found = call(demo, marketer(demo), USER_ID, search=who.email)
    return str(found["users"]["edges"][0]["node"]["id"])


def _local(first: str) -> str:
    return re.sub(r"[^a-z]", "", first.lower()) or "lead"


def make_lead(
    demo: DemoServer, first: str, *, qualify: bool = True, **fields: Any
) -> tuple[str, str]:
    """A well-fitting lead (qualified by a demo request unless told otherwise);
    answers (id, full name)."""
    n = next(_serial)
    row = {
        "email": f"{_local(first)}.{n}@browser-tests.example",
        "firstName": first,
        "lastName": f"Tester{n:03d}",
        "company": "Probe Logistik GmbH",
        "jobTitle": "VP Operations",
        "industry": "Logistics",
        "country": "DE",
        "companySize": 200,
        **fields,
    }
    done = call(demo, marketer(demo), UPSERT, input={"leads": [row]})
    result = done["upsertLeads"]["results"][0]
    assert result["outcome"] == "CREATED", result
    lead_id = result["lead"]["id"]
    if qualify:
        activity = {
            "leadId": lead_id,
            "kind": "DEMO_REQUEST",
            "occurredAt": datetime.now(UTC).isoformat(),
        }
        recorded = call(demo, marketer(demo), RECORD, input={"activities": [activity]})
        assert recorded["recordLeadActivities"]["summary"]["qualified"] == 1, recorded
    return lead_id, f"{row['firstName']} {row['lastName']}"


def hand_off(demo: DemoServer, lead_id: str, to: DemoLogin) -> str:
    done = call(
        demo,
        marketer(demo),
        HAND_OFF,
        input={"leadId": lead_id, "assigneeId": user_id(demo, to)},
    )["handoffLead"]
    assert done["userErrors"] == [], done
    return str(done["handoff"]["id"])


def lead_now(demo: DemoServer, lead_id: str) -> dict[str, Any]:
    found: dict[str, Any] = call(demo, marketer(demo), LEAD, id=lead_id)["node"]
    return found
