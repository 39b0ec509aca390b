"""Tables of content requests (SPEC §2.8): the requests, their comments, votes
and history, and the asset library with its ratings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class ContentAsset(Model):
    """A piece of the content library. ``persona_keys`` and ``lead_stage_keys``
    hold the lists as delimited text (",12,15,") so one portable LIKE filters
    them; ``rating_sum``/``rating_count`` follow the ratings for ordering."""

    id = fields.BigIntField(primary_key=True)
    title = fields.CharField(max_length=200)
    url = fields.CharField(max_length=2000)
    content_type = fields.CharField(max_length=20)
    persona_keys = fields.CharField(max_length=1000, default=",")
    lead_stage_keys = fields.CharField(max_length=200, default=",")
    created_by = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField()
    rating_sum = fields.IntField(default=0)
    rating_count = fields.IntField(default=0)
    rating_avg = fields.FloatField(default=0)

    if TYPE_CHECKING:
        created_by_id: int | None

    class Meta:
        table = "content_asset"
        indexes = (
            Index(fields=("created_at", "id"), name="content_asset_created"),
            Index(fields=("rating_avg", "id"), name="content_asset_by_rating"),
        )


class ContentRequest(Model):
    """A request for content. ``due_sort`` is the binding date (committed, else
    requested) as YYYYMMDD, 99991231 when undated; ``priority_rank`` orders
    priorities; ``votes`` and ``comments`` count their rows."""

    id = fields.BigIntField(primary_key=True)
    title = fields.CharField(max_length=200)
    description: str = fields.TextField(default="")
    content_type = fields.CharField(max_length=20)
    persona = fields.ForeignKeyField(
        "models.Agreement", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    lead_stage = fields.CharField(max_length=16, null=True)
    priority = fields.CharField(max_length=8)
    priority_rank = fields.SmallIntField()
    requested_due_date = fields.DateField(null=True)
    committed_due_date = fields.DateField(null=True)
    due_sort = fields.IntField()
    requester = fields.ForeignKeyField("models.User", related_name=False)
    assignee = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    status = fields.CharField(max_length=16)
    votes = fields.IntField(default=0)
    comments = fields.IntField(default=0)
    deliverable = fields.ForeignKeyField(
        "models.ContentAsset", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    rating = fields.SmallIntField(null=True)
    rated_by = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    decline_reason: str | None = fields.TextField(null=True)
    delivered_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    version = fields.IntField(default=1)

    if TYPE_CHECKING:
        persona_id: int | None
        requester_id: int
        assignee_id: int | None
        deliverable_id: int | None
        rated_by_id: int | None

    class Meta:
        table = "content_request"
        indexes = (
            Index(fields=("status", "due_sort", "id"), name="content_status_due"),
            Index(fields=("status", "created_at", "id"), name="content_status_new"),
            Index(fields=("status", "priority_rank", "id"), name="content_status_pri"),
            Index(fields=("status", "votes", "id"), name="content_status_votes"),
            Index(fields=("delivered_at",), name="content_delivered"),
            Index(fields=("requester_id", "status"), name="content_requester"),
            Index(fields=("assignee_id", "status"), name="content_assignee"),
        )


class ContentComment(Model):
    id = fields.BigIntField(primary_key=True)
    request = fields.ForeignKeyField("models.ContentRequest", related_name=False)
    author = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    body: str = fields.TextField()
    created_at = fields.DatetimeField()

    if TYPE_CHECKING:
        request_id: int
        author_id: int | None

    class Meta:
        table = "content_comment"
        indexes = (Index(fields=("request_id", "id"), name="content_comment_request"),)


class ContentVote(Model):
    """One vote per user and request: the unique pair makes a double vote one."""

    id = fields.BigIntField(primary_key=True)
    request = fields.ForeignKeyField("models.ContentRequest", related_name=False)
    user = fields.ForeignKeyField("models.User", related_name=False)
    created_at = fields.DatetimeField()

    if TYPE_CHECKING:
        request_id: int
        user_id: int

    class Meta:
        table = "content_vote"
        unique_together = (("request", "user"),)


class ContentHistory(Model):
    """Every change of a request: who, when, the action, from and to, a comment."""

    id = fields.BigIntField(primary_key=True)
    request = fields.ForeignKeyField("models.ContentRequest", related_name=False)
    actor = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    action = fields.CharField(max_length=24)
    from_status = fields.CharField(max_length=16, null=True)
    to_status = fields.CharField(max_length=16)
    comment: str | None = fields.TextField(null=True)
    at = fields.DatetimeField()

    if TYPE_CHECKING:
        request_id: int
        actor_id: int | None

    class Meta:
        table = "content_history"
        indexes = (Index(fields=("request_id", "id"), name="content_history_request"),)


class ContentAssetRating(Model):
    """One rating of an asset per user, edited in place."""

    id = fields.BigIntField(primary_key=True)
    asset = fields.ForeignKeyField("models.ContentAsset", related_name=False)
    user = fields.ForeignKeyField("models.User", related_name=False)
    rating = fields.SmallIntField()
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    if TYPE_CHECKING:
        asset_id: int
        user_id: int

    class Meta:
        table = "content_asset_rating"
        unique_together = (("asset", "user"),)
