"""The SLA clocks: accept and first touch, computed once, judged from timestamps.

When a chain's first handoff is created, its SLA revision fixes four instants:
each clock's due instant (its window of business hours after the handoff) and its
at-risk instant (75 % of the window, so under 25 % of it is left after that).
They are stored on the chain and carried by every reassignment, so reassigning,
backdating or withdrawing can never move a deadline. A handoff outside the
SLA's [effectiveFrom, effectiveUntil) gets no instants: every clock is NO_SLA.

A clock's status follows from its instants, the instant its event counted at
(the decision; the first touch) and now, with "after" meaning strictly after:

- NO_SLA:   no due instant, or the obligation ended (released) by its due instant
- MET:      the event counted at or before the due instant (never an auto-accept)
- BREACHED: the event counted after the due instant, or none and now (or the
            release) is after it
- AT_RISK:  no event, now after the at-risk instant and not after the due one
- ON_TRACK: no event, now not after the at-risk instant

In SQL over the stored columns: ``due IS NULL`` → NO_SLA; ``done IS NOT NULL``
→ MET when ``done <= due`` else BREACHED; ``now > due`` → BREACHED;
``now > at_risk`` → AT_RISK; else ON_TRACK.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from server.domain.agreements.calendar import (
    BusinessCalendar,
    add_business_hours,
    business_hours_between,
    calendar_from_terms,
)
from server.domain.core.instants import as_utc, local_instant

AT_RISK_SHARE = Decimal("0.75")
LATE_ENTRY_AFTER = timedelta(hours=1)
HOURS_PLACES = Decimal("0.000001")


class ClockStatus(StrEnum):
    NO_SLA = "NO_SLA"
    ON_TRACK = "ON_TRACK"
    AT_RISK = "AT_RISK"
    MET = "MET"
    BREACHED = "BREACHED"


# "Worse" means needing attention sooner: a broken commitment, then one about to
# break, then one still running, then one kept, then none at all.
SEVERITY = {
    ClockStatus.NO_SLA: 0,
    ClockStatus.MET: 1,
    ClockStatus.ON_TRACK: 2,
    ClockStatus.AT_RISK: 3,
    ClockStatus.BREACHED: 4,
}


@dataclass(frozen=True)
class SlaTerms:
    """The parts of an SLA revision that decide the clocks.

    Windows are positive business hours; `effective_until` None is open-ended.
    """

    accept_within_hours: Decimal
    first_touch_within_hours: Decimal
    min_touch_attempts: int
    touch_window_days: int
    calendar: BusinessCalendar | None
    effective_from: datetime | None = None
    effective_until: datetime | None = None

    def __post_init__(self) -> None:
        if min(self.accept_within_hours, self.first_touch_within_hours) <= 0:
            raise ValueError("SLA windows must be positive hours")
        if min(self.min_touch_attempts, self.touch_window_days) < 0:
            raise ValueError("touch attempts and window days must not be negative")

    def applies_at(self, instant: datetime) -> bool:
        """Whether the SLA is in effect at `instant` (from inclusive, until not)."""
        moment = as_utc(instant)
        if self.effective_from is not None and moment < self.effective_from:
            return False
        return self.effective_until is None or moment < self.effective_until


def sla_terms_from(raw: Mapping[str, Any]) -> SlaTerms:
    """SlaTerms from stored SLA terms (the API's field names).

    `effectiveFrom`/`effectiveUntil` may be instants (datetime or ISO text with an
    offset) or dates, which start at local midnight in the calendar's timezone
    (UTC when round the clock).
    """
    calendar = calendar_from_terms(raw.get("businessCalendar"))
    return SlaTerms(
        accept_within_hours=Decimal(str(raw["acceptWithinHours"])),
        first_touch_within_hours=Decimal(str(raw["firstTouchWithinHours"])),
        min_touch_attempts=int(raw.get("minTouchAttempts") or 0),
        touch_window_days=int(raw.get("touchWindowDays") or 0),
        calendar=calendar,
        effective_from=_boundary(raw.get("effectiveFrom"), calendar),
        effective_until=_boundary(raw.get("effectiveUntil"), calendar),
    )


def _boundary(raw: object, calendar: BusinessCalendar | None) -> datetime | None:
    if raw is None or isinstance(raw, datetime):
        return None if raw is None else as_utc(raw)
    if isinstance(raw, str) and len(raw) > 10:
        return as_utc(datetime.fromisoformat(raw.replace("Z", "+00:00")))
    day = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
    midnight = datetime(day.year, day.month, day.day)
    if calendar is None:
        return midnight.replace(tzinfo=UTC)
    return local_instant(calendar.timezone, midnight)


# ---- the stored instants --------------------------------------------------------


@dataclass(frozen=True)
class SlaClocks:
    """The four instants stored on a chain; all None when no SLA applied."""

    accept_due_at: datetime | None = None
    accept_at_risk_at: datetime | None = None
    first_touch_due_at: datetime | None = None
    first_touch_at_risk_at: datetime | None = None


NO_CLOCKS = SlaClocks()


def compute_clocks(terms: SlaTerms | None, chain_handed_off_at: datetime) -> SlaClocks:
    """The chain's instants, from the SLA in force at its first handoff.

    Always pass the chain root's handoff instant: a reassignment copies the
    root's clocks and never recomputes them.
    """
    start = as_utc(chain_handed_off_at)
    if terms is None or not terms.applies_at(start):
        return NO_CLOCKS
    calendar = terms.calendar
    accept, touch = terms.accept_within_hours, terms.first_touch_within_hours
    return SlaClocks(
        accept_due_at=add_business_hours(calendar, start, accept),
        accept_at_risk_at=add_business_hours(calendar, start, accept * AT_RISK_SHARE),
        first_touch_due_at=add_business_hours(calendar, start, touch),
        first_touch_at_risk_at=add_business_hours(
            calendar, start, touch * AT_RISK_SHARE
        ),
    )


# ---- statuses -------------------------------------------------------------------


def clock_status(
    due_at: datetime | None,
    at_risk_at: datetime | None,
    done_at: datetime | None,
    now: datetime,
    *,
    released_at: datetime | None = None,
) -> ClockStatus:
    """One clock's status (the module docstring has the table).

    `done_at` is when the clock's event counted. `released_at` is when the
    obligation ended without it (a withdrawal; for the first touch, a rejection):
    released by the due instant is NO_SLA, released after it stays BREACHED.
    """
    if due_at is None:
        return ClockStatus.NO_SLA
    if done_at is not None:
        return ClockStatus.MET if done_at <= due_at else ClockStatus.BREACHED
    if released_at is not None:
        return ClockStatus.BREACHED if released_at > due_at else ClockStatus.NO_SLA
    if now > due_at:
        return ClockStatus.BREACHED
    if at_risk_at is not None and now > at_risk_at:
        return ClockStatus.AT_RISK
    return ClockStatus.ON_TRACK


def accept_status(
    clocks: SlaClocks,
    decided_at: datetime | None,
    now: datetime,
    *,
    auto_accepted: bool = False,
    withdrawn_at: datetime | None = None,
) -> ClockStatus:
    """The accept clock: a decision (accept or reject) stops it.

    An auto-accept counts as accepted but never as on time: BREACHED.
    """
    if auto_accepted and clocks.accept_due_at is not None:
        return ClockStatus.BREACHED
    return clock_status(
        clocks.accept_due_at,
        clocks.accept_at_risk_at,
        decided_at,
        now,
        released_at=withdrawn_at,
    )


def first_touch_status(
    clocks: SlaClocks,
    first_touch_at: datetime | None,
    now: datetime,
    *,
    rejected_at: datetime | None = None,
    withdrawn_at: datetime | None = None,
) -> ClockStatus:
    """The first-touch clock: the chain's first counted follow-up stops it.

    A rejection or withdrawal ends the obligation to touch the lead; one that
    came after the due instant does not undo the breach.
    """
    ends = [i for i in (rejected_at, withdrawn_at) if i is not None]
    return clock_status(
        clocks.first_touch_due_at,
        clocks.first_touch_at_risk_at,
        first_touch_at,
        now,
        released_at=min(ends) if ends else None,
    )


def worse(first: ClockStatus, second: ClockStatus) -> ClockStatus:
    """The worse of two statuses: BREACHED > AT_RISK > ON_TRACK > MET > NO_SLA.

    A NO_SLA clock never hides the other: the result is NO_SLA only when both are.
    """
    return first if SEVERITY[first] >= SEVERITY[second] else second


def sla_status(accept: ClockStatus, first_touch: ClockStatus) -> ClockStatus:
    """A handoff's `slaStatus`: the worse of its two clocks."""
    return worse(accept, first_touch)


def accepted_on_time(
    decided_at: datetime | None, due_at: datetime | None, auto_accepted: bool
) -> bool:
    """Whether an acceptance is on time: decided by a person by the due instant."""
    if decided_at is None or due_at is None or auto_accepted:
        return False
    return decided_at <= due_at


# ---- follow-ups -----------------------------------------------------------------


def counted_touch_at(occurred_at: datetime, recorded_at: datetime) -> datetime:
    """The instant a follow-up counts at for the clocks.

    An entry recorded more than 1 hour after its `occurredAt` is judged by its
    recording time, so a late, backdated entry cannot rescue a deadline.
    """
    occurred, recorded = as_utc(occurred_at), as_utc(recorded_at)
    if occurred > recorded:
        raise ValueError("a follow-up cannot have occurred after it was recorded")
    return recorded if recorded - occurred > LATE_ENTRY_AFTER else occurred


def first_touch(touches: Iterable[datetime]) -> datetime | None:
    """The chain's `firstTouchAt`: the earliest counted follow-up, if any."""
    return min((as_utc(t) for t in touches), default=None)


def touch_window_end(
    calendar: BusinessCalendar | None, accepted_at: datetime, days: int
) -> datetime:
    """When the touch-attempts window closes: `days` calendar days after acceptance.

    Calendar days are counted on the SLA's local clock (same wall time, DST
    gaps moving forward), in UTC when round the clock.
    """
    accepted = as_utc(accepted_at)
    if calendar is None:
        return accepted + timedelta(days=days)
    wall = accepted.astimezone(calendar.zone).replace(tzinfo=None)
    return local_instant(calendar.timezone, wall + timedelta(days=days))


def touch_attempts_status(
    terms: SlaTerms | None,
    accepted_at: datetime | None,
    touches: Iterable[datetime],
    now: datetime,
) -> ClockStatus:
    """Whether a chain met `minTouchAttempts` within `touchWindowDays` of acceptance.

    `terms` is the chain's SLA, None when the chain is NO_SLA.
    `touches` are the chain's counted follow-up instants; those since the handoff
    and before the window closes count, including ones before the acceptance.
    MET as soon as enough are in, BREACHED once the window closed short, else
    ON_TRACK; NO_SLA without an SLA or before any acceptance (auto-accepts count).
    """
    if terms is None or accepted_at is None:
        return ClockStatus.NO_SLA
    end = touch_window_end(terms.calendar, accepted_at, terms.touch_window_days)
    made = sum(1 for t in touches if as_utc(t) < end)
    if made >= terms.min_touch_attempts:
        return ClockStatus.MET
    return ClockStatus.BREACHED if as_utc(now) >= end else ClockStatus.ON_TRACK


# ---- durations ------------------------------------------------------------------


def business_hours_taken(
    terms: SlaTerms | None, chain_handed_off_at: datetime, until: datetime
) -> Decimal:
    """Business hours from the chain's handoff to a decision or first touch.

    Stored when the event happens; on the SLA's calendar, round the clock
    without one; rounded half up to the millionth of an hour.
    """
    calendar = terms.calendar if terms is not None else None
    hours = business_hours_between(calendar, chain_handed_off_at, until)
    return hours.quantize(HOURS_PLACES, rounding=ROUND_HALF_UP)
