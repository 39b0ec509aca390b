"""`submitLeadFeedback`: sales rates the quality of a lead it was handed
(SPEC §2.7). One feedback per user and lead: a second submission edits the
first (its version goes up). The lead is locked while the feedback is written,
so two submissions by one user at once end as one row, the later one's.
Audited; `EventKind` names no event for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from server.domain.feedback.ratings import check_feedback_author, read_feedback
from server.domain.leads.stages import Refusal
from server.models.feedback import LeadFeedback
from server.models.waterfall import Handoff
from server.services.core import fetched, mutations
from server.services.core.actors import Actor
from server.services.leads import store as lead_store
from server.services.waterfall.store import decider


@dataclass(frozen=True)
class FeedbackRequest:
    lead_id: str
    rating: int
    reasons: tuple[str, ...] = ()
    comment: str | None = None
    idempotency_key: str | None = None


async def _load(saved: dict[str, Any]) -> LeadFeedback:
    return await LeadFeedback.get(id=int(saved["feedback"]))


async def submit_lead_feedback(
    actor: Actor, request: FeedbackRequest
) -> mutations.Outcome[LeadFeedback]:
    async def body(tx: mutations.Tx) -> LeadFeedback:
        return await _submit(tx, actor, request)

    idempotency = mutations.Idempotency(
        request.idempotency_key,
        {
            "leadId": request.lead_id,
            "rating": request.rating,
            "reasons": list(request.reasons),
            "comment": request.comment,
        },
        lambda r: {"feedback": r.id},
        _load,
    )
    return await mutations.run(actor, "submitLeadFeedback", body, idempotency)


async def _submit(
    tx: mutations.Tx, actor: Actor, request: FeedbackRequest
) -> LeadFeedback:
    lead = await lead_store.load_lead(request.lead_id, None)  # locked
    handoffs = await Handoff.filter(lead_id=lead["id"]).values("assignee_id")
    assignees = {int(h["assignee_id"]) for h in handoffs}
    problem = check_feedback_author(
        decider(actor), lead["owner_id"], assignees, bool(handoffs)
    )
    if problem is not None:
        raise problem.error()
    given = read_feedback(request.rating, request.reasons, request.comment)
    if isinstance(given, Refusal):
        raise given.error()
    reasons = [r.value for r in given.reasons]
    found = await LeadFeedback.get_or_none(lead_id=lead["id"], user_id=actor.user_id)
    if found is None:
        found = await LeadFeedback.create(
            lead_id=lead["id"],
            user_id=actor.user_id,
            rating=given.rating,
            reasons=reasons,
            comment=given.comment,
            created_at=tx.now,
            updated_at=tx.now,
        )
    else:
        found.rating, found.reasons, found.comment = (
            given.rating,
            reasons,
            given.comment,
        )
        found.updated_at = tx.now
        found.version += 1
        await found.save()
    tx.audit(
        "LeadFeedback",
        found.id,
        lead=lead["id"],
        rating=given.rating,
        reasons=reasons,
        version=found.version,
    )
    return found


async def feedback_of_leads(keys: Iterable[int]) -> dict[int, list[LeadFeedback]]:
    """Each lead's feedback, oldest first (one statement)."""
    rows = await LeadFeedback.filter(lead_id__in=list(keys)).order_by(
        "created_at", "id"
    )
    return fetched.group_by(rows, lambda r: r.lead_id)


async def feedback_by_ids(keys: Iterable[int]) -> dict[int, LeadFeedback]:
    return {row.id: row for row in await LeadFeedback.filter(id__in=list(keys))}
