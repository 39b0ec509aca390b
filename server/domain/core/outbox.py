"""The kinds of events written to the outbox (SPEC §2.9)."""

from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    LEAD_CREATED = "LEAD_CREATED"
    LEAD_UPDATED = "LEAD_UPDATED"
    LEAD_QUALIFIED = "LEAD_QUALIFIED"
    LEAD_STAGE_CHANGED = "LEAD_STAGE_CHANGED"
    LEAD_MERGED = "LEAD_MERGED"
    LEAD_ERASED = "LEAD_ERASED"
    HANDOFF_CREATED = "HANDOFF_CREATED"
    HANDOFF_ACCEPTED = "HANDOFF_ACCEPTED"
    HANDOFF_REJECTED = "HANDOFF_REJECTED"
    HANDOFF_REASSIGNED = "HANDOFF_REASSIGNED"
    HANDOFF_WITHDRAWN = "HANDOFF_WITHDRAWN"
    # The sweeper could not move a handoff on (limit reached, nobody in the
    # pool) and asks people to act: beyond SPEC's list, which may grow.
    HANDOFF_ESCALATED = "HANDOFF_ESCALATED"
    FOLLOW_UP_RECORDED = "FOLLOW_UP_RECORDED"
    SLA_AT_RISK = "SLA_AT_RISK"
    SLA_BREACHED = "SLA_BREACHED"
    AGREEMENT_PROPOSED = "AGREEMENT_PROPOSED"
    AGREEMENT_SIGNED = "AGREEMENT_SIGNED"
    AGREEMENT_REJECTED = "AGREEMENT_REJECTED"
    AGREEMENT_ACTIVATED = "AGREEMENT_ACTIVATED"
    AGREEMENT_RETIRED = "AGREEMENT_RETIRED"
    CONTENT_REQUEST_CHANGED = "CONTENT_REQUEST_CHANGED"
    MEETING_COMPLETED = "MEETING_COMPLETED"
    # An open action item passed its due date: its owner is reminded once.
    ACTION_ITEM_OVERDUE = "ACTION_ITEM_OVERDUE"


def backoff_seconds(attempts: int) -> float:
    """Delay before retrying a consumer that failed ``attempts`` times (capped)."""
    return float(min(2 ** max(attempts - 1, 0), 300))
