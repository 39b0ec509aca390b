"""`addActionItem` and `updateActionItem` (SPEC §2.7), and the reminder of
overdue ones.

Action items stay editable after their meeting is completed: they are the
follow-through. An open item past its due date (in its owner's timezone) is
listed for its owner (`reads.my_action_items`) and reminded once: the sweeper
calls `remind_overdue` after each pass (connected in `server/wiring.py`); one
transaction marks the items ``overdue_notified_at`` and writes one
``ACTION_ITEM_OVERDUE`` event each, locking them with ``SKIP LOCKED`` on
PostgreSQL so two workers never remind the same item.

Where the spec is silent: the owner is an active user; a due date may not lie
before the day the item is added (the owner's timezone); marking an item
done records when, reopening clears it; moving the due date re-arms the
reminder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from server import db
from server.clock import clock
from server.domain.content.timing import date_sort
from server.domain.core.errors import ErrorCode, refuse
from server.domain.core.outbox import EventKind
from server.domain.meetings import inputs
from server.domain.meetings.action_items import is_overdue, owner_today
from server.domain.meetings.lifecycle import ActionItemStatus, check_action_item
from server.models import ActionItem, Meeting, User
from server.services.core import ids, mutations
from server.services.core.actors import Actor
from server.services.meetings import store

REMIND_BATCH = 500


@dataclass(frozen=True)
class NewItem:
    meeting_id: str
    description: str
    owner_id: str
    due_date: date | None = None


async def add_action_item(
    actor: Actor, given: NewItem
) -> mutations.Outcome[ActionItem]:
    async def body(tx: mutations.Tx) -> ActionItem:
        meeting = await store.load_meeting(given.meeting_id, field="meetingId")
        store.checked(check_action_item(store.participant(actor), meeting.attendees))
        text = store.taken(inputs.read_line(given.description, "description"))
        owner = await _owner(given.owner_id)
        item = await ActionItem.create(
            meeting_id=meeting.id,
            description=text,
            owner_id=owner,
            due_date=given.due_date,
            due_sort=date_sort(given.due_date),
            status=ActionItemStatus.OPEN.value,
            created_by_id=actor.user_id,
            created_at=tx.now,
            updated_at=tx.now,
        )
        tx.audit(
            store.ITEM,
            item.id,
            meeting=meeting.id,
            description=text,
            owner=owner,
            dueDate=_iso(given.due_date),
        )
        return item

    return await mutations.run(actor, "addActionItem", body)


async def _owner(global_id: str) -> int:
    return (await store.active_users([global_id], "ownerId"))[0]


@dataclass(frozen=True)
class ItemUpdate:
    id: str
    expected_version: int | None = None
    description: str | None = None
    owner_id: str | None = None
    due_date: date | None = None
    clear_due_date: bool = False
    status: str | None = None


async def update_action_item(
    actor: Actor, given: ItemUpdate
) -> mutations.Outcome[ActionItem]:
    async def body(tx: mutations.Tx) -> ActionItem:
        item = await store.load_item(given.id, given.expected_version)
        meeting = await Meeting.get(id=item.meeting_id)
        problem = check_action_item(
            store.participant(actor), meeting.attendees, item.owner_id
        )
        store.checked(problem)
        changes = await _apply(item, given, tx)
        item.version += 1
        item.updated_at = tx.now
        await item.save()
        tx.audit(store.ITEM, item.id, version=item.version, **changes)
        return item

    return await mutations.run(actor, "updateActionItem", body)


async def _apply(
    item: ActionItem, given: ItemUpdate, tx: mutations.Tx
) -> dict[str, object]:
    changes: dict[str, object] = {}
    if given.description is not None:
        text = store.taken(inputs.read_line(given.description, "description"))
        item.description = changes["description"] = text
    if given.owner_id is not None:
        item.owner_id = changes["owner"] = await _owner(given.owner_id)
        item.overdue_notified_at = None
    if given.due_date is not None or given.clear_due_date:
        item.due_date = None if given.clear_due_date else given.due_date
        item.due_sort = date_sort(item.due_date)
        item.overdue_notified_at = None
        changes["dueDate"] = _iso(item.due_date)
    if given.status is not None:
        if given.status not in ActionItemStatus.__members__:
            raise refuse(ErrorCode.INVALID_INPUT, "OPEN or DONE", "status")
        item.status = changes["status"] = given.status
        done = given.status == ActionItemStatus.DONE
        item.done_at = (item.done_at or tx.now) if done else None
    return changes


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


async def remind_overdue() -> int:
    """Remind the owners of open items past due, once each; returns how many.
    A look without locks first (most sweeps find nothing to remind)."""
    if not await _overdue(await _candidates(lock=False), clock.now()):
        return 0

    async def body(tx: mutations.Tx) -> int:
        reminded = await _overdue(await _candidates(lock=True), tx.now)
        for item in reminded:
            item.overdue_notified_at = tx.now
            await item.save(update_fields=["overdue_notified_at"])
            tx.emit(
                EventKind.ACTION_ITEM_OVERDUE.value,
                store.ITEM,
                item.id,
                {
                    "owner": item.owner_id,
                    "meeting": item.meeting_id,
                    "meetingId": ids.encode(store.SUBJECT, item.meeting_id),
                    "description": item.description,
                    "dueDate": _iso(item.due_date),
                },
            )
        tx.audit(store.ITEM, None, reminded=[i.id for i in reminded])
        return len(reminded)

    outcome = await mutations.run_trusted(
        "remindActionItems", body, credential="sweeper"
    )
    return outcome.result or 0


# The first timezone to reach a day: whoever's item is overdue, its due date
# lies before today there.
EARLIEST_ZONE = "Etc/GMT-14"


async def _candidates(lock: bool) -> list[ActionItem]:
    query = (
        ActionItem.filter(
            status=ActionItemStatus.OPEN.value,
            due_date__lt=owner_today(clock.now(), EARLIEST_ZONE),
            overdue_notified_at__isnull=True,
        )
        .order_by("id")
        .limit(REMIND_BATCH)
    )
    if lock and db.dialect() != "sqlite":
        query = query.select_for_update(skip_locked=True)
    return list(await query)


async def _overdue(candidates: list[ActionItem], now: datetime) -> list[ActionItem]:
    """The candidates overdue in their owner's timezone (one statement)."""
    if not candidates:
        return []
    rows = await User.filter(id__in={i.owner_id for i in candidates}).values(
        "id", "timezone"
    )
    zones = {int(r["id"]): r["timezone"] for r in rows}
    return [
        i
        for i in candidates
        if is_overdue(i.status, i.due_date, owner_today(now, zones.get(i.owner_id)))
    ]
