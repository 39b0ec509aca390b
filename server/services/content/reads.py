"""The board's reads (SPEC §2.8): requests by filter and order as keyset
pages, counts per status, the asset library, turnaround, and the batched
lookups a page's fields need. Each read is one statement whatever the page
size; the lookups are one statement per batch of keys."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from tortoise.expressions import Q
from tortoise.functions import Count
from tortoise.queryset import QuerySet

from server.clock import clock
from server.domain.content.lifecycle import OPEN, ContentStatus
from server.domain.content.timing import (
    Delivered,
    Turnaround,
    date_sort,
    local_day,
    turnaround,
)
from server.models import (
    ContentAsset,
    ContentAssetRating,
    ContentComment,
    ContentHistory,
    ContentRequest,
    ContentVote,
)
from server.services.core import fetched
from server.services.core.pagination import Ordering, Page, PageRequest, paginate

REQUEST_ORDERS = {
    "DUE_DATE": Ordering("DUE_DATE", (("due_sort", False),)),
    "PRIORITY": Ordering("PRIORITY", (("priority_rank", True), ("due_sort", False))),
    "VOTES": Ordering("VOTES", (("votes", True), ("due_sort", False))),
    "CREATED": Ordering("CREATED", (("created_at", True),)),
}
ASSET_ORDERS = {
    "RATING": Ordering("RATING", (("rating_avg", True), ("rating_count", True))),
    "CREATED": Ordering("CREATED", (("created_at", True),)),
}
OPEN_VALUES = [s.value for s in OPEN]


@dataclass(frozen=True)
class RequestFilter:
    """Every condition given must hold; ``overdue`` is judged against the
    binding date (committed, else requested) on ``today``."""

    statuses: tuple[str, ...] = ()
    content_types: tuple[str, ...] = ()
    persona_ids: tuple[int, ...] = ()
    lead_stages: tuple[str, ...] = ()
    requester_ids: tuple[int, ...] = ()
    assignee_ids: tuple[int, ...] = ()
    overdue: bool | None = None
    text: str | None = None


@dataclass(frozen=True)
class AssetFilter:
    content_types: tuple[str, ...] = ()
    persona_ids: tuple[int, ...] = ()
    lead_stages: tuple[str, ...] = ()
    text: str | None = None


def today(timezone: str) -> date:
    """Today in this timezone, on the clock every service reads."""
    return local_day(clock.now(), timezone)


def _requests(f: RequestFilter, today: date) -> QuerySet[ContentRequest]:
    query = ContentRequest.all()
    for column, values in (
        ("status", f.statuses),
        ("content_type", f.content_types),
        ("persona_id", f.persona_ids),
        ("lead_stage", f.lead_stages),
        ("requester_id", f.requester_ids),
        ("assignee_id", f.assignee_ids),
    ):
        if values:
            query = query.filter(**{f"{column}__in": list(values)})
    late = Q(status__in=OPEN_VALUES, due_sort__lt=date_sort(today))
    if f.overdue is True:
        query = query.filter(late)
    elif f.overdue is False:
        query = query.filter(~late)
    if f.text:
        query = query.filter(
            Q(title__icontains=f.text) | Q(description__icontains=f.text)
        )
    return query


async def list_requests(
    f: RequestFilter, order: str, page: PageRequest, today: date
) -> Page[ContentRequest]:
    """A page of requests as plain records (one statement, no model objects)."""
    return await paginate(
        _requests(f, today), REQUEST_ORDERS[order], page, records=True
    )


async def count_requests(f: RequestFilter, today: date) -> dict[str, int]:
    """Requests per status (every status, zeros included): one statement."""
    rows = (
        await _requests(f, today)
        .annotate(n=Count("id"))
        .group_by("status")
        .values("status", "n")
    )
    found = {str(r["status"]): int(r["n"]) for r in rows}
    return {s.value: found.get(s.value, 0) for s in ContentStatus}


def _assets(f: AssetFilter) -> QuerySet[ContentAsset]:
    query = ContentAsset.all()
    if f.content_types:
        query = query.filter(content_type__in=list(f.content_types))
    for column, values in (
        ("persona_keys", f.persona_ids),
        ("lead_stage_keys", f.lead_stages),
    ):
        if values:
            any_of = Q(**{f"{column}__contains": f",{values[0]},"})
            for value in values[1:]:
                any_of |= Q(**{f"{column}__contains": f",{value},"})
            query = query.filter(any_of)
    if f.text:
        query = query.filter(title__icontains=f.text)
    return query


async def list_assets(
    f: AssetFilter, order: str, page: PageRequest
) -> Page[ContentAsset]:
    return await paginate(_assets(f), ASSET_ORDERS[order], page)


async def requests_by_ids(keys: Iterable[int]) -> dict[int, ContentRequest]:
    return {r.id: r for r in await ContentRequest.filter(id__in=list(keys))}


async def assets_by_ids(keys: Iterable[int]) -> dict[int, ContentAsset]:
    return {r.id: r for r in await ContentAsset.filter(id__in=list(keys))}


async def comments_of(keys: Iterable[int]) -> dict[int, list[ContentComment]]:
    rows = await ContentComment.filter(request_id__in=list(keys)).order_by("id")
    return fetched.group_by(rows, lambda r: r.request_id)


async def history_of(keys: Iterable[int]) -> dict[int, list[ContentHistory]]:
    rows = await ContentHistory.filter(request_id__in=list(keys)).order_by("id")
    return fetched.group_by(rows, lambda r: r.request_id)


async def voters_of(keys: Iterable[int]) -> dict[int, list[int]]:
    rows = await ContentVote.filter(request_id__in=list(keys)).order_by("id")
    grouped = fetched.group_by(rows, lambda r: r.request_id)
    return {k: [v.user_id for v in found] for k, found in grouped.items()}


async def voted_by(user_id: int, keys: Sequence[int]) -> set[int]:
    """Which of these requests the user voted for (one statement)."""
    rows = await ContentVote.filter(user_id=user_id, request_id__in=list(keys)).values(
        "request_id"
    )
    return {int(r["request_id"]) for r in rows}


async def asset_ratings_by(user_id: int, keys: Sequence[int]) -> dict[int, int]:
    rows = await ContentAssetRating.filter(
        user_id=user_id, asset_id__in=list(keys)
    ).values("asset_id", "rating")
    return {int(r["asset_id"]): int(r["rating"]) for r in rows}


async def turnaround_of(
    start: datetime, end: datetime, timezone: str
) -> tuple[Turnaround, list[Turnaround]]:
    """Turnaround over requests delivered in [start, end): one statement
    reading only the columns the figures need."""
    rows = await ContentRequest.filter(
        status=ContentStatus.DELIVERED.value,
        delivered_at__gte=start,
        delivered_at__lt=end,
    ).values(
        "content_type",
        "created_at",
        "delivered_at",
        "requested_due_date",
        "committed_due_date",
    )
    delivered = [
        Delivered(
            r["content_type"],
            r["created_at"],
            r["delivered_at"],
            r["requested_due_date"],
            r["committed_due_date"],
        )
        for r in rows
    ]
    return turnaround(delivered, timezone)
