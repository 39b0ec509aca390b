"""What the sweeper owes a handoff chain at an instant (SPEC §2.4). Pure: the
service loads a chain's facts under its locks and asks here.

- **Reports.** Each clock (accept, first touch) is reported AT_RISK once, when
  now is past its at-risk instant and not past its due one, and BREACHED once,
  when now is past its due instant, while the clock still runs (no decision, no
  first touch, not withdrawn or rejected). A clock that breached before any
  sweep saw it at risk is reported breached only: "at risk" would be news
  nobody can act on.
- **Accept timeouts.** The chain's first timeout is its accept deadline (the
  breach). A handoff the sweeper moved on at or after that deadline gives its
  new holder a window of `acceptWithinHours` business hours of their own
  (`holder_timeout_at`); when it passes, the timeout action applies again.
  REASSIGN falls back to NOTIFY past the chain's limit or with nobody to take it
  (`server.domain.waterfall.handoffs.timeout_action`).
- **Absence.** A pending handoff whose assignee is deactivated or out of office
  moves to the next in the pool, within the same limit; when it cannot, the
  managers are told once per handoff (an escalation).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from server.domain.agreements.calendar import add_business_hours
from server.domain.core.outbox import EventKind
from server.domain.waterfall.clocks import SlaTerms
from server.domain.waterfall.handoffs import ReassignCause, check_reassign_limit


class SlaClock(StrEnum):
    ACCEPT = "ACCEPT"
    FIRST_TOUCH = "FIRST_TOUCH"


class Escalation(StrEnum):
    """Why the sweeper could not move a handoff on and asks people instead."""

    LIMIT_REACHED = "LIMIT_REACHED"
    EMPTY_POOL = "EMPTY_POOL"
    NOTIFY_ACTION = "NOTIFY_ACTION"  # the SLA's timeout action is NOTIFY


@dataclass(frozen=True)
class ChainClocks:
    """A chain's stored instants, outcomes and what was already reported."""

    accept_at_risk_at: datetime | None
    accept_due_at: datetime | None
    first_touch_at_risk_at: datetime | None
    first_touch_due_at: datetime | None
    decided_at: datetime | None = None
    decision: str | None = None
    withdrawn_at: datetime | None = None
    first_touch_at: datetime | None = None
    accept_at_risk_reported: bool = False
    accept_breach_reported: bool = False
    touch_at_risk_reported: bool = False
    touch_breach_reported: bool = False

    @property
    def accept_running(self) -> bool:
        return self.decided_at is None and self.withdrawn_at is None

    @property
    def touch_running(self) -> bool:
        rejected = self.decision == "REJECTED"
        return (
            self.first_touch_at is None and self.withdrawn_at is None and not rejected
        )


@dataclass(frozen=True)
class Report:
    """One SLA event to emit: its kind, the clock and that clock's instants."""

    kind: EventKind
    clock: SlaClock
    due_at: datetime
    at_risk_at: datetime | None


def reports_due(chain: ChainClocks, now: datetime) -> list[Report]:
    """The SLA_AT_RISK / SLA_BREACHED events the chain is owed now."""
    found: list[Report] = []
    if chain.accept_running:
        found += _clock_reports(
            SlaClock.ACCEPT,
            chain.accept_at_risk_at,
            chain.accept_due_at,
            (chain.accept_at_risk_reported, chain.accept_breach_reported),
            now,
        )
    if chain.touch_running:
        found += _clock_reports(
            SlaClock.FIRST_TOUCH,
            chain.first_touch_at_risk_at,
            chain.first_touch_due_at,
            (chain.touch_at_risk_reported, chain.touch_breach_reported),
            now,
        )
    return found


def _clock_reports(
    clock: SlaClock,
    at_risk_at: datetime | None,
    due_at: datetime | None,
    reported: tuple[bool, bool],
    now: datetime,
) -> list[Report]:
    at_risk_reported, breach_reported = reported
    if due_at is None:
        return []
    if now > due_at:
        if breach_reported:
            return []
        return [Report(EventKind.SLA_BREACHED, clock, due_at, at_risk_at)]
    if at_risk_at is not None and now > at_risk_at and not at_risk_reported:
        return [Report(EventKind.SLA_AT_RISK, clock, due_at, at_risk_at)]
    return []


def breaches_acceptance(reports: list[Report]) -> bool:
    """Whether these reports include the accept deadline passing (the chain's
    first accept timeout)."""
    return any(
        r.kind is EventKind.SLA_BREACHED and r.clock is SlaClock.ACCEPT for r in reports
    )


def later_timeout_due(next_timeout_at: datetime | None, now: datetime) -> bool:
    """Whether a later holder's own accept window has passed."""
    return next_timeout_at is not None and now >= next_timeout_at


def holder_timeout_at(
    terms: SlaTerms | None, moved_at: datetime, accept_due_at: datetime | None
) -> datetime | None:
    """When the timeout action next applies after the sweeper moved a handoff:
    a handoff moved before the chain's accept deadline meets that deadline
    first (None here); one moved at or after it gets `acceptWithinHours`
    business hours from the move."""
    if terms is None or accept_due_at is None or moved_at < accept_due_at:
        return None
    return add_business_hours(terms.calendar, moved_at, terms.accept_within_hours)


def absence_cause(active: bool, out_of_office: bool) -> ReassignCause | None:
    """Why an assignee cannot work their pending handoffs, if they cannot
    (deactivation wins over being out of office)."""
    if not active:
        return ReassignCause.DEACTIVATED
    return ReassignCause.OUT_OF_OFFICE if out_of_office else None


def may_move(sweeper_moves_so_far: int, cause: ReassignCause) -> bool:
    """Whether the sweeper may still move a handoff of this chain for `cause`."""
    return check_reassign_limit(sweeper_moves_so_far, cause)


def escalation(
    sweeper_moves_so_far: int, cause: ReassignCause, wanted_move: bool = True
) -> Escalation:
    """Why the sweeper asks people: the SLA says NOTIFY, or the move it wanted
    did not happen (the chain's limit, or else nobody in the pool)."""
    if not wanted_move:
        return Escalation.NOTIFY_ACTION
    if not may_move(sweeper_moves_so_far, cause):
        return Escalation.LIMIT_REACHED
    return Escalation.EMPTY_POOL
