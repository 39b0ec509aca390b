"""The meeting types (SPEC §2.7): `Meeting`, `ActionItem`, the agenda, and
`node` for each."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeAlias, cast

import orjson
import strawberry
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON

from schema.context import Context, Info
from schema.core.relay import Node, NodeType
from schema.metrics.types import ReportPeriod
from schema.people.users import User, user_by_key, user_type
from server.domain.meetings import lifecycle
from server.domain.meetings.action_items import is_overdue
from server.services.core import ids
from server.services.meetings import reads
from server.services.meetings.agenda import AgendaItem as AgendaRow

if TYPE_CHECKING:
    from server import models

strawberry.enum(lifecycle.MeetingKind, name="MeetingKind")
strawberry.enum(lifecycle.MeetingStatus, name="MeetingStatus")
strawberry.enum(lifecycle.ActionItemStatus, name="ActionItemStatus")
MeetingKind: TypeAlias = lifecycle.MeetingKind
MeetingStatus: TypeAlias = lifecycle.MeetingStatus
ActionItemStatus: TypeAlias = lifecycle.ActionItemStatus


def batch(
    context: Context,
    name: str,
    fetch: Callable[[list[int]], Awaitable[dict[int, Any]]],
    empty: Any,
) -> DataLoader[int, Any]:
    """A per-request loader of this module's rows."""
    found = context.loaders.get(name)
    if found is None:

        async def load(keys: list[int]) -> list[Any]:
            rows = await fetch(keys)
            return [rows.get(k, empty) for k in keys]

        found = context.loaders[name] = DataLoader(load_fn=load)
    return found


@strawberry.type(description="A figure on the agenda, with the list behind it.")
class AgendaFigure:
    label: str
    value: str = strawberry.field(description="As shown, e.g. '12 of 15 (80 %)'.")
    count: int | None
    ratio: float | None
    leads: JSON | None = strawberry.field(
        description="The `leads` filter listing the figure's records."
    )
    handoffs: JSON | None = strawberry.field(
        description="The `handoffs` filter listing the figure's records."
    )
    content_requests: JSON | None = strawberry.field(
        description="The `contentRequests` filter listing the figure's records."
    )


@strawberry.type(description="A record an agenda item points at.")
class AgendaRecord:
    id: strawberry.ID = strawberry.field(description="Its global ID (`node`).")
    type: str
    label: str
    detail: str


@strawberry.type(description="One point of a meeting's agenda.")
class AgendaItem:
    topic: str = strawberry.field(
        description="SLA_COMPLIANCE, REJECTION_REASONS, FEEDBACK_BY_PERSONA, "
        "REJECTED_SAMPLE, OPEN_REQUESTS, OVERDUE_REQUESTS, MOST_VOTED_REQUESTS, "
        "TURNAROUND, LOWEST_RATED_ASSETS or DISCUSSION (an attendee's topic)."
    )
    title: str
    summary: str
    figures: list[AgendaFigure]
    records: list[AgendaRecord]


def agenda_type(row: AgendaRow) -> AgendaItem:
    return AgendaItem(
        topic=row["topic"],
        title=row["title"],
        summary=row["summary"],
        figures=[
            AgendaFigure(
                label=f["label"],
                value=f["value"],
                count=f.get("count"),
                ratio=f.get("ratio"),
                leads=cast(JSON, f.get("leads")),
                handoffs=cast(JSON, f.get("handoffs")),
                content_requests=cast(JSON, f.get("contentRequests")),
            )
            for f in row["figures"]
        ],
        records=[
            AgendaRecord(
                id=strawberry.ID(r["id"]),
                type=r["type"],
                label=r["label"],
                detail=r["detail"],
            )
            for r in row["records"]
        ],
    )


