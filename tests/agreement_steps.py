"""GraphQL documents and small steps shared by the agreement tests."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from server.models.agreements import (
    Agreement,
    AgreementRevision,
    AgreementSignOff,
    GoalMeasurement,
    PersonaEvidence,
)
from server.models.core import AuditEntry, OutboxEvent
from server.models.people import User
from tests.helpers import (
    Api,
    Response,
    make_user,
    open_session,
    row_content,
    settle_outbox,
)

FIELDS = """
  id kind title status pending revision version contentHash
  signOffs { team role contentHash action user { name } }
  revisions { number contentHash activatedAt supersededAt
    signOffs { team user { name } } }
  diff { path before after }
  lastRejection { reason }
"""
SLA_TERMS = """
  qualifiedLeadsPerMonth acceptWithinHours firstTouchWithinHours
  minTouchAttempts touchWindowDays acceptTimeoutAction routing reviewCadenceDays
  effectiveFrom effectiveUntil
  businessCalendar { timezone workingDays dayStart dayEnd holidays }
"""
ERRORS = "userErrors { code field message }"

CREATE_SLA = f"""
mutation($input: CreateServiceLevelAgreementInput!) {{
  createServiceLevelAgreement(input: $input) {{
    serviceLevelAgreement {{ {FIELDS} pendingTerms {{ {SLA_TERMS} }} }} {ERRORS}
  }}
}}"""
UPDATE_SLA = f"""
mutation($input: UpdateServiceLevelAgreementInput!) {{
  updateServiceLevelAgreement(input: $input) {{
    serviceLevelAgreement {{ {FIELDS} }} {ERRORS}
  }}
}}"""
CREATE_GOAL = f"""
mutation($input: CreateGoalInput!) {{
  createGoal(input: $input) {{ goal {{ {FIELDS} }} {ERRORS} }}
}}"""
CREATE_PERSONA = f"""
mutation($input: CreatePersonaInput!) {{
  createPersona(input: $input) {{ persona {{ {FIELDS} }} {ERRORS} }}
}}"""
CREATE_MODEL = f"""
mutation($input: CreateQualificationModelInput!) {{
  createQualificationModel(input: $input) {{
    qualificationModel {{ {FIELDS} }} {ERRORS}
  }}
}}"""


def shared(name: str, input_type: str) -> str:
    return f"""
