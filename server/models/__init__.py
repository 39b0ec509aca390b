"""Tables. Only `server/services/` and `server/db.py` import this module."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class User(Model):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=320, unique=True)
    name = fields.CharField(max_length=200)
    team = fields.CharField(max_length=16)
    role = fields.CharField(max_length=16)
    active = fields.BooleanField(default=True)
    timezone = fields.CharField(max_length=64, default="UTC")
    out_of_office = fields.BooleanField(default=False)
    accepts_leads = fields.BooleanField(default=True)
    password_hash = fields.CharField(max_length=255, null=True)
    role_granted_by = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    role_granted_at = fields.DatetimeField(null=True)
    credentials_issued_by = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    credentials_issued_at = fields.DatetimeField(null=True)
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    if TYPE_CHECKING:
        role_granted_by_id: int | None
        credentials_issued_by_id: int | None

    class Meta:
        table = "app_user"
        indexes = (
            Index(fields=("name", "id"), name="app_user_name_id"),
            Index(fields=("created_at", "id"), name="app_user_created_id"),
            Index(fields=("team", "role", "active"), name="app_user_team_role"),
        )


class Session(Model):
    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name="sessions")
    secret_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    user_agent = fields.CharField(max_length=300, default="")
    client_address = fields.CharField(max_length=64, default="")

    if TYPE_CHECKING:
        user_id: int

    class Meta:
        table = "user_session"
        indexes = (Index(fields=("user_id", "created_at"), name="user_session_user"),)


class ApiToken(Model):
    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name="api_tokens")
    name = fields.CharField(max_length=200)
    secret_hash = fields.CharField(max_length=64, unique=True)
    prefix = fields.CharField(max_length=16)
    scopes = fields.CharField(max_length=64)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(null=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    revoked_by = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )

    if TYPE_CHECKING:
        user_id: int
        revoked_by_id: int | None

    class Meta:
        table = "api_token"
        indexes = (Index(fields=("user_id", "created_at"), name="api_token_user"),)


class SetPasswordLink(Model):
    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name="set_password_links")
    secret_hash = fields.CharField(max_length=64, unique=True)
    created_by = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    if TYPE_CHECKING:
        user_id: int
        created_by_id: int | None

    class Meta:
        table = "set_password_link"


class AuditEntry(Model):
    id = fields.BigIntField(primary_key=True)
    actor = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    credential = fields.CharField(max_length=32, default="")
    action = fields.CharField(max_length=64)
    # an ErrorCode value on refusals: INVALID_TRANSITION has 18 characters
    outcome = fields.CharField(max_length=32, default="OK")
    entity_type = fields.CharField(max_length=32, default="")
    entity_id = fields.BigIntField(null=True)
    changes = fields.JSONField(default=dict)
    request_id = fields.CharField(max_length=64, default="")
    at = fields.DatetimeField()

    if TYPE_CHECKING:
        actor_id: int | None

    class Meta:
        table = "audit_entry"
        indexes = (
            Index(fields=("at", "id"), name="audit_entry_at_id"),
            Index(fields=("entity_type", "entity_id"), name="audit_entry_entity"),
        )


class OutboxEvent(Model):
    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=40)
    subject_type = fields.CharField(max_length=32)
    subject_id = fields.BigIntField()
    sequence = fields.IntField()
    actor = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    payload = fields.JSONField(default=dict)
    created_at = fields.DatetimeField()
    dispatched_at = fields.DatetimeField(null=True)
    attempts = fields.IntField(default=0)
    retry_at = fields.DatetimeField(null=True)
    last_error = fields.TextField(null=True)

    if TYPE_CHECKING:
        actor_id: int | None

    class Meta:
        table = "outbox_event"
        unique_together = (("subject_type", "subject_id", "sequence"),)
        indexes = (Index(fields=("dispatched_at", "id"), name="outbox_event_pending"),)


class SubjectSequence(Model):
    """Last event sequence number per subject, bumped in the event's transaction."""

    subject = fields.CharField(max_length=64, primary_key=True)
    last_sequence = fields.IntField(default=0)

    class Meta:
        table = "subject_sequence"


