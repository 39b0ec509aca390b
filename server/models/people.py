"""Tables of people: users, sessions, API tokens, set-password links."""

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


class SavedFilter(Model):
    """A user's named filter for one list screen of the web client (SPEC §2.3)."""

    id = fields.BigIntField(primary_key=True)
    user = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.CASCADE
    )
    screen = fields.CharField(max_length=40)
    name = fields.CharField(max_length=80)
    criteria = fields.JSONField(default=dict)  # the `filter` of the API
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    if TYPE_CHECKING:
        user_id: int

    class Meta:
        table = "saved_filter"
        table_description = "A user's named filters per list screen of the web client."
        unique_together = (("user", "screen", "name"),)
