"""Tables of agreements: revisions, sign-offs, persona evidence, goal measurements."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


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
