"""Tables of the mutation path: the audit log, the outbox, idempotency, e-mail."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


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
