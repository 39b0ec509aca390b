"""GraphQL documents and small steps shared by the lead tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from server.clock import clock
from server.domain.leads.stages import NEXT_ON_SPINE
from server.models.core import OutboxEvent
from server.models.leads import (
    Lead,
    LeadActivity,
    LeadEngagement,
    LeadExternalId,
    StageChange,
)
from server.models.people import User
from server.services.core import ids
from server.services.leads import rescoring
from tests.agreement_steps import (
    CREATE_MODEL,
    CREATE_PERSONA,
    PERSONA_INPUT,
    Table,
    model_input,
    refused_by,
)
from tests.helpers import Api, Response, issue_token, row_content

ERRORS = "userErrors { code field message }"
LEAD = """
  id email firstName lastName company companySize industry jobTitle seniority
  country source campaign isCustomer products doNotContact personaSetByHand
  persona { id } externalIds { system id }
  stage stageEnteredAt score fitScore engagementScore rawScore grade scoredUnder
  scoreBreakdown { label kind points detail }
  qualified qualifiedAt qualifiedUnder qualifiedBy amount recurring version
  stageHistory { from to via reason actor { name } }
"""
UPSERT = f"""
mutation($input: UpsertLeadsInput!) {{
  upsertLeads(input: $input) {{
    results {{ index outcome created lead {{ {LEAD} }} {ERRORS} }}
    summary {{ received created updated unchanged stale failed }}
    {ERRORS}
  }}
}}"""
RECORD = f"""
mutation($input: RecordLeadActivitiesInput!) {{
  recordLeadActivities(input: $input) {{
    results {{ index created lead {{ {LEAD} }} {ERRORS} }}
    summary {{ received created duplicates failed qualified }}
    {ERRORS}
  }}
}}"""
UPDATE = f"""
mutation($input: UpdateLeadInput!) {{
  updateLead(input: $input) {{ lead {{ {LEAD} }} {ERRORS} }}
}}"""
MOVE = f"""
mutation($input: MoveLeadStageInput!) {{
  moveLeadStage(input: $input) {{ lead {{ {LEAD} }} {ERRORS} }}
}}"""
CLOSE = f"""
mutation($input: CloseLeadInput!) {{
  closeLead(input: $input) {{ lead {{ {LEAD} }} {ERRORS} }}
}}"""
BY_EMAIL = f"""query($email: String!) {{ leadByEmail(email: $email) {{ {LEAD} }} }}"""
NODE = f"""query($id: ID!) {{ node(id: $id) {{ ... on Lead {{ {LEAD}
  activities(first: 50) {{ edges {{ node {{ kind occurredAt externalId }} }} }}
}} }} }}"""
LIST = """
query($filter: LeadFilter, $orderBy: LeadOrder, $first: Int, $after: String) {
  leads(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    edges { cursor node { id email score stage qualified } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}"""

# The audit log is left out: a refusal is audited (in a transaction of its own),
# so `refused` checks its entry instead.
LEAD_TABLES = (
    Lead,
    LeadExternalId,
    LeadActivity,
    LeadEngagement,
    StageChange,
    OutboxEvent,
)


async def lead_snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of the lead tables (and the outbox), to compare."""
    return {
        model.__name__: sorted(
            (row_content(model, row) for row in await model.all().values()),
            key=lambda row: row["id"],
        )
        for model in LEAD_TABLES
    }


def well_fitting(email: str = "ana@logistics.example", **extra: Any) -> dict[str, Any]:
    """A lead the test model likes: mid-size logistics (fit 35)."""
    return {
        "email": email,
        "firstName": "Ana",
        "lastName": "Ops",
        "company": "Freight Co",
        "companySize": 500,
        "industry": "Logistics",
        "jobTitle": "VP Operations",
        **extra,
    }


class Desk(Table):
    """The agreement table, plus the leads steps."""

    async def activate(self, document: str, key: str, terms: dict[str, Any]) -> str:
        made = await self.call("marketing", document, {"terms": terms})
        assert made["userErrors"] == [], made
        agreement_id: str = made[key]["id"]
        content_hash = await self.propose(agreement_id)
        await self.sign(agreement_id, content_hash, "marketing")
        await self.sign(agreement_id, content_hash, "sales")
        # The rescoring the activation queued runs now, not whenever the
        # background job wakes up in the middle of the test's later steps.
        await rescoring.run_until_idle()
        return agreement_id

    async def activate_model(self, **changes: Any) -> str:
        return await self.activate(
            CREATE_MODEL, "qualificationModel", model_input(**changes)
        )

    async def activate_persona(self, **changes: Any) -> str:
        return await self.activate(
            CREATE_PERSONA, "persona", {**PERSONA_INPUT, **changes}
        )

    async def upsert(
        self, rows: list[dict[str, Any]], who: str = "member", **extra: Any
    ) -> dict[str, Any]:
        done: dict[str, Any] = await self.call(who, UPSERT, {"leads": rows, **extra})
        return done

    async def record(
        self, rows: list[dict[str, Any]], who: str = "member", **extra: Any
    ) -> dict[str, Any]:
        done: dict[str, Any] = await self.call(
            who, RECORD, {"activities": rows, **extra}
        )
        return done


async def seat(api: Api) -> Desk:
    table = await Table.seat(api)
    return Desk(table.api, table.sessions)


def ago(days: float = 0, **delta: float) -> str:
    """An instant that long before the (test) clock's now, as the API takes it."""
    return (clock.now() - timedelta(days=days, **delta)).isoformat()


def key_of(lead: dict[str, Any]) -> int:
    """A lead's table id from its global ID."""
    return ids.decode(lead["id"], "Lead")


def payload(response: Response) -> Any:
    """The one mutation's payload of a response."""
    return next(iter(response.data.values()))


async def events_of(lead: dict[str, Any]) -> list[str]:
    """The kinds of the events written about a lead, in order."""
    rows = await OutboxEvent.filter(subject_type="Lead", subject_id=key_of(lead))
    return [row.kind for row in sorted(rows, key=lambda r: r.sequence)]


async def token_for(name: str, scopes: str = "INGEST") -> str:
    """A fresh API token of a seated person (by the name `seat` gave them)."""
    return await issue_token(await User.get(name=name.title()), scopes)


async def refused(
    desk: Desk,
    who: str,
    document: str,
    input: dict[str, Any],
    code: str,
    field: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Assert the call is refused with exactly ``code``, left every lead table
    as it was, and was audited; its errors."""
    return await refused_by(lead_snapshot, desk, who, document, input, code, field)


async def assert_settled(lead_id: int, moves: int) -> None:
    """Each of the lead's moves carries the instant of the next and whether a
    later move reached the spine's next stage (`settle_stage_history`)."""
    found = await StageChange.filter(lead_id=lead_id).order_by("at", "id")
    assert len(found) == moves
    for n, move in enumerate(found):
        later = found[n + 1 :]
        assert move.left_at == (later[0].at if later else None), move.id
        following = NEXT_ON_SPINE.get(move.to_stage)
        assert move.advanced == any(m.to_stage == following for m in later), move.id
