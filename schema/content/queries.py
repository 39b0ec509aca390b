"""The board's reads: `contentRequests`, `contentRequestCounts`,
`contentAssets`, `turnaround`."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

import strawberry

from schema.content.types import (
    ContentAsset,
    ContentRequest,
    ContentStatus,
    ContentType,
    asset_type,
    request_types,
    today,
)
from schema.context import Info
from schema.core.periods import PeriodInput
from schema.core.permissions import require
from schema.core.relay import Connection, connection, page_request
from schema.leads.types import LeadStage
from server.domain.content.timing import Turnaround as DomainTurnaround
from server.domain.core.errors import InvalidArguments, UserErrors
from server.domain.core.periods import read_period
from server.services.content import reads
from server.services.core import ids
from server.services.core.pagination import Page, PageRequest

MAX_TEXT_FILTER = 200


@strawberry.enum
class ContentRequestOrder(Enum):
    DUE_DATE = "DUE_DATE"
    PRIORITY = "PRIORITY"
    VOTES = "VOTES"
    CREATED = "CREATED"


@strawberry.enum
class ContentAssetOrder(Enum):
    RATING = "RATING"
    CREATED = "CREATED"


@strawberry.input(description="Every condition given must hold.")
class ContentRequestFilter:
    statuses: list[ContentStatus] | None = None
    content_types: list[ContentType] | None = None
    persona_ids: list[strawberry.ID] | None = None
    lead_stages: list[LeadStage] | None = None
    requester_ids: list[strawberry.ID] | None = None
    assignee_ids: list[strawberry.ID] | None = None
    overdue: bool | None = strawberry.field(
        default=None,
        description="Open and past the binding date (committed, else requested).",
    )
    text: str | None = strawberry.field(
        default=None, description="Text in the title or description."
    )


@strawberry.input(description="Every condition given must hold.")
class ContentAssetFilter:
    content_types: list[ContentType] | None = None
    persona_ids: list[strawberry.ID] | None = None
    lead_stages: list[LeadStage] | None = None
    text: str | None = None


@strawberry.type
class ContentRequestCount:
    status: ContentStatus
    count: int


@strawberry.type(description="Delivery figures over requests delivered in a period.")
class Turnaround:
    content_type: ContentType | None = strawberry.field(
        description="Null: every type together."
    )
    delivered: int
    median_hours: float | None = strawberry.field(
        description="Median hours from request to delivery."
    )
    with_requested_date: int
    on_time_against_requested: int
    on_time_against_requested_share: float | None
    with_committed_date: int
    on_time_against_committed: int
    on_time_against_committed_share: float | None


@strawberry.type
class TurnaroundReport:
    overall: Turnaround
    by_content_type: list[Turnaround]


def _turnaround(t: DomainTurnaround) -> Turnaround:
    return Turnaround(
        content_type=ContentType(t.content_type) if t.content_type else None,
        delivered=t.delivered,
        median_hours=t.median_hours,
        with_requested_date=t.with_requested_date,
        on_time_against_requested=t.on_time_requested,
        on_time_against_requested_share=t.on_time_requested_share,
        with_committed_date=t.with_committed_date,
        on_time_against_committed=t.on_time_committed,
        on_time_against_committed_share=t.on_time_committed_share,
    )


def _keys(values: list[strawberry.ID] | None, kind: str) -> tuple[int, ...]:
    try:
        return tuple(ids.decode(v, kind) for v in values or ())
    except UserErrors:
        raise InvalidArguments(f"give {kind} IDs") from None


def _text(value: str | None) -> str | None:
    if value is not None and len(value) > MAX_TEXT_FILTER:
        raise InvalidArguments(f"search for at most {MAX_TEXT_FILTER} characters")
    return value.strip() or None if value is not None else None


async def requests_page(
    filter: ContentRequestFilter | None,
    order_by: ContentRequestOrder,
    request: PageRequest,
    today: date,
) -> Page[Any]:
    """The `contentRequests` connection's rows (also `schema.content.compiled`)."""
    return await reads.list_requests(
        request_filter(filter), order_by.value, request, today
    )


async def request_counts(
    filter: ContentRequestFilter | None, today: date
) -> list[ContentRequestCount]:
    """`contentRequestCounts` (also `schema.content.compiled`)."""
    counts = await reads.count_requests(request_filter(filter), today)
    return [
        ContentRequestCount(status=ContentStatus(s), count=n) for s, n in counts.items()
    ]


def request_filter(f: ContentRequestFilter | None) -> reads.RequestFilter:
    f = f or ContentRequestFilter()
    return reads.RequestFilter(
        statuses=tuple(s.value for s in f.statuses or ()),
        content_types=tuple(t.value for t in f.content_types or ()),
        persona_ids=_keys(f.persona_ids, "Persona"),
        lead_stages=tuple(s.value for s in f.lead_stages or ()),
        requester_ids=_keys(f.requester_ids, "User"),
        assignee_ids=_keys(f.assignee_ids, "User"),
        overdue=f.overdue,
        text=_text(f.text),
    )


@strawberry.type
class ContentQueries:
    @strawberry.field(description="Content requests, as a board's column or a list.")
    async def content_requests(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ContentRequestFilter | None = None,
        order_by: ContentRequestOrder = ContentRequestOrder.DUE_DATE,
    ) -> Connection[ContentRequest]:
        require(info, "contentRequests")
        page = await requests_page(
            filter, order_by, page_request(first, after, last, before), today(info)
        )
        cards = await request_types(info, page.rows)
        return connection(page, lambda row: cards[row.id])

    @strawberry.field(description="Requests per status (every status, zeros too).")
    async def content_request_counts(
        self, info: Info, filter: ContentRequestFilter | None = None
    ) -> list[ContentRequestCount]:
        require(info, "contentRequestCounts")
        return await request_counts(filter, today(info))

    @strawberry.field(description="The content library.")
    async def content_assets(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ContentAssetFilter | None = None,
        order_by: ContentAssetOrder = ContentAssetOrder.RATING,
    ) -> Connection[ContentAsset]:
        require(info, "contentAssets")
        f = filter or ContentAssetFilter()
        page = await reads.list_assets(
            reads.AssetFilter(
                content_types=tuple(t.value for t in f.content_types or ()),
                persona_ids=_keys(f.persona_ids, "Persona"),
                lead_stages=tuple(s.value for s in f.lead_stages or ()),
                text=_text(f.text),
            ),
            order_by.value,
            page_request(first, after, last, before),
        )
        return connection(page, asset_type)

    @strawberry.field(
        description="Median request-to-delivery hours and on-time shares against "
        "the requested and the committed date, over requests delivered in the "
        "period, overall and per content type."
    )
    async def turnaround(self, info: Info, period: PeriodInput) -> TurnaroundReport:
        require(info, "turnaround")
        zone = info.context.settings.reporting_timezone
        read = read_period(period.from_, period.to, ZoneInfo(zone))
        overall, per_type = await reads.turnaround_of(read.opens, read.closes, zone)
        return TurnaroundReport(
            overall=_turnaround(overall),
            by_content_type=[_turnaround(t) for t in per_type],
        )
