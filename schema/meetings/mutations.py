"""The meeting mutations (SPEC §2.7): each resolver reads its input, calls one
use case and maps the outcome."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import strawberry

from schema.context import Info
from schema.core.errors import UserError, user_errors
from schema.core.periods import PeriodInput
from schema.core.permissions import actor_of
from schema.meetings.types import (
    ActionItem,
    ActionItemStatus,
    Meeting,
    MeetingKind,
    item_type,
    meeting_type,
)
from server.domain.core.errors import InvalidArguments
from server.domain.core.instants import zone_problem
from server.domain.core.periods import read_period
from server.services.core.mutations import Outcome
from server.services.meetings import action_items, reads, scheduling


@strawberry.input
class ScheduleMeetingInput:
    kind: MeetingKind
    title: str
    scheduled_for: datetime
    attendee_ids: list[strawberry.ID]
    reviewed_period: PeriodInput | None = strawberry.field(
        default=None,
        description="Default: the SLA's reviewCadenceDays (else 30 days) before "
        "the meeting.",
    )
    timezone: str | None = strawberry.field(
        default=None,
        description="How the period's dates are read (default the reporting timezone).",
    )
    agenda_topics: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class UpdateMeetingInput:
    id: strawberry.ID
    expected_version: int
    title: str | None = None
    scheduled_for: datetime | None = None
    attendee_ids: list[strawberry.ID] | None = None
    notes: str | None = None
    decisions: list[str] | None = None
    agenda_topics: list[str] | None = None


@strawberry.input
class CompleteMeetingInput:
    id: strawberry.ID
    expected_version: int | None = None


@strawberry.input
class AddActionItemInput:
    meeting_id: strawberry.ID
    description: str
    owner_id: strawberry.ID
    due_date: date | None = None


@strawberry.input
class UpdateActionItemInput:
    id: strawberry.ID
    expected_version: int | None = None
    description: str | None = None
    owner_id: strawberry.ID | None = None
    due_date: date | None = None
    clear_due_date: bool = False
    status: ActionItemStatus | None = None


@strawberry.type
class MeetingPayload:
    meeting: Meeting | None
    user_errors: list[UserError]


@strawberry.type
class ActionItemPayload:
    action_item: ActionItem | None
    meeting: Meeting | None
    user_errors: list[UserError]


def _meeting_payload(outcome: Outcome[Any]) -> MeetingPayload:
    found = outcome.result
    return MeetingPayload(
        meeting=meeting_type(found) if found is not None else None,
        user_errors=user_errors(outcome.errors),
    )


async def _item_payload(outcome: Outcome[Any]) -> ActionItemPayload:
    found = outcome.result
    meeting = None
    if found is not None:
        meeting = (await reads.meetings_by_ids([found.meeting_id])).get(
            found.meeting_id
        )
    return ActionItemPayload(
        action_item=item_type(found) if found is not None else None,
        meeting=meeting_type(meeting) if meeting is not None else None,
        user_errors=user_errors(outcome.errors),
    )


def _zone(info: Info, given: str | None) -> str:
    name = given or info.context.settings.reporting_timezone
    problem = zone_problem(name)
    if problem is not None:
        raise InvalidArguments(f"timezone: {problem}")
    return name


@strawberry.type
class MeetingMutations:
    @strawberry.mutation(description="Schedule a review; its agenda is pre-filled.")
    async def schedule_meeting(
        self, info: Info, input: ScheduleMeetingInput
    ) -> MeetingPayload:
        zone = _zone(info, input.timezone)
        period = input.reviewed_period
        request = scheduling.Scheduling(
            kind=input.kind.value,
            title=input.title,
            scheduled_for=input.scheduled_for,
            attendee_ids=list(input.attendee_ids),
            period=read_period(period.from_, period.to, ZoneInfo(zone))
            if period is not None
            else None,
            timezone=zone,
            topics=list(input.agenda_topics),
        )
        return _meeting_payload(
            await scheduling.schedule_meeting(actor_of(info), request)
        )

    @strawberry.mutation(
        description="Edit notes, decisions, attendees, topics, title or time "
        "(not once completed)."
    )
    async def update_meeting(
        self, info: Info, input: UpdateMeetingInput
    ) -> MeetingPayload:
        request = scheduling.Update(
            id=input.id,
            expected_version=input.expected_version,
            title=input.title,
            scheduled_for=input.scheduled_for,
            attendee_ids=list(input.attendee_ids)
            if input.attendee_ids is not None
            else None,
            notes=input.notes,
            decisions=input.decisions,
            topics=input.agenda_topics,
        )
        return _meeting_payload(
            await scheduling.update_meeting(actor_of(info), request)
        )

    @strawberry.mutation(
        description="Complete a meeting: its snapshot of the reviewed period is "
        "frozen and MEETING_COMPLETED emitted."
    )
    async def complete_meeting(
        self, info: Info, input: CompleteMeetingInput
    ) -> MeetingPayload:
        outcome = await scheduling.complete_meeting(
            actor_of(info), input.id, input.expected_version
        )
        return _meeting_payload(outcome)

    @strawberry.mutation(description="Add an owned action to a meeting.")
    async def add_action_item(
        self, info: Info, input: AddActionItemInput
    ) -> ActionItemPayload:
        request = action_items.NewItem(
            meeting_id=input.meeting_id,
            description=input.description,
            owner_id=input.owner_id,
            due_date=input.due_date,
        )
        return await _item_payload(
            await action_items.add_action_item(actor_of(info), request)
        )

    @strawberry.mutation(
        description="Change an action item: owner, due date, description, OPEN or DONE."
    )
    async def update_action_item(
        self, info: Info, input: UpdateActionItemInput
    ) -> ActionItemPayload:
        request = action_items.ItemUpdate(
            id=input.id,
            expected_version=input.expected_version,
            description=input.description,
            owner_id=input.owner_id,
            due_date=input.due_date,
            clear_due_date=input.clear_due_date,
            status=input.status.value if input.status is not None else None,
        )
        return await _item_payload(
            await action_items.update_action_item(actor_of(info), request)
        )
