"""Tables of in-app notifications."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


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


class Webhook(Model):
    """An admin's HTTP endpoint hearing chosen event kinds.

    Secrets are sealed (`server.domain.events.webhooks.SecretBox`); after a
    rotation the previous one also signs until ``previous_secret_until``."""

    id = fields.BigIntField(primary_key=True)
    url = fields.CharField(max_length=2000)
    events = fields.JSONField(default=list)
    active = fields.BooleanField(default=True)
    secret_sealed = fields.TextField()
    previous_secret_sealed = fields.TextField(null=True)
    previous_secret_until = fields.DatetimeField(null=True)
    secret_rotated_at = fields.DatetimeField(null=True)
    created_by = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    if TYPE_CHECKING:
        created_by_id: int | None

    class Meta:
        table = "webhook"


class WebhookDelivery(Model):
    """One event for one webhook: POSTed until a 2xx answer or the give-up.

    ``dedupe_key`` (webhook and event, or a redelivery's own key) keeps the
    outbox consumer idempotent; ``next_attempt_at`` is both the retry instant
    and the lease of a worker sending it (a worker that dies mid-send leaves
    the delivery to be sent again when the lease ends)."""

    id = fields.BigIntField(primary_key=True)
    webhook = fields.ForeignKeyField(
        "models.Webhook", related_name="deliveries", on_delete=fields.CASCADE
    )
    event_id = fields.BigIntField()
    kind = fields.CharField(max_length=40)
    subject_type = fields.CharField(max_length=32)
    subject_id = fields.BigIntField()
    sequence = fields.IntField()
    actor_id = fields.BigIntField(null=True)
    occurred_at = fields.DatetimeField()
    payload = fields.JSONField(default=dict)
    dedupe_key = fields.CharField(max_length=80, unique=True)
    redelivery_of_id = fields.BigIntField(null=True)
    status = fields.CharField(max_length=16, default="PENDING")
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(null=True)
    last_attempt_at = fields.DatetimeField(null=True)
    response_code = fields.IntField(null=True)
    response_body = fields.TextField(default="")
    error = fields.TextField(default="")
    duration_ms = fields.IntField(null=True)
    delivered_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    if TYPE_CHECKING:
        webhook_id: int

    class Meta:
        table = "webhook_delivery"
        indexes = (
            Index(fields=("status", "next_attempt_at"), name="webhook_delivery_due"),
            Index(fields=("webhook_id", "id"), name="webhook_delivery_log"),
            Index(fields=("created_at",), name="webhook_delivery_created"),
        )
