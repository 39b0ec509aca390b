"""Tables of sales' lead-quality feedback."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model


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
