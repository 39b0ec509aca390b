"""Lead mutations: ingestion (`upsertLeads`, `recordLeadActivities`), `updateLead`
and the waterfall moves (`moveLeadStage`, `closeLead`)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from graphql import GraphQLResolveInfo
from strawberry.scalars import JSON
from strawberry.utils.str_converters import to_camel_case

from schema.context import Info
from schema.core.errors import UserError, user_errors
from schema.core.permissions import actor_of
from schema.leads.types import ActivityKind, Lead, LeadStage, lead_type
from server.services.core.mutations import Outcome
from server.services.leads import activities
from server.services.leads import intake as leads


def given(value: Any) -> dict[str, Any]:
    """An input object's fields that were sent (absent ones left out; an explicit
    null kept as None), with the API's camelCase names."""
    found = {}
    for f in dataclasses.fields(value):
        item = getattr(value, f.name)
        if item is strawberry.UNSET:
            continue
        if isinstance(item, list):
            item = [given(i) if dataclasses.is_dataclass(i) else i for i in item]
        elif isinstance(item, Enum):
            item = item.value
        found[to_camel_case(f.name)] = item
    return found


@strawberry.input
class ExternalIdInput:
    system: str
    id: str


@strawberry.input(name="LeadEditableFields")  # only inherited, never printed
class _LeadFields:
    email: str | None = strawberry.UNSET
    external_ids: list[ExternalIdInput] | None = strawberry.UNSET
    first_name: str | None = strawberry.UNSET
    last_name: str | None = strawberry.UNSET
    company: str | None = strawberry.UNSET
    company_size: int | None = strawberry.UNSET
    industry: str | None = strawberry.UNSET
    job_title: str | None = strawberry.UNSET
    seniority: str | None = strawberry.UNSET
    country: str | None = strawberry.UNSET
    source: str | None = strawberry.UNSET
    campaign: str | None = strawberry.UNSET
    is_customer: bool | None = strawberry.UNSET
    products: list[str] | None = strawberry.UNSET
    do_not_contact: bool | None = strawberry.UNSET
    source_updated_at: datetime | None = strawberry.UNSET


@strawberry.input(description="One past move of a historical import.")
class ImportedStageChangeInput:
    stage: LeadStage
    at: datetime
    reason: str | None = None


@strawberry.input(description="One past activity of a historical import.")
class ImportedActivityInput:
    kind: ActivityKind
    occurred_at: datetime
    external_id: str | None = None
    source: str | None = None
    metadata: JSON | None = None


@strawberry.input(description="Absent fields stay as they are; null clears one.")
class LeadFieldsInput(_LeadFields):
    stage: LeadStage | None = strawberry.field(
        default=strawberry.UNSET,
        description="Import only (backfill): the stage the lead is in.",
    )
    stage_history: list[ImportedStageChangeInput] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Import only (backfill): the lead's past moves, oldest first; "
        "the first is where it began.",
    )
    owner: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Import only (backfill): a user."
    )
    amount: Decimal | None = strawberry.field(
        default=strawberry.UNSET,
        description="Import only (backfill), from OPPORTUNITY on; in ACCORD_CURRENCY.",
    )
    recurring: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Import only (backfill)."
    )
    activities: list[ImportedActivityInput] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Import only (backfill): past activities, flagged imported.",
    )


@strawberry.input
class UpsertLeadsInput:
    leads: list[LeadFieldsInput]
    summary_only: bool = False
    backfill: bool = strawberry.field(
        default=False,
        description="A historical import (admins and WRITE tokens): rows may set "
        "stage, stageHistory, owner, amount, recurring and activities, recorded as "
        "imported — counted in the funnel and conversion, never in SLA figures.",
    )


@strawberry.enum
class UpsertOutcome(Enum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    UNCHANGED = "UNCHANGED"
    STALE = "STALE"
    FAILED = "FAILED"


@strawberry.type
class UpsertLeadResult:
    index: int
    outcome: UpsertOutcome
    created: bool
    lead: Lead | None
    user_errors: list[UserError]


@strawberry.type
class UpsertLeadsSummary:
    received: int
    created: int
    updated: int
    unchanged: int
    stale: int
    failed: int


@strawberry.type
class UpsertLeadsPayload:
    results: list[UpsertLeadResult] | None = strawberry.field(
        description="One per row, in order; null with `summaryOnly`."
    )
    summary: UpsertLeadsSummary | None
    user_errors: list[UserError]


@strawberry.input
class LeadActivityInput:
    lead_id: strawberry.ID | None = None
    lead_email: str | None = None
    kind: ActivityKind
    occurred_at: datetime
    external_id: str | None = None
    source: str | None = None
    metadata: JSON | None = None


@strawberry.input
class RecordLeadActivitiesInput:
    activities: list[LeadActivityInput]
    summary_only: bool = False


@strawberry.type
class RecordActivityResult:
    index: int
    created: bool = strawberry.field(
        description="False when the activity was recorded before (a retry)."
    )
    lead: Lead | None
    user_errors: list[UserError]


@strawberry.type
class RecordActivitiesSummary:
    received: int
    created: int
    duplicates: int
    failed: int
    qualified: int


@strawberry.type
class RecordLeadActivitiesPayload:
    results: list[RecordActivityResult] | None
    summary: RecordActivitiesSummary | None
    user_errors: list[UserError]


@strawberry.input(description="Absent fields stay as they are; null clears one.")
class UpdateLeadInput(_LeadFields):
    id: strawberry.ID
    expected_version: int
    persona: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="Set the persona by hand; null returns to automatic matching.",
    )