class IdempotencyRecord(Model):
    id = fields.BigIntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name=False)
    key = fields.CharField(max_length=200)
    operation = fields.CharField(max_length=64)
    request_hash = fields.CharField(max_length=64)
    result = fields.JSONField(default=dict)
    created_at = fields.DatetimeField()

    if TYPE_CHECKING:
        user_id: int

    class Meta:
        table = "idempotency_record"
        unique_together = (("user_id", "key"),)
        indexes = (Index(fields=("created_at",), name="idempotency_created"),)


class Agreement(Model):
    """A goal, persona, qualification model or SLA: the revision in force and what
    is being negotiated. ``in_force_slot`` holds the kind while a qualification
    model or SLA is in force and is NULL otherwise; being unique, it lets the
    database itself refuse a second one in force (on SQLite and PostgreSQL)."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=32)
    status = fields.CharField(max_length=16)
    pending = fields.CharField(max_length=24)
    title = fields.CharField(max_length=200)
    revision = fields.IntField(default=0)
    terms: str | None = fields.TextField(null=True)
    pending_terms: str | None = fields.TextField(null=True)
    content_hash = fields.CharField(max_length=64, null=True)
    proposed_at = fields.DatetimeField(null=True)
    proposed_by = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    in_force_slot = fields.CharField(max_length=32, null=True, unique=True)
    activated_at = fields.DatetimeField(null=True)
    retired_at = fields.DatetimeField(null=True)
    rejection_reason: str | None = fields.TextField(null=True)
    rejected_by = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    rejected_at = fields.DatetimeField(null=True)
    created_by = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    if TYPE_CHECKING:
        proposed_by_id: int | None
        rejected_by_id: int | None
        created_by_id: int | None

    class Meta:
        table = "agreement"
        indexes = (
            Index(fields=("updated_at", "id"), name="agreement_updated_id"),
            Index(fields=("kind", "updated_at", "id"), name="agreement_kind_updated"),
        )


class AgreementRevision(Model):
    """A revision that came into force: its terms, hash and when it applied."""

    id = fields.IntField(primary_key=True)
    agreement = fields.ForeignKeyField("models.Agreement", related_name="revisions")
    number = fields.IntField()
    terms = fields.TextField()
    content_hash = fields.CharField(max_length=64)
    activated_at = fields.DatetimeField()
    superseded_at = fields.DatetimeField(null=True)

    if TYPE_CHECKING:
        agreement_id: int

    class Meta:
        table = "agreement_revision"
        unique_together = (("agreement_id", "number"),)


class AgreementSignOff(Model):
    """One manager's signature on one proposal, kept after it stops counting.

    ``live_key`` is ``"<agreement id>:<team>"`` while the sign-off counts toward the
    pending proposal and NULL once it is voided or consumed into a revision, so
    the database holds at most one live sign-off per team and agreement."""

    id = fields.IntField(primary_key=True)
    agreement = fields.ForeignKeyField("models.Agreement", related_name="sign_offs")
    revision = fields.ForeignKeyField(
        "models.AgreementRevision", related_name="sign_offs", null=True
    )
    action = fields.CharField(max_length=16)
    content_hash = fields.CharField(max_length=64)
    user = fields.ForeignKeyField("models.User", related_name=False)
    team = fields.CharField(max_length=16)
    role = fields.CharField(max_length=16)
    signed_at = fields.DatetimeField()
    role_granted_by = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    role_granted_at = fields.DatetimeField(null=True)
    live_key = fields.CharField(max_length=64, null=True, unique=True)
    voided_at = fields.DatetimeField(null=True)
    void_reason = fields.CharField(max_length=24, null=True)

    if TYPE_CHECKING:
        agreement_id: int
        revision_id: int | None
        user_id: int
        role_granted_by_id: int | None

    class Meta:
        table = "agreement_sign_off"
        indexes = (
            Index(fields=("agreement_id", "signed_at"), name="sign_off_agreement"),
            Index(fields=("user_id", "live_key"), name="sign_off_user_live"),
        )


class PersonaEvidence(Model):
    id = fields.IntField(primary_key=True)
    persona = fields.ForeignKeyField("models.Agreement", related_name="evidence")
    source = fields.CharField(max_length=24)
    note = fields.TextField()
    added_by = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    added_at = fields.DatetimeField()

    if TYPE_CHECKING:
        persona_id: int
        added_by_id: int | None

    class Meta:
        table = "persona_evidence"
        indexes = (Index(fields=("persona_id", "added_at"), name="evidence_persona"),)


class GoalMeasurement(Model):
    """A manual goal's measured value as of an instant (a level, not an increment)."""

    id = fields.IntField(primary_key=True)
    goal = fields.ForeignKeyField("models.Agreement", related_name="measurements")
    value = fields.DecimalField(max_digits=30, decimal_places=6)
    as_of = fields.DatetimeField()
    note = fields.TextField(default="")
    recorded_by = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    recorded_at = fields.DatetimeField()

    if TYPE_CHECKING:
        goal_id: int
        recorded_by_id: int | None

    class Meta:
        table = "goal_measurement"
        indexes = (
            Index(fields=("goal_id", "as_of", "id"), name="goal_measurement_latest"),
        )


