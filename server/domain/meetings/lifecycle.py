"""Feedback and optimisation meetings (SPEC §2.7): what may change when, and
who may change it. Pure: the caller loads the facts.

A meeting is ``SCHEDULED`` until `completeMeeting` makes it ``COMPLETED``
once and for all. A completed meeting refuses every edit but its action items
(``INVALID_TRANSITION``).

Who (SPEC §2.1, "schedule, complete meetings: managers; agenda, notes and
action items: attendees and managers"); where the spec is silent:
- an action item's owner may also update it (mark it done, move its date),
  attendee or not: it is their work;
- admins are not managers and take no part, like signing.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from server.domain.core.errors import ErrorCode
from server.domain.core.roles import Role
from server.domain.leads.stages import Refusal


class MeetingKind(StrEnum):
    LEAD_REVIEW = "LEAD_REVIEW"
    CONTENT_REVIEW = "CONTENT_REVIEW"


class MeetingStatus(StrEnum):
    SCHEDULED = "SCHEDULED"
    COMPLETED = "COMPLETED"


class ActionItemStatus(StrEnum):
    OPEN = "OPEN"
    DONE = "DONE"


@dataclass(frozen=True)
class Participant:
    """The caller as the meeting rules see them."""

    user_id: int
    role: Role


def may_edit(who: Participant, attendees: Collection[int]) -> bool:
    return who.role is Role.MANAGER or who.user_id in attendees


def check_edit(
    who: Participant, attendees: Collection[int], status: MeetingStatus
) -> Refusal | None:
    """Notes, decisions, attendees, agenda topics: attendees and managers,
    before completion only."""
    if not may_edit(who, attendees):
        return Refusal(ErrorCode.FORBIDDEN, "only attendees and managers may edit")
    if status is MeetingStatus.COMPLETED:
        message = "the meeting is completed: only its action items change now"
        return Refusal(ErrorCode.INVALID_TRANSITION, message)
    return None


def check_complete(status: MeetingStatus) -> Refusal | None:
    if status is MeetingStatus.COMPLETED:
        return Refusal(ErrorCode.INVALID_TRANSITION, "the meeting is already completed")
    return None


def check_action_item(
    who: Participant, attendees: Collection[int], owner_id: int | None = None
) -> Refusal | None:
    """Adding or updating an action item: attendees, managers and (updating)
    the item's owner, whatever the meeting's status."""
    if may_edit(who, attendees) or who.user_id == owner_id:
        return None
    message = "only attendees, managers and the item's owner may change action items"
    return Refusal(ErrorCode.FORBIDDEN, message)
