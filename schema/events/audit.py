"""The audit log: every change and refusal, for managers and admins."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.scalars import JSON

from schema.context import Context, Info
from schema.core.permissions import require
from schema.core.relay import (
    Connection,
    Node,
    NodeType,
    connection,
    page_request,
)
from schema.people.users import User, user_by_key
from server.services.core import ids
from server.services.events import audit

if TYPE_CHECKING:
    from server import models


@strawberry.type
class AuditEntry(Node):
    id: strawberry.ID
    credential: str
    action: str
    outcome: str
    entity_type: str
    entity_id: str | None
    changes: JSON
    request_id: str
    at: datetime
    _actor: strawberry.Private[int | None]

    @strawberry.field
    async def actor(self, info: Info) -> User | None:
        return await user_by_key(info, self._actor)


CREDENTIAL_TYPES = {"session": "Session", "token": "ApiToken"}


def _credential_label(stored: str) -> str:
    """ "session:12" becomes "session:<global ID>"; "cli" and "" stay as they are."""
    kind, _, key = stored.partition(":")
    if kind in CREDENTIAL_TYPES and key.isdigit():
        return f"{kind}:{ids.encode(CREDENTIAL_TYPES[kind], int(key))}"
    return stored


def audit_type(row: models.AuditEntry) -> AuditEntry:
    entity_id = None
    if row.entity_id is not None:
        known = row.entity_type in ids.TYPE_CODES
        entity_id = (
            ids.encode(row.entity_type, row.entity_id) if known else str(row.entity_id)
        )
    return AuditEntry(
        id=strawberry.ID(ids.encode("AuditEntry", row.id)),
        credential=_credential_label(row.credential),
        action=row.action,
        outcome=row.outcome,
        entity_type=row.entity_type,
        entity_id=entity_id,
        changes=row.changes,
        request_id=row.request_id,
        at=row.at,
        _actor=row.actor_id,
    )


@strawberry.input
class AuditEntryFilter:
    action: list[str] | None = None
    actor_id: strawberry.ID | None = None
    since: datetime | None = None


@strawberry.type
class AuditQueries:
    @strawberry.field(
        description="Managers and admins: every change and refusal, newest first."
    )
    async def audit_entries(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: AuditEntryFilter | None = None,
    ) -> Connection[AuditEntry]:
        require(info, "auditEntries")
        f = filter or AuditEntryFilter()
        page = await audit.list_entries(
            {"action": f.action, "actorId": f.actor_id, "since": f.since},
            page_request(first, after, last, before),
        )
        return connection(page, audit_type)


async def _fetch_audit(context: Context, keys: list[int]) -> dict[int, Any]:
    actor = context.actor
    if actor is None or not (actor.is_admin or actor.is_manager):
        return {}
    return {k: audit_type(v) for k, v in (await audit.entries_by_ids(keys)).items()}


NODE_TYPES = {"AuditEntry": NodeType(_fetch_audit)}