mutation($input: {input_type}!) {{
  {name}(input: $input) {{ agreement {{ {FIELDS} }} {ERRORS} }}
}}"""


PROPOSE = shared("proposeAgreement", "ProposeAgreementInput")
PROPOSE_RETIREMENT = shared("proposeRetirement", "ProposeRetirementInput")
SIGN = shared("signOff", "SignOffInput")
REJECT = shared("rejectProposal", "RejectProposalInput")
WITHDRAW = shared("withdrawSignOff", "WithdrawSignOffInput")
DISCARD = shared("discardDraft", "DiscardDraftInput")

ACTIVE_SLA = f"""{{ activeServiceLevelAgreement {{
  {FIELDS} terms {{ ... on ServiceLevelAgreementTerms {{ {SLA_TERMS} }} }} }} }}"""

SLA_INPUT: dict[str, Any] = {
    "qualifiedLeadsPerMonth": 120,
    "acceptWithinHours": "4",
    "firstTouchWithinHours": 24,
    "minTouchAttempts": 3,
    "touchWindowDays": 7,
    "acceptTimeoutAction": "REASSIGN",
    "routing": "ROUND_ROBIN",
    "businessCalendar": {
        "timezone": "Europe/Berlin",
        "workingDays": ["MON", "TUE", "WED", "THU", "FRI"],
        "dayStart": "09:00",
        "dayEnd": "17:00",
        "holidays": ["2026-12-25", "2026-12-24"],
    },
    "reviewCadenceDays": 14,
    "effectiveFrom": "2026-01-01T00:00:00+00:00",
}
GOAL_INPUT: dict[str, Any] = {
    "title": "Pipeline from webinars",
    "kind": "NET_NEW_ACQUISITION",
    "metric": "MANUAL",
    "target": "200",
    "unit": "meetings",
    "periodStart": "2026-01-01",
    "periodEnd": "2026-03-31",
}
PERSONA_INPUT: dict[str, Any] = {
    "name": "Ops leader at a mid-size logistics firm",
    "industries": ["Logistics", "Retail"],
    "companySizeMin": 200,
    "companySizeMax": 2000,
    "jobTitles": ["VP Operations", "Head of Ops"],
}


def model_input(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "fitRules": [
            {
                "field": "companySize",
                "operator": "BETWEEN",
                "values": ["200", "2000"],
                "points": 20,
                "label": "Mid-size",
            },
            {
                "field": "industry",
                "operator": "IN",
                "values": ["Logistics"],
                "points": "15",
                "label": "Logistics",
            },
        ],
        "engagementRules": [
            {
                "activityKind": "PRICING_VIEW",
                "points": 10,
                "maxPoints": 30,
                "halfLifeDays": 14,
            }
        ],
        "mqlThreshold": 50,
        "handRaiseKinds": ["DEMO_REQUEST"],
        "handRaiseWindowDays": 7,
    }
    return {**base, **changes}


def sla_input(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(SLA_INPUT), **changes}


@dataclass
class Table:
    """Who is signed in for each step of a negotiation, switched per call."""

    api: Api
    sessions: dict[str, str]

    @classmethod
    async def seat(cls, api: Api) -> Table:
        people = {
            "marketing": ("mara@example.com", "MARKETING", "MANAGER"),
            "sales": ("sam@example.com", "SALES", "MANAGER"),
            "marketing2": ("mo@example.com", "MARKETING", "MANAGER"),
            "sales2": ("sue@example.com", "SALES", "MANAGER"),
            "admin": ("ada@example.com", "LEADERSHIP", "ADMIN"),
            "member": ("mel@example.com", "MARKETING", "MEMBER"),
            "rep": ("rey@example.com", "SALES", "MEMBER"),
            "leader": ("lee@example.com", "LEADERSHIP", "MANAGER"),
        }
        sessions = {}
        for who, (email, team, role) in people.items():
            user = await make_user(email, team, role, name=who.title())
            sessions[who] = await open_session(user)
        return cls(api, sessions)

    async def refresh_sessions(self) -> None:
        """Sign everyone in again (after the test clock moved past idle expiry)."""
        for who in self.sessions:
            user = await User.get(name=who.title())
            self.sessions[who] = await open_session(user)

    async def send(self, who: str, document: str, input: dict[str, Any]) -> Response:
        """Run a mutation as someone; the whole response."""
        self.api.use_session(self.sessions[who])
        return await self.api.gql(document, {"input": input})

    async def call(self, who: str, document: str, input: dict[str, Any]) -> Any:
        """Run a mutation as someone and return its payload."""
        data = (await self.send(who, document, input)).data
        return next(iter(data.values()))

    async def query(self, who: str, document: str, **variables: Any) -> Any:
        self.api.use_session(self.sessions[who])
        return (await self.api.gql(document, variables or None)).data

    async def draft_sla(self, who: str = "marketing", **changes: Any) -> dict[str, Any]:
        made = await self.call(who, CREATE_SLA, {"terms": sla_input(**changes)})
        assert made["userErrors"] == [], made
        return made["serviceLevelAgreement"]  # type: ignore[no-any-return]

    async def propose(self, agreement_id: str, who: str = "marketing") -> str:
        done = await self.call(who, PROPOSE, {"agreementId": agreement_id})
        assert done["userErrors"] == [], done
        return done["agreement"]["contentHash"]  # type: ignore[no-any-return]

    async def sign(
        self, agreement_id: str, content_hash: str, who: str
    ) -> dict[str, Any]:
        done = await self.call(
            who, SIGN, {"agreementId": agreement_id, "contentHash": content_hash}
        )
        assert done["userErrors"] == [], done
        return done["agreement"]  # type: ignore[no-any-return]

    async def activate_sla(self, **changes: Any) -> dict[str, Any]:
        sla = await self.draft_sla(**changes)
        content_hash = await self.propose(sla["id"])
        await self.sign(sla["id"], content_hash, "marketing")
        return await self.sign(sla["id"], content_hash, "sales")


AGREEMENT_TABLES = (
    Agreement,
    AgreementRevision,
    AgreementSignOff,
    PersonaEvidence,
    GoalMeasurement,
    OutboxEvent,
)


async def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of the agreement tables (and the outbox, without the
    dispatcher's marks), to compare."""
    return {
        model.__name__: sorted(
            (row_content(model, row) for row in await model.all().values()),
            key=lambda row: row["id"],
        )
        for model in AGREEMENT_TABLES
    }


async def refused_by(
    snapshot: Callable[[], Awaitable[Any]],
    table: Table,
    who: str,
    document: str,
    input: dict[str, Any],
    code: str,
    field: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Assert the call is refused with exactly ``code`` (top-level or as user
    errors, one of them on ``field``), left ``snapshot()`` as it was, and was
    audited; its errors."""
    await settle_outbox()  # the dispatcher's marks are not the call's doing
    before = await snapshot()
    response = await table.send(who, document, input)
    if response.error_codes:
        assert response.error_codes == [code], response.body
        errors: list[dict[str, Any]] = response.body["errors"]
    else:
        errors = next(iter(response.data.values()))["userErrors"]
        assert errors and {e["code"] for e in errors} == {code}, errors
        if field is not None:
            assert field in [e["field"] for e in errors], errors
    assert await snapshot() == before
    latest = await AuditEntry.all().order_by("-id").first()
    assert latest is not None and latest.outcome == code  # the refusal is audited
    return errors