class Lead(Model):
    """A person marketing brought in, with its score and place in the waterfall.

    ``email`` is stored normalised (unique). Score columns hold the last scoring
    under ``scored_under`` (a model revision); ``cycle_started_at`` and
    ``cycle_counts_after`` are the current qualification cycle (SPEC §2.2).
    """

    id = fields.BigIntField(primary_key=True)
    email = fields.CharField(max_length=320, unique=True)
    first_name = fields.CharField(max_length=200, null=True)
    last_name = fields.CharField(max_length=200, null=True)
    company = fields.CharField(max_length=200, null=True)
    company_size = fields.IntField(null=True)
    industry = fields.CharField(max_length=200, null=True)
    job_title = fields.CharField(max_length=200, null=True)
    seniority = fields.CharField(max_length=200, null=True)
    country = fields.CharField(max_length=100, null=True)
    source = fields.CharField(max_length=200, null=True)
    campaign = fields.CharField(max_length=200, null=True)
    is_customer = fields.BooleanField(default=False)
    products = fields.JSONField(default=list)
    do_not_contact = fields.BooleanField(default=False)
    persona = fields.ForeignKeyField(
        "models.Agreement", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    persona_by_hand = fields.BooleanField(default=False)
    stage = fields.CharField(max_length=16)
    stage_entered_at = fields.DatetimeField()
    score = fields.IntField(default=0)  # 0 until scored (scored_under NULL)
    fit_score = fields.DecimalField(max_digits=40, decimal_places=9, null=True)
    engagement_score = fields.DecimalField(max_digits=40, decimal_places=9, null=True)
    raw_score = fields.DecimalField(max_digits=40, decimal_places=9, null=True)
    grade = fields.CharField(max_length=1, null=True)
    score_breakdown = fields.JSONField(default=list)
    scored_under = fields.IntField(null=True)
    scored_at = fields.DatetimeField(null=True)
    qualified = fields.BooleanField(default=False)
    qualified_at = fields.DatetimeField(null=True)
    qualified_under = fields.IntField(null=True)
    qualified_by = fields.CharField(max_length=16, null=True)
    cycle_started_at = fields.DatetimeField()
    cycle_counts_after = fields.DatetimeField(null=True)
    owner = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    amount = fields.DecimalField(max_digits=20, decimal_places=2, null=True)
    recurring = fields.BooleanField(default=False)
    source_updated_at = fields.DatetimeField(null=True)
    rescore_job = fields.BigIntField(null=True)  # the last rescoring job done
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    if TYPE_CHECKING:
        persona_id: int | None
        owner_id: int | None

    class Meta:
        table = "lead"
        indexes = (
            Index(fields=("score", "id"), name="lead_score_id"),
            Index(fields=("created_at", "id"), name="lead_created_id"),
            Index(fields=("stage", "score", "id"), name="lead_stage_score_id"),
            Index(fields=("qualified", "score", "id"), name="lead_qualified_score"),
        )


class LeadExternalId(Model):
    """A lead's id in another system: one per system and lead, unique per system."""

    id = fields.BigIntField(primary_key=True)
    lead = fields.ForeignKeyField(
        "models.Lead", related_name="external_ids", on_delete=fields.CASCADE
    )
    system = fields.CharField(max_length=64)
    value = fields.CharField(max_length=200)

    if TYPE_CHECKING:
        lead_id: int

    class Meta:
        table = "lead_external_id"
        unique_together = (("system", "value"), ("lead_id", "system"))


class LeadActivity(Model):
    """One buying signal. ``dedupe_key`` (the external id, or a hash of the row
    when it has none, unique per lead) makes recording idempotent."""

    id = fields.BigIntField(primary_key=True)
    lead = fields.ForeignKeyField(
        "models.Lead", related_name="activities", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=24)
    occurred_at = fields.DatetimeField()
    dedupe_key = fields.CharField(max_length=220)
    external_id = fields.CharField(max_length=200, null=True)
    source = fields.CharField(max_length=100, null=True)
    metadata = fields.JSONField(null=True)
    recorded_at = fields.DatetimeField()

    if TYPE_CHECKING:
        lead_id: int

    class Meta:
        table = "lead_activity"
        unique_together = (("lead_id", "dedupe_key"),)
        indexes = (
            Index(fields=("lead_id", "occurred_at", "id"), name="lead_activity_lead"),
        )


class LeadEngagement(Model):
    """A lead's decayed activity sum for one kind in its current cycle
    (`server.domain.engagement.KindTally`)."""

    id = fields.BigIntField(primary_key=True)
    lead = fields.ForeignKeyField(
        "models.Lead", related_name="engagement", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=24)
    weight = fields.FloatField()
    as_of = fields.DatetimeField()
    half_life_days = fields.DecimalField(max_digits=30, decimal_places=9, null=True)
    count = fields.IntField()
    latest_at = fields.DatetimeField()

    if TYPE_CHECKING:
        lead_id: int

    class Meta:
        table = "lead_engagement"
        unique_together = (("lead_id", "kind"),)


class StageChange(Model):
    """One move through the waterfall (the first row of a lead records its
    creation, from no stage)."""

    id = fields.BigIntField(primary_key=True)
    lead = fields.ForeignKeyField(
        "models.Lead", related_name="stage_changes", on_delete=fields.CASCADE
    )
    from_stage = fields.CharField(max_length=16, null=True)
    to_stage = fields.CharField(max_length=16)
    at = fields.DatetimeField()
    actor = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    via = fields.CharField(max_length=24)
    reason: str | None = fields.TextField(null=True)

    if TYPE_CHECKING:
        lead_id: int
        actor_id: int | None

    class Meta:
        table = "stage_change"
        indexes = (Index(fields=("lead_id", "at", "id"), name="stage_change_lead"),)


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

    if TYPE_CHECKING:
        lead_id: int
        sla_id: int | None

    class Meta:
        table = "handoff_chain"
        indexes = (
            Index(fields=("lead_id", "started_at"), name="handoff_chain_lead"),
            Index(fields=("accept_due_at",), name="handoff_chain_accept_due"),
            Index(fields=("first_touch_due_at",), name="handoff_chain_touch_due"),
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
        )


class LeadFeedback(Model):
    """Sales' lead-quality feedback: one per user and lead, edited in place."""

    id = fields.BigIntField(primary_key=True)
    lead = fields.ForeignKeyField("models.Lead", related_name="feedback")
    user = fields.ForeignKeyField("models.User", related_name=False)
    rating = fields.SmallIntField()
    reasons: list[str] = fields.JSONField(default=list)
    comment: str | None = fields.TextField(null=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    version = fields.IntField(default=1)

    if TYPE_CHECKING:
        lead_id: int
        user_id: int

    class Meta:
        table = "lead_feedback"
        # also the index by lead (leading column)
        unique_together = (("lead", "user"),)


class RoutingCursor(Model):
    """Whom round-robin routing served last. Its row lock serialises routing."""

    name = fields.CharField(max_length=32, primary_key=True)
    last_user_id = fields.IntField(null=True)

    class Meta:
        table = "routing_cursor"


class Notification(Model):
    """An in-app notice for one user, made from an outbox event after commit.

    ``dedupe_key`` (event id, kind and recipient) makes the consumer idempotent."""

    id = fields.BigIntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name="notifications")
    kind = fields.CharField(max_length=40)
    subject_type = fields.CharField(max_length=32)
    subject_id = fields.BigIntField()
    title = fields.CharField(max_length=300)
    body: str = fields.TextField(default="")
    link = fields.CharField(max_length=500, default="")
    event_id = fields.BigIntField(null=True)
    dedupe_key = fields.CharField(max_length=120, unique=True)
    created_at = fields.DatetimeField()
    read_at = fields.DatetimeField(null=True)

    if TYPE_CHECKING:
        user_id: int

    class Meta:
        table = "notification"
        indexes = (
            Index(fields=("user_id", "created_at", "id"), name="notification_user"),
            Index(fields=("user_id", "read_at"), name="notification_unread"),
        )


class EmailDelivery(Model):
    """One e-mail to send, written with its notification and sent after commit by
    the mailer, which retries with backoff until it is accepted."""

    id = fields.BigIntField(primary_key=True)
    notification = fields.ForeignKeyField(
        "models.Notification", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    to_address = fields.CharField(max_length=320)
    subject = fields.CharField(max_length=300)
    body: str = fields.TextField()
    dedupe_key = fields.CharField(max_length=120, unique=True)
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)
    attempts = fields.IntField(default=0)
    retry_at = fields.DatetimeField(null=True)
    last_error: str | None = fields.TextField(null=True)

    if TYPE_CHECKING:
        notification_id: int | None

    class Meta:
        table = "email_delivery"
        indexes = (Index(fields=("sent_at", "retry_at", "id"), name="email_pending"),)


class RescoreJob(Model):
    """Rescoring every lead under a new model or persona revision, in chunks.

    ``after_lead_id`` is the last lead done: a crashed job resumes there."""

    id = fields.BigIntField(primary_key=True)
    reason = fields.CharField(max_length=24)
    model_revision = fields.IntField(null=True)
    requested_at = fields.DatetimeField()
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    after_lead_id = fields.BigIntField(default=0)
    total = fields.IntField(default=0)
    done = fields.IntField(default=0)
    promoted = fields.IntField(default=0)

    class Meta:
        table = "rescore_job"
        indexes = (Index(fields=("finished_at", "id"), name="rescore_job_open"),)


class StageCountDelta(Model):
    """+1/-1 per stage move, insert-only, folded into `StageCount` periodically,
    so the live funnel never makes a hot row of stage counters."""

    id = fields.BigIntField(primary_key=True)
    stage = fields.CharField(max_length=16)
    delta = fields.IntField()

    class Meta:
        table = "stage_count_delta"


class StageCount(Model):
    stage = fields.CharField(max_length=16, primary_key=True)
    count = fields.BigIntField(default=0)

    class Meta:
        table = "stage_count"
