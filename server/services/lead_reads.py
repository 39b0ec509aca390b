"""Reading leads: by id or email, the `leads` connection, and the lead page's
relations, each batched so a page costs the same SQL whatever its size."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from server.domain.lead_input import normalize_email
from server.models import Lead, LeadActivity, LeadExternalId, StageChange
from server.services.pagination import Ordering, Page, PageRequest, paginate

ORDER_FIELDS = {"SCORE": "score", "CREATED_AT": "created_at"}


@dataclass(frozen=True)
class LeadFilter:
    stages: tuple[str, ...] = ()
    qualified: bool | None = None


async def leads_by_ids(keys: Iterable[int]) -> dict[int, Lead]:
    return {row.id: row for row in await Lead.filter(id__in=list(keys))}


async def lead_by_email(email: str) -> Lead | None:
    try:
        normalised = normalize_email(email)
    except ValueError:
        return None
    return await Lead.get_or_none(email=normalised)


async def list_leads(
    filter: LeadFilter, order: str, descending: bool, page: PageRequest
) -> Page[Lead]:
    query = Lead.all()
    if filter.stages:
        query = query.filter(stage__in=list(filter.stages))
    if filter.qualified is not None:
        query = query.filter(qualified=filter.qualified)
    return await paginate(query, _ordering(order, descending), page)


def _ordering(order: str, descending: bool) -> Ordering:
    """Ties in score keep creation order; leads created in one call share their
    creation instant, so newest first goes by id within it too."""
    keys: tuple[tuple[str, bool], ...] = ((ORDER_FIELDS[order], descending),)
    if order == "CREATED_AT":
        keys += (("id", descending),)
    return Ordering(f"{order}:{'D' if descending else 'A'}", keys)


async def activities_page(lead_id: int, page: PageRequest) -> Page[LeadActivity]:
    """A lead's activities, latest first."""
    ordering = Ordering("OCCURRED:D", (("occurred_at", True),))
    return await paginate(LeadActivity.filter(lead_id=lead_id), ordering, page)


async def external_ids(keys: list[int]) -> dict[int, list[LeadExternalId]]:
    rows = await LeadExternalId.filter(lead_id__in=keys).order_by("system")
    return _group(rows, lambda r: r.lead_id)


async def stage_history(keys: list[int]) -> dict[int, list[StageChange]]:
    rows = await StageChange.filter(lead_id__in=keys).order_by("at", "id")
    return _group(rows, lambda r: r.lead_id)


def _group(rows: Iterable[Any], key: Any) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = {}
    for row in rows:
        found.setdefault(key(row), []).append(row)
    return found