@strawberry.type
class LeadPayload:
    lead: Lead | None
    user_errors: list[UserError]


def lead_payload(outcome: Outcome[Any]) -> LeadPayload:
    row = outcome.result
    return LeadPayload(
        lead=lead_type(row) if row is not None and outcome.ok else None,
        user_errors=user_errors(outcome.errors),
    )


def _upserted(result: leads.Upserted, summary_only: bool) -> UpsertLeadsPayload:
    counts = {o: result.count(o) for o in leads.RowOutcome}
    summary = UpsertLeadsSummary(
        received=len(result.rows),
        created=counts[leads.RowOutcome.CREATED],
        updated=counts[leads.RowOutcome.UPDATED],
        unchanged=counts[leads.RowOutcome.UNCHANGED],
        stale=counts[leads.RowOutcome.STALE],
        failed=counts[leads.RowOutcome.FAILED],
    )
    rows = None
    if not summary_only:
        rows = [
            UpsertLeadResult(
                index=r.index,
                outcome=UpsertOutcome(r.outcome.value),
                created=r.created,
                lead=lead_type(found) if (found := result.lead_of(r)) else None,
                user_errors=user_errors(r.errors),
            )
            for r in result.rows
        ]
    return UpsertLeadsPayload(results=rows, summary=summary, user_errors=[])


def _recorded(
    result: activities.Recorded, summary_only: bool
) -> RecordLeadActivitiesPayload:
    summary = RecordActivitiesSummary(
        received=len(result.rows),
        created=result.count(True),
        duplicates=result.count(False),
        failed=sum(1 for r in result.rows if r.errors),
        qualified=len(result.qualified),
    )
    rows = None
    if not summary_only:
        rows = [
            RecordActivityResult(
                index=r.index,
                created=r.created,
                lead=lead_type(result.leads[r.lead_id])
                if r.lead_id is not None and not r.errors
                else None,
                user_errors=user_errors(r.errors),
            )
            for r in result.rows
        ]
    return RecordLeadActivitiesPayload(results=rows, summary=summary, user_errors=[])


async def _record_activities(
    info: Any, rows: list[dict[str, Any]], summary_only: bool
) -> RecordLeadActivitiesPayload:
    outcome = await activities.record_lead_activities(actor_of(info), rows)
    if outcome.result is None:
        return RecordLeadActivitiesPayload(
            results=None, summary=None, user_errors=user_errors(outcome.errors)
        )
    return _recorded(outcome.result, summary_only)


async def record_activities_fast(
    _source: Any, info: GraphQLResolveInfo[Any], input: dict[str, Any]
) -> RecordLeadActivitiesPayload:
    """`recordLeadActivities` as the built schema answers it (`schema.build`),
    on graphql-core's coerced input as it comes.

    The rows are validated by the use case from plain dicts anyway; building a
    `LeadActivityInput` per row only to take it apart again (`given`) cost more
    than the rest of the call's Python on a 1,000-row batch. graphql-core has
    already checked the types and filled the defaults (absent optional fields
    are None, as with `given`); enum members become their values here."""
    rows = []
    for row in input["activities"]:
        found = dict(row)
        kind = found.get("kind")
        if isinstance(kind, Enum):
            found["kind"] = kind.value
        rows.append(found)
    return await _record_activities(info, rows, input["summaryOnly"])


@strawberry.type
class LeadMutations:
    @strawberry.mutation(description="Create or update up to 500 leads by key.")
    async def upsert_leads(
        self, info: Info, input: UpsertLeadsInput
    ) -> UpsertLeadsPayload:
        outcome = await leads.upsert_leads(
            actor_of(info),
            [given(row) for row in input.leads],
            backfill=input.backfill,
        )
        if outcome.result is None:
            return UpsertLeadsPayload(
                results=None, summary=None, user_errors=user_errors(outcome.errors)
            )
        return _upserted(outcome.result, input.summary_only)

    @strawberry.mutation(description="Record up to 1000 activities, idempotently.")
    async def record_lead_activities(
        self, info: Info, input: RecordLeadActivitiesInput
    ) -> RecordLeadActivitiesPayload:
        # The declared resolver; the built schema answers with
        # `record_activities_fast` (see `schema.FAST_RESOLVERS`).
        rows = [given(row) for row in input.activities]
        return await _record_activities(info, rows, input.summary_only)

    @strawberry.mutation
    async def update_lead(self, info: Info, input: UpdateLeadInput) -> LeadPayload:
        fields = given(input)
        fields.pop("id"), fields.pop("expectedVersion")
        outcome = await leads.update_lead(
            actor_of(info), input.id, input.expected_version, fields
        )
        return lead_payload(outcome)
