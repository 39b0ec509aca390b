"""GraphQL documents and small steps shared by the handoff tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from server.clock import clock
from server.models.core import IdempotencyRecord, OutboxEvent
from server.models.feedback import LeadFeedback
from server.models.leads import Lead, StageChange
from server.models.people import User
from server.models.waterfall import FollowUp, Handoff, HandoffChain, RoutingCursor
from server.services.core import ids
from tests.helpers import row_content, settle_outbox
from tests.lead_steps import Desk, seat, well_fitting
from tests.lead_steps import refused as refused_for_leads

ERRORS = "userErrors { code field message }"
HANDOFF = """
  id status handedOffAt note overrideReason reassignCause decidedAt chainStartedAt
  acceptDueAt acceptAtRiskAt firstTouchDueAt firstTouchAtRiskAt autoAccepted
  firstTouchAt touchAttempts acceptBusinessHours firstTouchBusinessHours
  rejection { reason comment disposition }
  acceptStatus firstTouchStatus slaStatus slaRevision
  lead { id stage qualified owner { name } }
  fromUser { name } assignee { name } decidedBy { name }
  previous { id } chainRoot { id } chain { id status }
"""
HAND_OFF = f"""
mutation($input: HandoffLeadInput!) {{
  handoffLead(input: $input) {{ handoff {{ {HANDOFF} }} {ERRORS} }}
}}"""
ACCEPT = f"""
mutation($input: AcceptHandoffInput!) {{
  acceptHandoff(input: $input) {{ handoff {{ {HANDOFF} }} {ERRORS} }}
}}"""
REJECT = f"""
mutation($input: RejectHandoffInput!) {{
  rejectHandoff(input: $input) {{ handoff {{ {HANDOFF} }} {ERRORS} }}
}}"""
REASSIGN = f"""
mutation($input: ReassignHandoffInput!) {{
  reassignHandoff(input: $input) {{ handoff {{ {HANDOFF} }} {ERRORS} }}
}}"""
FOLLOW_UP = f"""
mutation($input: RecordFollowUpInput!) {{
  recordFollowUp(input: $input) {{
    followUp {{
      id channel outcome occurredAt recordedAt countsAt note user {{ name }}
    }}
    lead {{ id stage }}
    {ERRORS}
  }}
}}"""
QUEUE = f"""{{ myQueue(first: 50) {{ edges {{ node {{ {HANDOFF} }} }} }} }}"""
LIST = f"""
query($filter: HandoffFilter, $orderBy: HandoffOrder) {{
  handoffs(first: 100, filter: $filter, orderBy: $orderBy) {{
    edges {{ node {{ {HANDOFF} }} }} totalCount
  }}
}}"""
NODE = f"""query($id: ID!) {{ node(id: $id) {{ ... on Handoff {{ {HANDOFF} }} }} }}"""
UPDATE_USER = """
mutation($input: UpdateUserInput!) {
  updateUser(input: $input) { user { id } userErrors { code field message } }
}"""

BERLIN = ZoneInfo("Europe/Berlin")

HANDOFF_TABLES = (
    Lead,
    Handoff,
    HandoffChain,
    FollowUp,
    LeadFeedback,
    StageChange,
    OutboxEvent,
    RoutingCursor,
    IdempotencyRecord,
)


async def handoff_snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of the handoff tables (and leads, outbox and idempotency
    records), to compare; once the outbox has settled, since the dispatcher's
    marks are nobody's call's doing."""
    await settle_outbox()
    found = {}
    for model in HANDOFF_TABLES:
        rows = [row_content(model, row) for row in await model.all().values()]
        found[model.__name__] = sorted(rows, key=lambda r: str(r.get("id", r)))
    return found


async def user_id(name: str) -> str:
    user = await User.get(name=name.title())
    return ids.encode("User", user.id)


def berlin(*wall: int) -> datetime:
    """A wall-clock time in Berlin (year, month, day, hour, ...) as an instant."""
    return datetime(*wall, tzinfo=BERLIN)  # type: ignore[misc]


def near(text: str | None, expected: datetime) -> bool:
    """The clock keeps ticking from a pinned instant: allow the test's runtime."""
    assert text is not None
    return abs(datetime.fromisoformat(text) - expected) < timedelta(seconds=30)


class Floor(Desk):
    """The lead desk plus handoff steps."""

    async def qualified_lead(
        self, email: str = "ana@logistics.example", who: str = "member"
    ) -> str:
        """A lead qualified by a demo request, in MQL (fed in by `who`)."""
        done = await self.upsert([well_fitting(email)], who)
        lead_id: str = done["results"][0]["lead"]["id"]
        occurred = clock.now().isoformat()
        record = await self.record(
            [{"leadId": lead_id, "kind": "DEMO_REQUEST", "occurredAt": occurred}], who
        )
        assert record["results"][0]["lead"]["stage"] == "MQL", record
        return lead_id

    async def hand_off(
        self, lead_id: str, who: str = "member", **extra: Any
    ) -> dict[str, Any]:
        done: dict[str, Any] = await self.call(
            who, HAND_OFF, {"leadId": lead_id, **extra}
        )
        return done

    async def follow_up(
        self, lead_id: str, who: str = "rep", **extra: Any
    ) -> dict[str, Any]:
        done: dict[str, Any] = await self.call(
            who,
            FOLLOW_UP,
            {"leadId": lead_id, "channel": "CALL", "outcome": "ATTEMPTED", **extra},
        )
        return done

    async def handoff(self, handoff_id: str, who: str = "rep") -> dict[str, Any]:
        """A handoff as `who` reads it now."""
        found: dict[str, Any] = (await self.query(who, NODE, id=handoff_id))["node"]
        return found

    async def at(self, instant: datetime) -> None:
        """Move the test clock, everyone signed in again (sessions expire idle)."""
        clock.set(instant)
        await self.refresh_sessions()

    async def change_user(self, name: str, **changes: Any) -> None:
        """An admin changes a seated person (outOfOffice, acceptsLeads, active)."""
        done = await self.call(
            "admin", UPDATE_USER, {"id": await user_id(name), **changes}
        )
        assert done["userErrors"] == [], done


async def refused(
    room: Floor,
    who: str,
    document: str,
    input: dict[str, Any],
    code: str,
    field: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Assert the call is refused with exactly ``code``, audited, and left the
    lead and handoff tables as they were; its errors."""
    before = await handoff_snapshot()
    errors = await refused_for_leads(room, who, document, input, code, field)
    assert await handoff_snapshot() == before
    return errors


async def floor(api: Any) -> Floor:
    desk = await seat(api)
    return Floor(desk.api, desk.sessions)
