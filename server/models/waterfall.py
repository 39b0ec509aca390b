"""Tables of the waterfall: handoff chains, handoffs, follow-ups, the routing turn."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class HandoffChain(Model):
    """A lead's handoff and its reassignments: the SLA clocks fixed at the first
    handoff, the decision, the first touch and what the sweeper has reported.

    The four instants are NULL when no SLA applied (every clock ``NO_SLA``).
    """

    id = fields.BigIntField(primary_key=True)
    lead = fields.ForeignKeyField("models.Lead", related_name="handoff_chains")
    started_at = fields.DatetimeField()
    sla = fields.ForeignKeyField(
        "models.Agreement", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    sla_revision = fields.IntField(null=True)
    accept_due_at = fields.DatetimeField(null=True)
    accept_at_risk_at = fields.DatetimeField(null=True)
    first_touch_due_at = fields.DatetimeField(null=True)
    first_touch_at_risk_at = fields.DatetimeField(null=True)
    decision = fields.CharField(max_length=16, null=True)
    decided_at = fields.DatetimeField(null=True)
    decision_business_hours = fields.DecimalField(
        max_digits=20, decimal_places=6, null=True
    )
    auto_accepted = fields.BooleanField(default=False)
    withdrawn_at = fields.DatetimeField(null=True)
    first_touch_at = fields.DatetimeField(null=True)
    first_touch_business_hours = fields.DecimalField(
        max_digits=20, decimal_places=6, null=True
    )
    touch_attempts = fields.IntField(default=0)
    sweeper_reassignments = fields.IntField(default=0)
    accept_at_risk_reported = fields.BooleanField(default=False)
    accept_breach_reported = fields.BooleanField(default=False)
    touch_at_risk_reported = fields.BooleanField(default=False)
    touch_breach_reported = fields.BooleanField(default=False)
    # The sweeper's own marks: when it next applies the accept-timeout action to
    # a later holder (after moving the handoff past the deadline), and the
    # handoff it last escalated to the managers, so it does so once.
    next_timeout_at = fields.DatetimeField(null=True)
    escalated_handoff_id = fields.BigIntField(null=True)
    # What the metrics read as of the handoff (SPEC §2.6): the lead's persona
    # then, and its `qualifiedBy` then (NULL: handed off unqualified).
    persona_id = fields.IntField(null=True)
    qualified_by = fields.CharField(max_length=16, null=True)
    # Fixed at acceptance from the chain's SLA: when the touch-attempts window
    # closes and how many attempts it needs (NULL: not accepted, or NO_SLA).
    touch_window_ends_at = fields.DatetimeField(null=True)
    touch_attempts_needed = fields.IntField(null=True)

    if TYPE_CHECKING:
        lead_id: int
        sla_id: int | None

    class Meta:
        table = "handoff_chain"
        indexes = (
            Index(fields=("lead_id", "started_at"), name="handoff_chain_lead"),
            Index(fields=("accept_due_at",), name="handoff_chain_accept_due"),
            Index(fields=("first_touch_due_at",), name="handoff_chain_touch_due"),
            # The chains started in a period with what the dashboard counts
            # of them (chain counts, first touch), read from the index alone.
            Index(
                fields=(
                    "started_at",
                    "persona_id",
                    "first_touch_at",
                    "withdrawn_at",
                    "decision",
                    "qualified_by",
                    "lead_id",
                    "auto_accepted",
                    "first_touch_business_hours",
                ),
                name="handoff_chain_figures",
            ),
            Index(fields=("touch_window_ends_at",), name="handoff_chain_window"),
        )


class Handoff(Model):
    """One assignment of a lead to a sales user. ``open_lead`` holds the lead's
    id while the handoff is PENDING and NULL after, so the database refuses a
    second open handoff of a lead. ``sort_due_at`` is the chain's accept due
    instant, or the far future when no SLA applies, for ordering by deadline."""

    id = fields.BigIntField(primary_key=True)
    chain = fields.ForeignKeyField("models.HandoffChain", related_name="handoffs")
    lead = fields.ForeignKeyField("models.Lead", related_name="handoffs")
    previous = fields.ForeignKeyField(
        "models.Handoff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    from_user = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    assignee = fields.ForeignKeyField("models.User", related_name=False)
    status = fields.CharField(max_length=16)
    open_lead = fields.BigIntField(null=True, unique=True)
    handed_off_at = fields.DatetimeField()
    sort_due_at = fields.DatetimeField()
    note: str | None = fields.TextField(null=True)
    override_reason: str | None = fields.TextField(null=True)
    reassign_cause = fields.CharField(max_length=16, null=True)
    decided_at = fields.DatetimeField(null=True)
    decided_by = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    rejection_reason = fields.CharField(max_length=24, null=True)
    rejection_comment: str | None = fields.TextField(null=True)
    disposition = fields.CharField(max_length=16, null=True)

    if TYPE_CHECKING:
        chain_id: int
        lead_id: int
        previous_id: int | None
        from_user_id: int | None
        assignee_id: int
        decided_by_id: int | None

    class Meta:
        table = "handoff"
        indexes = (
            Index(fields=("lead_id", "handed_off_at"), name="handoff_lead"),
            Index(fields=("chain_id", "id"), name="handoff_chain_order"),
            Index(
                fields=("assignee_id", "status", "sort_due_at"), name="handoff_queue"
            ),
            Index(fields=("status", "sort_due_at", "id"), name="handoff_status_due"),
            Index(fields=("handed_off_at", "id"), name="handoff_created_id"),
            Index(fields=("sort_due_at", "id"), name="handoff_due_id"),
        )


class FollowUp(Model):
    """A sales touch on a lead. ``counts_at`` is when it counts for the clocks
    (its recording time when entered more than an hour late)."""

    id = fields.BigIntField(primary_key=True)
    lead = fields.ForeignKeyField("models.Lead", related_name="follow_ups")
    chain = fields.ForeignKeyField("models.HandoffChain", related_name="follow_ups")
    user = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    channel = fields.CharField(max_length=16)
    outcome = fields.CharField(max_length=16)
    occurred_at = fields.DatetimeField()
    recorded_at = fields.DatetimeField()
    counts_at = fields.DatetimeField()
    note: str | None = fields.TextField(null=True)

    if TYPE_CHECKING:
        lead_id: int
        chain_id: int
        user_id: int | None

    class Meta:
        table = "follow_up"
        indexes = (
            Index(fields=("lead_id", "occurred_at", "id"), name="follow_up_lead"),
            Index(fields=("chain_id", "counts_at"), name="follow_up_chain"),
        )


class RoutingCursor(Model):
    """Whom round-robin routing served last. Its row lock serialises routing."""

    name = fields.CharField(max_length=32, primary_key=True)
    last_user_id = fields.IntField(null=True)

    class Meta:
        table = "routing_cursor"
