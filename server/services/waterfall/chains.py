"""Chain-level conditions of the `handoffs` list: what the dashboard's handoff
figures count (SPEC §2.6), as Tortoise conditions on `Handoff` rows.

A chain is counted once: with ``latest_in_chain`` the list shows each chain's
last handoff (the one no reassignment followed), which carries the chain's
decision (a rejected or accepted handoff is never reassigned).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from tortoise.expressions import F, Q, Subquery
from tortoise.functions import Count

from server.domain.core.errors import InvalidArguments
from server.models.waterfall import Handoff, HandoffChain


class ChainOutcome(StrEnum):
    """Where a chain ended up: still pending, accepted, rejected or withdrawn."""

    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    WITHDRAWN = "WITHDRAWN"


@dataclass(frozen=True)
class ChainFilter:
    latest_in_chain: bool | None = None
    started_from: datetime | None = None
    started_to: datetime | None = None
    persona_ids: tuple[int, ...] = ()
    outcomes: tuple[ChainOutcome, ...] = ()
    auto_accepted: bool | None = None
    touched: bool | None = None
    rejection_reasons: tuple[str, ...] = ()
    first_touch_due_from: datetime | None = None
    first_touch_due_to: datetime | None = None
    touch_window_ends_from: datetime | None = None
    touch_window_ends_to: datetime | None = None
    touch_attempts_met: bool | None = None


_OUTCOMES = {
    ChainOutcome.PENDING: Q(
        chain__decision__isnull=True, chain__withdrawn_at__isnull=True
    ),
    ChainOutcome.ACCEPTED: Q(chain__decision="ACCEPTED"),
    ChainOutcome.REJECTED: Q(chain__decision="REJECTED"),
    ChainOutcome.WITHDRAWN: Q(chain__withdrawn_at__isnull=False),
}


def apply(query: Any, f: ChainFilter) -> Any:
    """``query`` (over `Handoff`, its chain selected) narrowed by ``f``."""
    if f.latest_in_chain is not None:
        followed = Handoff.filter(previous_id__isnull=False).values("previous_id")
        last = ~Q(id__in=Subquery(followed))
        query = query.filter(last if f.latest_in_chain else ~last)
    if f.persona_ids:
        query = query.filter(chain__persona_id__in=list(f.persona_ids))
    if f.outcomes:
        either = Q(*(_OUTCOMES[o] for o in f.outcomes), join_type="OR")
        query = query.filter(either)
    if f.auto_accepted is not None:
        query = query.filter(chain__auto_accepted=f.auto_accepted)
    if f.touched is not None:
        query = query.filter(chain__first_touch_at__isnull=not f.touched)
    if f.rejection_reasons:
        query = query.filter(rejection_reason__in=list(f.rejection_reasons))
    if f.touch_attempts_met is not None:
        kept = Subquery(_attempts_kept().values("id"))
        met = Q(chain_id__in=kept)
        query = query.filter(met if f.touch_attempts_met else ~met)
    return _ranges(query, f)


def _attempts_kept() -> Any:
    """Chains with at least the attempts their SLA asked for, counted before
    their window closed (`server.domain.waterfall.clocks.touch_attempts_status`)."""
    in_window = Q(follow_ups__counts_at__lt=F("touch_window_ends_at"))
    return (
        HandoffChain.filter(touch_window_ends_at__isnull=False)
        .annotate(made=Count("follow_ups", _filter=in_window))
        .filter(made__gte=F("touch_attempts_needed"))
    )


def _ranges(query: Any, f: ChainFilter) -> Any:
    bounds = (
        ("chain__started_at", f.started_from, f.started_to, "chainStarted"),
        (
            "chain__first_touch_due_at",
            f.first_touch_due_from,
            f.first_touch_due_to,
            "firstTouchDue",
        ),
        (
            "chain__touch_window_ends_at",
            f.touch_window_ends_from,
            f.touch_window_ends_to,
            "touchWindowEnds",
        ),
    )
    for column, low, high, name in bounds:
        if low is not None:
            query = query.filter(**{f"{column}__gte": _utc(low, f"{name}From")})
        if high is not None:
            query = query.filter(**{f"{column}__lt": _utc(high, f"{name}To")})
    return query


def _utc(bound: datetime, name: str) -> datetime:
    if bound.utcoffset() is None:
        raise InvalidArguments(f"give filter.{name} with a timezone offset")
    return bound.astimezone(UTC)
