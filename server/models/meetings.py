"""Tables of the feedback and optimisation meetings (SPEC §2.7): the meetings
and their action items."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class Meeting(Model):
    """A lead or content review. ``attendees`` lists user ids, ``agenda`` holds
    the agenda pre-filled at scheduling (the live one is read again until the
    meeting is completed) and ``snapshot`` the canonical JSON text frozen by
    `completeMeeting`, never rewritten. (No semicolons here: the first line
    becomes an SQL comment in SQLite's CREATE TABLE.)"""

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=16)
    title = fields.CharField(max_length=200)
    scheduled_for = fields.DatetimeField()
    period_from = fields.DatetimeField()
    period_to = fields.DatetimeField()
    timezone = fields.CharField(max_length=64)
    attendees: list[int] = fields.JSONField(default=list)
    topics: list[str] = fields.JSONField(default=list)
    agenda: list[dict[str, object]] = fields.JSONField(default=list)
    notes: str = fields.TextField(default="")
    decisions: list[str] = fields.JSONField(default=list)
    status = fields.CharField(max_length=16)
    snapshot: str | None = fields.TextField(null=True)
    completed_at = fields.DatetimeField(null=True)
    completed_by = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_by = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    version = fields.IntField(default=1)

    if TYPE_CHECKING:
        completed_by_id: int | None
        created_by_id: int | None

    class Meta:
        table = "meeting"
        indexes = (
            Index(fields=("scheduled_for", "id"), name="meeting_scheduled"),
            Index(fields=("kind", "status", "completed_at"), name="meeting_completed"),
        )


class ActionItem(Model):
    """An owned action from a meeting. ``due_sort`` is the due date as YYYYMMDD
    (99991231 when undated) for keyset pages; ``overdue_notified_at`` is set in
    the transaction that emits its one overdue reminder."""

    id = fields.BigIntField(primary_key=True)
    meeting = fields.ForeignKeyField("models.Meeting", related_name=False)
    description: str = fields.TextField()
    owner = fields.ForeignKeyField("models.User", related_name=False)
    due_date: date | None = fields.DateField(null=True)
    due_sort = fields.IntField(default=99991231)
    status = fields.CharField(max_length=8)
    done_at = fields.DatetimeField(null=True)
    overdue_notified_at = fields.DatetimeField(null=True)
    created_by = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    version = fields.IntField(default=1)

    if TYPE_CHECKING:
        meeting_id: int
        owner_id: int
        created_by_id: int | None

    class Meta:
        table = "meeting_action_item"
        indexes = (
            Index(fields=("meeting_id", "id"), name="action_item_meeting"),
            Index(fields=("owner_id", "due_sort", "id"), name="action_item_owner"),
            Index(fields=("status", "due_date"), name="action_item_due"),
        )
