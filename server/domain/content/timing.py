"""Dates of a content request (SPEC §2.8): the requester's `requestedDueDate`
and marketing's `committedDueDate` are never merged; each is judged on its own.

Where the spec is silent:
- a date is met when the request is delivered on or before that day, read in
  the reporting timezone (the server) or the viewer's (the board);
- an open request is ``OVERDUE`` against a date once that day has passed,
  ``DUE_THIS_WEEK`` when the date falls within the next seven days (today
  included), else ``UPCOMING``; declined and cancelled requests are judged
  against nothing (``NONE``);
- the board sorts and filters by the date that binds: the committed one once
  marketing gave it, else the requested one; `overdue` means overdue against
  that date.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from statistics import median
from zoneinfo import ZoneInfo

from server.domain.content.lifecycle import OPEN, ContentStatus

NO_DATE_SORT = 99991231  # undated requests sort after every dated one
WEEK = timedelta(days=7)


class DueState(StrEnum):
    NONE = "NONE"
    UPCOMING = "UPCOMING"
    DUE_THIS_WEEK = "DUE_THIS_WEEK"
    OVERDUE = "OVERDUE"
    ON_TIME = "ON_TIME"
    LATE = "LATE"


def local_day(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date()


def judge(
    due: date | None,
    status: ContentStatus,
    delivered_on: date | None,
    today: date,
) -> DueState:
    """How a request stands against one date."""
    if due is None:
        return DueState.NONE
    if status is ContentStatus.DELIVERED and delivered_on is not None:
        return DueState.ON_TIME if delivered_on <= due else DueState.LATE
    if status not in OPEN:
        return DueState.NONE
    if due < today:
        return DueState.OVERDUE
    return DueState.DUE_THIS_WEEK if due < today + WEEK else DueState.UPCOMING


def binding_date(requested: date | None, committed: date | None) -> date | None:
    """The date a board sorts and filters by."""
    return committed if committed is not None else requested


def date_sort(day: date | None) -> int:
    """A date as a sortable whole number (YYYYMMDD); none sorts last."""
    if day is None:
        return NO_DATE_SORT
    return day.year * 10000 + day.month * 100 + day.day


@dataclass(frozen=True)
class Delivered:
    """One delivered request as `turnaround` reads it."""

    content_type: str
    created_at: datetime
    delivered_at: datetime
    requested: date | None
    committed: date | None


@dataclass(frozen=True)
class Turnaround:
    content_type: str | None  # None: every type together
    delivered: int
    median_hours: float | None
    with_requested_date: int
    on_time_requested: int
    with_committed_date: int
    on_time_committed: int

    @property
    def on_time_requested_share(self) -> float | None:
        return _share(self.on_time_requested, self.with_requested_date)

    @property
    def on_time_committed_share(self) -> float | None:
        return _share(self.on_time_committed, self.with_committed_date)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def turnaround(
    rows: Sequence[Delivered], timezone: str
) -> tuple[Turnaround, list[Turnaround]]:
    """The figures over every delivered request, and per content type (types
    with deliveries only, in name order)."""
    by_type: dict[str, list[Delivered]] = {}
    for row in rows:
        by_type.setdefault(row.content_type, []).append(row)
    per_type = [_figures(kind, by_type[kind], timezone) for kind in sorted(by_type)]
    return _figures(None, rows, timezone), per_type


def _figures(kind: str | None, rows: Iterable[Delivered], timezone: str) -> Turnaround:
    rows = list(rows)
    hours = [(r.delivered_at - r.created_at).total_seconds() / 3600 for r in rows]
    days = [local_day(r.delivered_at, timezone) for r in rows]
    requested = [
        (r.requested, d) for r, d in zip(rows, days, strict=True) if r.requested
    ]
    committed = [
        (r.committed, d) for r, d in zip(rows, days, strict=True) if r.committed
    ]
    return Turnaround(
        content_type=kind,
        delivered=len(rows),
        median_hours=median(hours) if hours else None,
        with_requested_date=len(requested),
        on_time_requested=sum(1 for due, on in requested if on <= due),
        with_committed_date=len(committed),
        on_time_committed=sum(1 for due, on in committed if on <= due),
    )
