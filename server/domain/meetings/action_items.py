"""When an action item is overdue (SPEC §2.7: "open action items past due are
listed for their owners and notified once").

Where the spec is silent: an item is overdue from the day after its due date
in its owner's timezone; an item without a due date is never overdue.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from server.domain.meetings.lifecycle import ActionItemStatus


def owner_today(now: datetime, timezone: str | None) -> date:
    try:
        zone = ZoneInfo(timezone or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone).date()


def is_overdue(status: str, due: date | None, today: date) -> bool:
    return status == ActionItemStatus.OPEN and due is not None and due < today
