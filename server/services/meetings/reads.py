"""The meetings' reads: meetings and action items by filter as keyset pages,
the batched lookups a page's fields need, the live agenda, and the last
completed lead review (for the dashboard's `reviewOverdue`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from tortoise.expressions import Q
from tortoise.functions import Max

from server.clock import clock
from server.domain.content.timing import date_sort
from server.domain.core.instants import as_utc
from server.domain.meetings.action_items import owner_today
from server.domain.meetings.lifecycle import (
    ActionItemStatus,
    MeetingKind,
    MeetingStatus,
)
from server.models import ActionItem, Meeting
from server.services.core import fetched
from server.services.core.pagination import Ordering, Page, PageRequest, paginate
from server.services.meetings import agenda as agendas
from server.services.meetings.scheduling import review_of

MEETING_ORDERS = {
    "SCHEDULED_FOR_ASC": Ordering("SCHEDULED_FOR_ASC", (("scheduled_for", False),)),
    "SCHEDULED_FOR_DESC": Ordering("SCHEDULED_FOR_DESC", (("scheduled_for", True),)),
}
ITEM_ORDERS = {"DUE_DATE": Ordering("DUE_DATE", (("due_sort", False),))}


@dataclass(frozen=True)
class MeetingFilter:
    kinds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    attendee_id: int | None = None


async def list_meetings(
    f: MeetingFilter, order: str, page: PageRequest
) -> Page[Meeting]:
    query = Meeting.all()
    if f.kinds:
        query = query.filter(kind__in=list(f.kinds))
    if f.statuses:
        query = query.filter(status__in=list(f.statuses))
    return await paginate(query, MEETING_ORDERS[order], page)


async def meetings_by_ids(keys: Iterable[int]) -> dict[int, Meeting]:
    return {m.id: m for m in await Meeting.filter(id__in=list(keys))}


async def items_of_meetings(keys: Iterable[int]) -> dict[int, list[ActionItem]]:
    rows = await ActionItem.filter(meeting_id__in=list(keys)).order_by("id")
    return fetched.group_by(rows, lambda r: r.meeting_id)


async def items_by_ids(keys: Iterable[int]) -> dict[int, ActionItem]:
    return {i.id: i for i in await ActionItem.filter(id__in=list(keys))}


@dataclass(frozen=True)
class ItemFilter:
    owner_id: int
    statuses: tuple[str, ...] = ()
    overdue: bool | None = None


async def list_items(f: ItemFilter, today: date, page: PageRequest) -> Page[ActionItem]:
    """An owner's action items by due date (undated last); ``overdue`` is
    judged on ``today`` (the owner's)."""
    query = ActionItem.filter(owner_id=f.owner_id)
    if f.statuses:
        query = query.filter(status__in=list(f.statuses))
    late = Q(status=ActionItemStatus.OPEN.value, due_sort__lt=date_sort(today))
    if f.overdue is True:
        query = query.filter(late)
    elif f.overdue is False:
        query = query.filter(~late)
    return await paginate(query, ITEM_ORDERS["DUE_DATE"], page)


def today_of(timezone: str | None) -> date:
    """Today in this person's timezone, on the clock every service reads."""
    return owner_today(clock.now(), timezone)


async def live_agenda(meeting: Meeting) -> list[agendas.AgendaItem]:
    """The agenda as the data stands now (a completed meeting's is frozen)."""
    if meeting.status == MeetingStatus.COMPLETED:
        return list(meeting.agenda)  # type: ignore[arg-type]
    return await agendas.agenda(review_of(meeting, clock.now()))


async def last_lead_review() -> datetime | None:
    """When the last LEAD_REVIEW was completed (one statement)."""
    rows = (
        await Meeting.filter(
            kind=MeetingKind.LEAD_REVIEW.value, status=MeetingStatus.COMPLETED.value
        )
        .annotate(last=Max("completed_at"))
        .values("last")
    )
    last = rows[0]["last"] if rows else None
    return as_utc(last) if isinstance(last, datetime) else _parsed(last)


def _parsed(raw: object) -> datetime | None:
    return as_utc(datetime.fromisoformat(str(raw))) if raw else None
