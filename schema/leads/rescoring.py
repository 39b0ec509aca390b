"""Rescoring: its progress, and a manager's request to rescore every lead."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.context import Info
from schema.core.errors import UserError, user_errors
from schema.core.permissions import actor_of, require
from server.services.leads import rescoring


@strawberry.type(description="A rescoring of every lead, in chunks.")
class RescoreProgress:
    reason: str = strawberry.field(
        description="MODEL_CHANGE, PERSONA_CHANGE or MANUAL."
    )
    total: int
    done: int
    remaining: int
    promoted: int = strawberry.field(description="Leads it qualified (MODEL_CHANGE).")
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def progress_type(found: rescoring.Progress) -> RescoreProgress:
    return RescoreProgress(
        reason=found.reason,
        total=found.total,
        done=found.done,
        remaining=found.remaining,
        promoted=found.promoted,
        requested_at=found.requested_at,
        started_at=found.started_at,
        finished_at=found.finished_at,
    )


@strawberry.type
class RescoreLeadsPayload:
    rescoring: RescoreProgress | None
    user_errors: list[UserError]


@strawberry.type
class RescoringQueries:
    @strawberry.field(description="The latest rescoring, running or finished.")
    async def rescoring(self, info: Info) -> RescoreProgress | None:
        require(info, "rescoring")
        found = await rescoring.latest()
        return progress_type(found) if found else None


@strawberry.type
class RescoringMutations:
    @strawberry.mutation(description="Rescore every lead under the model in force.")
    async def rescore_leads(self, info: Info) -> RescoreLeadsPayload:
        outcome = await rescoring.request_rescore(actor_of(info))
        found = outcome.result
        return RescoreLeadsPayload(
            rescoring=progress_type(found) if found else None,
            user_errors=user_errors(outcome.errors),
        )
