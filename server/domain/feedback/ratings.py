"""Sales' lead-quality feedback (SPEC §2.7): the rules of `submitLeadFeedback`.

Pure: the caller loads the facts. Checks run in the handoff rules' order: who
may act (FORBIDDEN), then the input (INVALID_INPUT), then the lead's state.

Where the spec is silent:
- "working the lead" is its owner, or the assignee of any of its handoffs
  (the rep who rejected it is the one with something to say about it); SALES
  managers may give feedback on any lead handed off;
- a lead never handed off is INVALID_TRANSITION on ``leadId``: feedback is on
  the leads marketing handed to sales;
- ``reasons`` are the handoff rejection reasons, at most one of each (order
  kept), none required; ``OTHER`` needs a comment, like a rejection;
- the comment is at most 2,000 characters; a blank one is stored as none.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from server.domain.core.errors import ErrorCode
from server.domain.core.roles import Team
from server.domain.leads.stages import Refusal
from server.domain.waterfall.handoffs import MAX_TEXT, Decider, RejectionReason

MIN_RATING = 1
MAX_RATING = 5


@dataclass(frozen=True)
class Feedback:
    """Feedback as read: a rating, distinct reasons, a comment or None."""

    rating: int
    reasons: tuple[RejectionReason, ...]
    comment: str | None


def check_feedback_author(
    actor: Decider,
    owner_id: int | None,
    assignee_ids: Collection[int],
    handed_off: bool,
) -> Refusal | None:
    """Sales users working the lead and sales managers, else FORBIDDEN; a lead
    never handed off is INVALID_TRANSITION."""
    working = actor.user_id == owner_id or actor.user_id in assignee_ids
    if not (actor.is_sales_manager or (actor.team == Team.SALES and working)):
        message = "only sales users working the lead or sales managers may"
        return Refusal(ErrorCode.FORBIDDEN, f"{message} give feedback on it")
    if not handed_off:
        message = "the lead was never handed off; feedback is on handed-off leads"
        return Refusal(ErrorCode.INVALID_TRANSITION, message, "leadId")
    return None


def read_feedback(
    rating: int, reasons: Sequence[str], comment: str | None
) -> Feedback | Refusal:
    """The feedback given, or the first problem with it."""
    if not MIN_RATING <= rating <= MAX_RATING:
        message = f"give a rating from {MIN_RATING} to {MAX_RATING}"
        return Refusal(ErrorCode.INVALID_INPUT, message, "rating")
    if any(r not in RejectionReason.__members__ for r in reasons):
        return Refusal(ErrorCode.INVALID_INPUT, "unknown reason", "reasons")
    distinct = tuple(RejectionReason(r) for r in dict.fromkeys(reasons))
    text = (comment or "").strip() or None
    if comment is not None and len(comment) > MAX_TEXT:
        message = f"use at most {MAX_TEXT} characters"
        return Refusal(ErrorCode.INVALID_INPUT, message, "comment")
    if RejectionReason.OTHER in distinct and text is None:
        message = "say what the other reason is in the comment"
        return Refusal(ErrorCode.INVALID_INPUT, message, "comment")
    return Feedback(rating, distinct, text)
