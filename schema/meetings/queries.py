"""`meetings`, `myActionItems` and `leadFeedbackSummary`: translate the
arguments, call one read, map the rows."""

from __future__ import annotations

from enum import Enum

import strawberry

from schema.context import Info
from schema.core.permissions import require
from schema.core.relay import Connection, connection, page_request
from schema.meetings.types import (
    ActionItem,
    ActionItemStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    item_type,
    meeting_type,
)
from server.services.meetings import reads


@strawberry.enum
class MeetingOrder(Enum):
    SCHEDULED_FOR_ASC = "SCHEDULED_FOR_ASC"
    SCHEDULED_FOR_DESC = "SCHEDULED_FOR_DESC"


@strawberry.input
class MeetingFilter:
    kinds: list[MeetingKind] | None = None
    statuses: list[MeetingStatus] | None = None


@strawberry.input
class ActionItemFilter:
    statuses: list[ActionItemStatus] | None = None
    overdue: bool | None = strawberry.field(
        default=None, description="Open and past due in your timezone (or not)."
    )


@strawberry.type
class MeetingQueries:
    @strawberry.field(
        description="Meetings; upcoming ones are SCHEDULED (soonest first with "
        "SCHEDULED_FOR_ASC), past ones COMPLETED."
    )
    async def meetings(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: MeetingFilter | None = None,
        order_by: MeetingOrder = MeetingOrder.SCHEDULED_FOR_ASC,
    ) -> Connection[Meeting]:
        require(info, "meetings")
        f = filter or MeetingFilter()
        page = await reads.list_meetings(
            reads.MeetingFilter(
                kinds=tuple(k.value for k in f.kinds or ()),
                statuses=tuple(s.value for s in f.statuses or ()),
            ),
            order_by.value,
            page_request(first, after, last, before),
        )
        return connection(page, meeting_type)

    @strawberry.field(
        description="Your action items by due date (undated last); overdue ones "
        "are open and past due in your timezone."
    )
    async def my_action_items(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ActionItemFilter | None = None,
    ) -> Connection[ActionItem]:
        actor = require(info, "myActionItems")
        f = filter or ActionItemFilter()
        viewer = await info.context.loader("user").load(actor.user_id)
        today = reads.today_of(viewer.timezone if viewer else None)
        page = await reads.list_items(
            reads.ItemFilter(
                owner_id=actor.user_id,
                statuses=tuple(s.value for s in f.statuses or ()),
                overdue=f.overdue,
            ),
            today,
            page_request(first, after, last, before),
        )
        return connection(page, item_type)
