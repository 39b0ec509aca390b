"""Tables of leads: the record, external ids, activities, engagement, stage history,
rescoring jobs and the live funnel counts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


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
    # Brought in by a historical import (`upsertLeads` with ``backfill``).
    imported = fields.BooleanField(default=False, db_default=False)

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
    (`server.domain.leads.engagement.KindTally`)."""

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
    creation, from no stage). Moves of a historical import have ``via``
    ``IMPORTED``."""

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
    # The lead's persona at the move and, on a qualification's move to MQL, its
    # `qualifiedBy`: the metrics count qualifications by both (SPEC §2.6).
    persona_id = fields.IntField(null=True)
    qualified_by = fields.CharField(max_length=16, null=True)
    # What the moves after this one say, kept by
    # `lead_store.settle_stage_history` whenever a history gains a move: the
    # instant of the lead's next move (NULL while this is its last), and
    # whether a later move took the lead to the spine's next stage. The funnel
    # at an instant and conversion read them instead of the histories.
    left_at = fields.DatetimeField(null=True)
    advanced = fields.BooleanField(default=False, db_default=False)

    if TYPE_CHECKING:
        lead_id: int
        actor_id: int | None

    class Meta:
        table = "stage_change"
        indexes = (
            # Each lead's history in order, with its stages; and the moves into
            # a stage in a period with what the dashboard counts them by: both
            # read from the index alone (migrations 0018, 0020). Partial
            # indexes of the moves standing and those left (migration 0020)
            # serve the funnel at an instant.
            Index(
                fields=("lead_id", "at", "id", "to_stage"), name="stage_change_history"
            ),
            Index(
                fields=(
                    "to_stage",
                    "at",
                    "lead_id",
                    "via",
                    "qualified_by",
                    "persona_id",
                    "advanced",
                ),
                name="stage_change_entries",
            ),
        )


class LeadAlias(Model):
    """A key that leads to a lead other than its own columns (SPEC §2.3, §2.9).

    Kinds: ``ID`` (a merged duplicate's id), ``EMAIL`` and ``EXTERNAL_ID`` (its
    address and the external ids the survivor could not take over), which
    resolve to the survivor; ``ERASED_EMAIL`` (the keyed hash of an erased
    person's address, under the erased record) flags a later re-import."""

    id = fields.BigIntField(primary_key=True)
    lead = fields.ForeignKeyField(
        "models.Lead", related_name="aliases", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=16)
    system = fields.CharField(max_length=64, default="")
    value = fields.CharField(max_length=320)
    created_at = fields.DatetimeField()

    if TYPE_CHECKING:
        lead_id: int

    class Meta:
        table = "lead_alias"
        unique_together = (("kind", "system", "value"),)
        indexes = (Index(fields=("lead_id",), name="lead_alias_lead"),)


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
