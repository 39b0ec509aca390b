"""Reading the audit log (managers and admins); entries are never edited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from server.models.core import AuditEntry
from server.services.core import ids
from server.services.core.pagination import Ordering, Page, PageRequest, paginate

AUDIT_ORDERING = Ordering("AT:D", (("at", True),))


async def list_entries(filter: dict[str, Any], page: PageRequest) -> Page[AuditEntry]:
    query = AuditEntry.all()
    if filter.get("action"):
        query = query.filter(action__in=filter["action"])
    if filter.get("actorId"):
        query = query.filter(actor_id=ids.decode(filter["actorId"], "User", "actorId"))
    since: datetime | None = filter.get("since")
    if since is not None:
        query = query.filter(at__gte=since)
    return await paginate(query, AUDIT_ORDERING, page)


async def entries_by_ids(keys: list[int]) -> dict[int, AuditEntry]:
    return {row.id: row for row in await AuditEntry.filter(id__in=keys)}
