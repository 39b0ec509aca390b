"""Clock statuses as SQL conditions over the stored chain columns.

The same table as `server.domain.waterfall.clocks` (its docstring), written as Tortoise
conditions on `HandoffChain` rows so `handoffs` can filter by status in the
database (handoffs whose chain matches, through a subquery). Every condition
is positive: "not X" is spelled as the union of the other statuses, so SQL's
NULLs never turn a negation wrong. A test checks these against the domain
functions on every combination.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from tortoise.expressions import F, Q

from server.domain.waterfall.clocks import ClockStatus

ORDER = (
    ClockStatus.BREACHED,
    ClockStatus.AT_RISK,
    ClockStatus.ON_TRACK,
    ClockStatus.MET,
    ClockStatus.NO_SLA,
)


def _q(**kwargs: Any) -> Q:
    return Q(**kwargs)


def accept_is(status: ClockStatus, now: datetime) -> Q:
    due = _q(accept_due_at__isnull=False)
    undecided = _q(decided_at__isnull=True)
    running = undecided & _q(withdrawn_at__isnull=True) & due
    if status is ClockStatus.NO_SLA:
        released = undecided & _q(withdrawn_at__isnull=False)
        early = Q(withdrawn_at__lte=_col("accept_due_at"))
        return _q(accept_due_at__isnull=True) | (released & early)
    if status is ClockStatus.MET:
        return due & _q(auto_accepted=False) & Q(decided_at__lte=_col("accept_due_at"))
    if status is ClockStatus.BREACHED:
        late = Q(decided_at__gt=_col("accept_due_at"))
        released_late = (
            undecided
            & _q(withdrawn_at__isnull=False)
            & Q(withdrawn_at__gt=_col("accept_due_at"))
        )
        overdue = undecided & _q(withdrawn_at__isnull=True, accept_due_at__lt=now)
        return due & (_q(auto_accepted=True) | late | released_late | overdue)
    if status is ClockStatus.AT_RISK:
        return running & _q(accept_due_at__gte=now, accept_at_risk_at__lt=now)
    return running & _q(accept_at_risk_at__gte=now)


def first_touch_is(status: ClockStatus, now: datetime) -> Q:
    due = _q(first_touch_due_at__isnull=False)
    untouched = _q(first_touch_at__isnull=True)
    rejected = _q(decision="REJECTED")
    kept = _q(decision__isnull=True) | _q(decision="ACCEPTED")
    open_ = kept & _q(withdrawn_at__isnull=True)
    rejected_early = rejected & Q(decided_at__lte=_col("first_touch_due_at"))
    withdrawn_early = _q(withdrawn_at__isnull=False) & Q(
        withdrawn_at__lte=_col("first_touch_due_at")
    )
    early = rejected_early | withdrawn_early
    late_release = (
        (rejected | _q(withdrawn_at__isnull=False))
        & (
            _q(decision__isnull=True)
            | _q(decision="ACCEPTED")
            | Q(decided_at__gt=_col("first_touch_due_at"))
        )
        & (
            _q(withdrawn_at__isnull=True)
            | Q(withdrawn_at__gt=_col("first_touch_due_at"))
        )
    )
    if status is ClockStatus.NO_SLA:
        return _q(first_touch_due_at__isnull=True) | (untouched & early)
    if status is ClockStatus.MET:
        return due & Q(first_touch_at__lte=_col("first_touch_due_at"))
    if status is ClockStatus.BREACHED:
        late = Q(first_touch_at__gt=_col("first_touch_due_at"))
        overdue = untouched & open_ & _q(first_touch_due_at__lt=now)
        return due & (late | (untouched & late_release) | overdue)
    running = due & untouched & open_
    if status is ClockStatus.AT_RISK:
        return running & _q(first_touch_due_at__gte=now, first_touch_at_risk_at__lt=now)
    return running & _q(first_touch_at_risk_at__gte=now)


def sla_is(status: ClockStatus, now: datetime) -> Q:
    """`slaStatus` = the worse clock: one clock at ``status`` and neither worse."""
    rank = ORDER.index(status)
    worse = ORDER[:rank]
    allowed = ORDER[rank:]
    either = accept_is(status, now) | first_touch_is(status, now)
    if not worse:
        return either
    accept_ok = any_of(accept_is, allowed, now)
    touch_ok = any_of(first_touch_is, allowed, now)
    return either & accept_ok & touch_ok


Condition = Callable[[ClockStatus, datetime], Q]


def any_of(condition: Condition, statuses: Iterable[ClockStatus], now: datetime) -> Q:
    """Chains whose clock (``condition``) is in any of ``statuses`` (at least one)."""
    combined: Q | None = None
    for status in statuses:
        part = condition(status, now)
        combined = part if combined is None else combined | part
    if combined is None:
        raise ValueError("name at least one status")
    return combined


def _col(name: str) -> F:
    return F(name)
