"""Lead hygiene: `mergeLeads`, `eraseLead` and `duplicateLeadCandidates`."""

from __future__ import annotations

from enum import Enum

import strawberry

from schema.context import Info
from schema.core.errors import UserError
from schema.core.permissions import actor_of, require
from schema.core.relay import Connection, connection, page_request
from schema.leads.mutations import LeadPayload, lead_payload
from schema.leads.types import Lead, lead_types
from server.services.leads import duplicates, erasure, merging
from server.services.leads import reads as lead_reads


@strawberry.input(description="The versions of both leads the caller saw.")
class MergeVersionsInput:
    survivor: int
    duplicate: int


@strawberry.input
class MergeLeadsInput:
    survivor_id: strawberry.ID
    duplicate_id: strawberry.ID
    expected_versions: MergeVersionsInput


@strawberry.input
class EraseLeadInput:
    lead_id: strawberry.ID
    reason: str


@strawberry.type
class MergeLeadsPayload:
    lead: Lead | None = strawberry.field(description="The survivor, merged.")
    user_errors: list[UserError]


@strawberry.enum(description="Why two leads look like one person.")
class DuplicateReason(Enum):
    SAME_EMAIL = "SAME_EMAIL"
    SAME_NAME_AND_COMPANY = "SAME_NAME_AND_COMPANY"


@strawberry.type(description="Two leads that look like one person, for review.")
class DuplicateLeadCandidate:
    survivor: Lead = strawberry.field(description="The older one, suggested to keep.")
    duplicate: Lead
    reasons: list[DuplicateReason]


@strawberry.type
class HygieneQueries:
    @strawberry.field(
        description="Pairs of leads that look like one person: the same address "
        "once dots and plus-tags are ignored, or the same name and company."
    )
    async def duplicate_lead_candidates(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[DuplicateLeadCandidate]:
        require(info, "duplicateLeadCandidates")
        page = await duplicates.duplicate_candidates(
            page_request(first, after, last, before)
        )
        found = [duplicates.candidate(row) for row in page.rows]
        keys = {k for c in found for k in (c.survivor_id, c.duplicate_id)}
        rows = await lead_reads.leads_by_ids(keys)
        built = {lead._key: lead for lead in await lead_types(list(rows.values()))}
        return connection(
            page, lambda row: _candidate(duplicates.candidate(row), built)
        )


def _candidate(
    found: duplicates.Candidate, built: dict[int, Lead]
) -> DuplicateLeadCandidate:
    reasons = []
    if found.same_email:
        reasons.append(DuplicateReason.SAME_EMAIL)
    if found.same_name:
        reasons.append(DuplicateReason.SAME_NAME_AND_COMPANY)
    return DuplicateLeadCandidate(
        survivor=built[found.survivor_id],
        duplicate=built[found.duplicate_id],
        reasons=reasons,
    )


@strawberry.type
class HygieneMutations:
    @strawberry.mutation(
        description="Merge a duplicate into the survivor: everything moves, the "
        "duplicate's id, address and external ids resolve to the survivor."
    )
    async def merge_leads(
        self, info: Info, input: MergeLeadsInput
    ) -> MergeLeadsPayload:
        outcome = await merging.merge_leads(
            actor_of(info),
            input.survivor_id,
            input.duplicate_id,
            {
                "survivor": input.expected_versions.survivor,
                "duplicate": input.expected_versions.duplicate,
            },
        )
        payload = lead_payload(outcome)
        return MergeLeadsPayload(lead=payload.lead, user_errors=payload.user_errors)

    @strawberry.mutation(
        description="Erase a person's data everywhere, keeping an anonymous record "
        "so every count stays right."
    )
    async def erase_lead(self, info: Info, input: EraseLeadInput) -> LeadPayload:
        outcome = await erasure.erase_lead(actor_of(info), input.lead_id, input.reason)
        return lead_payload(outcome)
