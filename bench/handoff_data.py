"""Handoff chains at scale (issue 22): the chains, their handoffs and follow-ups.

Each chain is `bench.handoff_plan.chain_plan`'s story for its lead, written as
the service writes it (`server.services.waterfall.handoffs`, `follow_ups`):
the SLA clocks computed at the first handoff under the seeded SLA, the persona
and ``qualifiedBy`` the lead had then, the decision with its business hours,
the touch window fixed at acceptance, the first touch and attempts counted from
the follow-ups, and the sweeper's report marks for the clocks that passed. A
reassignment closes the first handoff (REASSIGNED, MANUAL) and opens the next
from it; a pending handoff holds ``open_lead``. The leads' rows and stage
history are `bench.scoring_data`'s, which applies the same plans.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from bench.datasets import Dataset, Row, Sizes, Table
from bench.handoff_plan import CHANNELS, SLA_ID, ChainPlan, chain_plan, terms
from bench.scoring_data import lead_ids, seeded_lead
from server.domain.waterfall.clocks import business_hours_taken, touch_window_end
from server.services.waterfall.store import NO_DEADLINE

CHAIN_COLUMNS = (
    "id",
    "lead_id",
    "started_at",
    "sla_id",
    "sla_revision",
    "accept_due_at",
    "accept_at_risk_at",
    "first_touch_due_at",
    "first_touch_at_risk_at",
    "decision",
    "decided_at",
    "decision_business_hours",
    "auto_accepted",
    "withdrawn_at",
    "first_touch_at",
    "first_touch_business_hours",
    "touch_attempts",
    "sweeper_reassignments",
    "accept_at_risk_reported",
    "accept_breach_reported",
    "touch_at_risk_reported",
    "touch_breach_reported",
    "next_timeout_at",
    "escalated_handoff_id",
    "persona_id",
    "qualified_by",
    "touch_window_ends_at",
    "touch_attempts_needed",
)
HANDOFF_COLUMNS = (
    "id",
    "chain_id",
    "lead_id",
    "previous_id",
    "from_user_id",
    "assignee_id",
    "status",
    "open_lead",
    "handed_off_at",
    "sort_due_at",
    "note",
    "override_reason",
    "reassign_cause",
    "decided_at",
    "decided_by_id",
    "rejection_reason",
    "rejection_comment",
    "disposition",
)
FOLLOW_UP_COLUMNS = (
    "id",
    "lead_id",
    "chain_id",
    "user_id",
    "channel",
    "outcome",
    "occurred_at",
    "recorded_at",
    "counts_at",
    "note",
)


def plans(sizes: Sizes) -> Iterator[ChainPlan]:
    for lead_id in lead_ids(sizes):
        plan = chain_plan(sizes, lead_id)
        if plan is not None:
            yield plan


def _passed(instant: datetime | None, until: datetime) -> bool:
    return instant is not None and instant <= until


def chain_rows(sizes: Sizes) -> Iterator[Row]:
    sla, now = terms(sizes), sizes.now
    for plan in plans(sizes):
        lead = seeded_lead(sizes, plan.lead_id).row
        c, decided = plan.clocks, plan.decided_at
        first = plan.touches[0] if plan.touches else None
        accepted = plan.decision == "ACCEPTED"
        # The sweeper reports a clock once its instant passed undone.
        accept_until = decided or now
        touch_until = first or (
            decided if plan.decision == "REJECTED" and decided else now
        )
        yield (
            plan.chain_id,
            plan.lead_id,
            plan.started,
            SLA_ID,
            1,
            c.accept_due_at,
            c.accept_at_risk_at,
            c.first_touch_due_at,
            c.first_touch_at_risk_at,
            plan.decision,
            decided,
            business_hours_taken(sla, plan.started, decided) if decided else None,
            plan.auto,
            None,
            first,
            business_hours_taken(sla, plan.started, first) if first else None,
            len(plan.touches),
            0,
            _passed(c.accept_at_risk_at, accept_until)
            and accept_until != c.accept_at_risk_at,
            _passed(c.accept_due_at, accept_until)
            and (plan.auto or accept_until != c.accept_due_at),
            _passed(c.first_touch_at_risk_at, touch_until)
            and touch_until != c.first_touch_at_risk_at,
            _passed(c.first_touch_due_at, touch_until)
            and touch_until != c.first_touch_due_at,
            None,
            None,
            lead["persona_id"],
            lead["qualified_by"],
            touch_window_end(sla.calendar, decided, sla.touch_window_days)
            if accepted and decided
            else None,
            sla.min_touch_attempts if accepted else None,
        )


def handoff_rows(sizes: Sizes) -> Iterator[Row]:
    next_id = 1
    for plan in plans(sizes):
        previous = None
        for n, step in enumerate(plan.handoffs):
            last = n == len(plan.handoffs) - 1
            status, decided, decider = "REASSIGNED", step.reassigned_at, None
            reason = disposition = None
            if last:
                status = plan.decision or "PENDING"
                decided = plan.decided_at
                decider = None if plan.auto or not decided else step.assignee
                if plan.decision == "REJECTED":
                    reason, disposition = plan.reason, "DISQUALIFY"
            yield (
                next_id,
                plan.chain_id,
                plan.lead_id,
                previous,
                step.from_user,
                step.assignee,
                status,
                plan.lead_id if status == "PENDING" else None,
                step.at,
                plan.clocks.accept_due_at or NO_DEADLINE,
                None,
                None,
                "MANUAL" if n else None,
                decided,
                decider,
                reason,
                None,
                disposition,
            )
            previous = next_id
            next_id += 1


def follow_up_rows(sizes: Sizes) -> Iterator[Row]:
    next_id = 1
    for plan in plans(sizes):
        for n, at in enumerate(plan.touches):
            last = n == len(plan.touches) - 1
            yield (
                next_id,
                plan.lead_id,
                plan.chain_id,
                plan.assignee,
                CHANNELS[(plan.chain_id + n) % len(CHANNELS)],
                "CONNECTED" if last else "ATTEMPTED",
                at,
                at,
                at,
                None,
            )
            next_id += 1


HANDOFFS = Dataset(
    "handoffs",
    (
        Table("handoff_chain", CHAIN_COLUMNS, chain_rows),
        Table("handoff", HANDOFF_COLUMNS, handoff_rows),
        Table("follow_up", FOLLOW_UP_COLUMNS, follow_up_rows),
    ),
)
