"""Steps every meeting use case takes: load the meeting (locked), check the
people it names, read the caller as a participant, write the audit entry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from server import db
from server.domain.core.errors import ErrorCode, refuse
from server.domain.leads.stages import Refusal
from server.domain.meetings.lifecycle import MeetingStatus, Participant
from server.models import ActionItem, Meeting, User
from server.services.core import ids, mutations
from server.services.core.actors import Actor

SUBJECT = "Meeting"
ITEM = "ActionItem"


def participant(actor: Actor) -> Participant:
    return Participant(actor.user_id, actor.role)


def status_of(meeting: Meeting) -> MeetingStatus:
    return MeetingStatus(meeting.status)


def taken(value: Any | Refusal) -> Any:
    """An input reader's value, or its refusal raised."""
    if isinstance(value, Refusal):
        raise value.error()
    return value


def checked(problem: Refusal | None) -> None:
    if problem is not None:
        raise problem.error()


async def load_meeting(
    key: str, expected_version: int | None = None, field: str = "id"
) -> Meeting:
    """The meeting an input names, locked for this transaction (PostgreSQL; an
    SQLite transaction holds the whole database already)."""
    query = Meeting.filter(id=ids.decode(key, SUBJECT, field))
    if db.dialect() != "sqlite":
        query = query.select_for_update()
    found = await query.first()
    if found is None:
        raise refuse(ErrorCode.NOT_FOUND, "no such meeting", field)
    if expected_version is not None and found.version != expected_version:
        raise refuse(
            ErrorCode.CONFLICT,
            f"the meeting changed meanwhile (version {found.version})",
            "expectedVersion",
        )
    return found


async def load_item(key: str, expected_version: int | None) -> ActionItem:
    query = ActionItem.filter(id=ids.decode(key, ITEM, "id"))
    if db.dialect() != "sqlite":
        query = query.select_for_update()
    found = await query.first()
    if found is None:
        raise refuse(ErrorCode.NOT_FOUND, "no such action item", "id")
    if expected_version is not None and found.version != expected_version:
        raise refuse(
            ErrorCode.CONFLICT,
            f"the action item changed meanwhile (version {found.version})",
            "expectedVersion",
        )
    return found


async def active_users(global_ids: Sequence[str], field: str) -> list[int]:
    """The users named, in order, each active (one statement)."""
    keys = [ids.decode(g, "User", field) for g in global_ids]
    rows = await User.filter(id__in=keys, active=True).values("id")
    if {int(r["id"]) for r in rows} != set(keys):
        raise refuse(ErrorCode.NOT_FOUND, "name active users", field)
    return keys


async def touch(meeting: Meeting, tx: mutations.Tx) -> None:
    meeting.version += 1
    meeting.updated_at = tx.now
    await meeting.save()
