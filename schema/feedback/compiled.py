"""Lead-quality feedback as the compiler answers it (`schema.core.compiled`):
a lead's feedback (one statement over the page's leads), with its author,
lead, and the author's latest rejection of the lead (the lead's handoffs, one
statement, shared with `Lead.handoffs` as in the executor)."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from schema.context import Context
from schema.core.compiled import Batch, RowType, ToOne
from schema.feedback.ratings import feedback_type, latest_rejection
from server.services.feedback import ratings as lead_feedback
from server.services.leads import reads as lead_reads
from server.services.people import reads as user_reads


async def _feedback_of(rows: list[Any], context: Context) -> list[Any]:
    loader = context.loader("lead_feedback")
    return list(await loader.load_many([row["id"] for row in rows]))


async def _rejections(rows: list[Any], context: Context) -> list[Any]:
    loader = context.loader("lead_handoffs")
    handoffs = await loader.load_many([row._lead for row in rows])
    return [
        latest_rejection(found, row._user)
        for row, found in zip(rows, handoffs, strict=True)
    ]


TYPES = {
    "LeadFeedback": RowType(
        "LeadFeedback",
        convert=feedback_type,
        relations={
            "user": ToOne("User", attrgetter("_user"), user_reads.user_records),
            "lead": ToOne("Lead", attrgetter("_lead"), lead_reads.leads_by_ids),
            "rejection": Batch("HandoffRejection", _rejections),
        },
    )
}
RELATIONS = {"Lead": {"feedback": Batch("LeadFeedback", _feedback_of, "Lead.feedback")}}
NODES = {"LeadFeedback": lead_feedback.feedback_by_ids}