@strawberry.type(description="An owned action from a meeting.")
class ActionItem(Node):
    id: strawberry.ID
    description: str
    due_date: date | None
    status: ActionItemStatus
    done_at: datetime | None
    reminded_at: datetime | None = strawberry.field(
        description="When its owner was reminded that it is overdue (once)."
    )
    created_at: datetime
    updated_at: datetime
    version: int
    _key: strawberry.Private[int]
    _owner: strawberry.Private[int]
    _meeting: strawberry.Private[int]

    @strawberry.field
    async def owner(self, info: Info) -> User | None:
        return await user_by_key(info, self._owner)

    @strawberry.field(description="Open and past its due date in its owner's timezone.")
    async def overdue(self, info: Info) -> bool:
        owner = await info.context.loader("user").load(self._owner)
        zone = owner.timezone if owner is not None else None
        today = reads.today_of(zone)
        return is_overdue(self.status.value, self.due_date, today)

    @strawberry.field
    async def meeting(self, info: Info) -> Meeting | None:
        loader = batch(info.context, "meeting", reads.meetings_by_ids, None)
        row = await loader.load(self._meeting)
        return meeting_type(row) if row else None


def item_type(row: models.ActionItem) -> ActionItem:
    return ActionItem(
        id=strawberry.ID(ids.encode("ActionItem", row.id)),
        description=row.description,
        due_date=row.due_date,
        status=lifecycle.ActionItemStatus(row.status),
        done_at=row.done_at,
        reminded_at=row.overdue_notified_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
        _key=row.id,
        _owner=row.owner_id,
        _meeting=row.meeting_id,
    )


@strawberry.type(description="A lead or content review meeting (SPEC §2.7).")
class Meeting(Node):
    id: strawberry.ID
    kind: MeetingKind
    title: str
    scheduled_for: datetime
    status: MeetingStatus
    notes: str
    decisions: list[str]
    agenda_topics: list[str] = strawberry.field(
        description="Attendees' own agenda points (after the data's)."
    )
    reviewed_period: ReportPeriod
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int
    _row: strawberry.Private[Any]

    @strawberry.field
    async def attendees(self, info: Info) -> list[User]:
        rows = await info.context.loader("user").load_many(list(self._row.attendees))
        return [user_type(r) for r in rows if r is not None]

    @strawberry.field
    async def completed_by(self, info: Info) -> User | None:
        return await user_by_key(info, self._row.completed_by_id)

    @strawberry.field
    async def created_by(self, info: Info) -> User | None:
        return await user_by_key(info, self._row.created_by_id)

    @strawberry.field(
        description="Pre-filled from the data of the reviewed period: live until "
        "the meeting is completed, frozen with the snapshot after."
    )
    async def agenda(self, info: Info) -> list[AgendaItem]:
        return [agenda_type(item) for item in await reads.live_agenda(self._row)]

    @strawberry.field(
        description="The dashboard of the reviewed period (with the feedback by "
        "persona and the agenda) frozen at completion; null before. Later data "
        "never changes it."
    )
    def snapshot(self) -> JSON | None:
        raw = self._row.snapshot
        return cast(JSON, orjson.loads(raw)) if raw is not None else None

    @strawberry.field(description="The snapshot exactly as stored (canonical JSON).")
    def snapshot_text(self) -> str | None:
        return cast(str | None, self._row.snapshot)

    @strawberry.field
    async def action_items(self, info: Info) -> list[ActionItem]:
        loader = batch(info.context, "meeting_items", reads.items_of_meetings, [])
        return [item_type(r) for r in await loader.load(self._row.id)]


def meeting_type(row: models.Meeting) -> Meeting:
    return Meeting(
        id=strawberry.ID(ids.encode("Meeting", row.id)),
        kind=lifecycle.MeetingKind(row.kind),
        title=row.title,
        scheduled_for=row.scheduled_for,
        status=lifecycle.MeetingStatus(row.status),
        notes=row.notes,
        decisions=list(row.decisions),
        agenda_topics=list(row.topics),
        reviewed_period=ReportPeriod(
            from_=row.period_from, to=row.period_to, timezone=row.timezone
        ),
        completed_at=row.completed_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
        _row=row,
    )


async def _fetch_meetings(context: Context, keys: list[int]) -> dict[int, Any]:
    if context.actor is None:
        return {}
    return {k: meeting_type(v) for k, v in (await reads.meetings_by_ids(keys)).items()}


async def _fetch_items(context: Context, keys: list[int]) -> dict[int, Any]:
    if context.actor is None:
        return {}
    return {k: item_type(v) for k, v in (await reads.items_by_ids(keys)).items()}


NODE_TYPES = {
    "Meeting": NodeType(_fetch_meetings),
    "ActionItem": NodeType(_fetch_items),
}
