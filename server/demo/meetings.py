"""The demo's review meetings (`server.demo.plans.meetings`), held through the
meeting use cases on the timeline: each review is scheduled a few days ahead
(its agenda pre-filled from the data then), its notes and decisions written
and its action items added in the meeting, then completed, freezing its
snapshot; the owners mark some items done later."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from server.demo.people import Cast
from server.demo.plans.meetings import REVIEWS, Item, Review
from server.demo.timeline import Timeline, ok
from server.domain.core.periods import Period
from server.services.core import ids
from server.services.meetings import action_items, scheduling

TIMEZONE = "Europe/Berlin"
NOTICE = timedelta(days=4)
MEETING_HOURS = timedelta(hours=1)


def schedule_meetings(timeline: Timeline, cast: Cast, now: datetime) -> None:
    for review in REVIEWS:
        held = _ten_am(now - timedelta(days=review.held))
        made: dict[str, str] = {}
        scheduled = min(held - NOTICE, now - timedelta(hours=1))
        timeline.at(scheduled, _schedule(timeline, cast, review, held, made))
        if review.completed:
            timeline.at(held + MEETING_HOURS, _hold(timeline, cast, review, held, made))
        for item in review.items:
            if item.done_after is not None:
                when = held + timedelta(days=item.done_after)
                timeline.at(when, _done(cast, item, made))


def _ten_am(moment: datetime) -> datetime:
    """Ten in the morning, Berlin time, on that day: when reviews are held."""
    zone = ZoneInfo(TIMEZONE)
    day = moment.astimezone(zone).date()
    return datetime.combine(day, time(10), zone).astimezone(UTC)


def _user(cast: Cast, key: str) -> str:
    return ids.encode("User", cast.actors[key].user_id)


def _schedule(
    timeline: Timeline, cast: Cast, review: Review, held: datetime, made: dict[str, str]
) -> Any:
    async def step() -> None:
        given = scheduling.Scheduling(
            kind=review.kind,
            title=review.title,
            scheduled_for=held,
            attendee_ids=[_user(cast, k) for k in review.attendees],
            period=Period(held - timedelta(days=review.reviewed_days), held),
            timezone=TIMEZONE,
            topics=review.topics,
        )
        meeting = ok(
            await scheduling.schedule_meeting(cast.actors[review.chair], given),
            "schedule a meeting",
        )
        made["meeting"] = ids.encode("Meeting", meeting.id)
        timeline.count("meetings")

    return step


def _hold(
    timeline: Timeline, cast: Cast, review: Review, held: datetime, made: dict[str, str]
) -> Any:
    async def step() -> None:
        chair = cast.actors[review.chair]
        key = made["meeting"]
        noted = scheduling.Update(
            id=key,
            expected_version=1,
            notes=review.notes,
            decisions=review.decisions,
        )
        ok(await scheduling.update_meeting(chair, noted), "note a meeting")
        for item in review.items:
            due = (held + timedelta(days=item.due_in)).date()
            given = action_items.NewItem(
                key, item.description, _user(cast, item.owner), due
            )
            added = ok(await action_items.add_action_item(chair, given), "add an item")
            made[item.description] = ids.encode("ActionItem", added.id)
        ok(await scheduling.complete_meeting(chair, key), "complete a meeting")

    return step


def _done(cast: Cast, item: Item, made: dict[str, str]) -> Any:
    async def step() -> None:
        change = action_items.ItemUpdate(made[item.description], status="DONE")
        ok(
            await action_items.update_action_item(cast.actors[item.owner], change),
            "mark an item done",
        )

    return step
