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
