"""Which seeded leads were handed off to sales, and what became of each chain.

`chain_plan` decides, from the lead's id and the run's `Sizes` alone, whether
the lead has a handoff chain (exactly ``Sizes.handoff_chains`` leads do, spread
evenly over the ids) and its story: qualified shortly before the handoff,
perhaps reassigned by a sales manager, accepted by hand, accepted
automatically at the accept deadline, rejected (disqualified) or still
pending; touched or not; and, once accepted, perhaps moved on to SQL,
OPPORTUNITY and closed. `bench.scoring_data` applies the plan to the lead's row
and stage history; `bench.handoff_data` writes the chain, its handoffs and
follow-ups. The SLA clocks, business hours and touch window are the domain's
(`server.domain.waterfall.clocks`) under the seeded SLA (`SLA_TERMS`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bench.datasets import EPOCH, Sizes, user_active
from server.domain.agreements.lifecycle import AgreementKind
from server.domain.waterfall.clocks import (
    SlaClocks,
    SlaTerms,
    compute_clocks,
    sla_terms_from,
)

SLA_ID = 90  # after the personas (at most 41) and the model
SALES_MANAGER, MARKETING_MANAGER = 4, 3
ACCEPT_SHARE, AUTO_SHARE = 0.62, 0.10  # the rest is rejected
REASSIGN_SHARE, TOUCHED_SHARE = 0.15, 0.85
REASONS = ("NOT_A_FIT", "WRONG_PERSONA", "NO_BUDGET", "NOT_READY", "OTHER")
CHANNELS = ("CALL", "EMAIL", "MEETING")
SPAN_DAYS = 170  # chains start within this many days before the seeding instant


def sla_terms(sizes: Sizes) -> dict[str, Any]:
    """Round the clock (no business calendar): 4 hours to accept, 8 to first
    touch, three touches within 7 days; in effect long before any chain."""
    return {
        "qualifiedLeadsPerMonth": max(1, sizes.handoff_chains * 30 // SPAN_DAYS),
        "acceptWithinHours": "4",
        "firstTouchWithinHours": "8",
        "minTouchAttempts": 3,
        "touchWindowDays": 7,
        "acceptTimeoutAction": "AUTO_ACCEPT",
        "routing": "ROUND_ROBIN",
        "reviewCadenceDays": 14,
        "effectiveFrom": EPOCH.isoformat(),
    }


def stored_sla_terms(sizes: Sizes) -> dict[str, Any]:
    """The terms as the service stores them (read and canonicalised)."""
    from server.services.agreements.store import read_terms

    kind = AgreementKind.SERVICE_LEVEL_AGREEMENT
    return read_terms(kind, sla_terms(sizes))


def terms(sizes: Sizes) -> SlaTerms:
    return sla_terms_from(stored_sla_terms(sizes))


def sales_ids(sizes: Sizes) -> list[int]:
    """Active sales members, who receive the handoffs."""
    return [
        i for i in range(1, sizes.users + 1) if i % 6 in (1, 2) and user_active(i)
    ] or [SALES_MANAGER]


def chain_id(sizes: Sizes, lead_id: int) -> int | None:
    """The chain's id (1 … handoff_chains) when the lead has one."""
    chains, leads = sizes.handoff_chains, sizes.leads
    k = lead_id * chains // leads
    return k if k != (lead_id - 1) * chains // leads else None


@dataclass(frozen=True)
class Step:
    assignee: int
    at: datetime
    from_user: int
    reassigned_at: datetime | None  # None: the last handoff of the chain


@dataclass(frozen=True)
class ChainPlan:
    chain_id: int
    lead_id: int
    started: datetime
    qualified_at: datetime
    clocks: SlaClocks
    handoffs: tuple[Step, ...]
    decision: str | None  # ACCEPTED, REJECTED or None (pending)
    decided_at: datetime | None
    auto: bool
    reason: str | None
    touches: tuple[datetime, ...]
    # (from, to, at, via, reason) after the decision
    later: tuple[tuple[str, str, datetime, str, str | None], ...]

    @property
    def assignee(self) -> int:
        return self.handoffs[-1].assignee

    @property
    def stage(self) -> str:
        if self.later:
            return self.later[-1][1]
        if self.decision is None:
            return "MQL"
        return "SAL" if self.decision == "ACCEPTED" else "DISQUALIFIED"

    @property
    def stage_at(self) -> datetime:
        if self.later:
            return self.later[-1][2]
        return self.decided_at or self.qualified_at


_plans: dict[tuple[Sizes, int], ChainPlan | None] = {}


def chain_plan(sizes: Sizes, lead_id: int) -> ChainPlan | None:
    key = (sizes, lead_id)
    if key not in _plans:
        if len(_plans) > 4096:
            _plans.clear()
        _plans[key] = _draw(sizes, lead_id)
    return _plans[key]


def _draw(sizes: Sizes, lead_id: int) -> ChainPlan | None:
    found = chain_id(sizes, lead_id)
    if found is None or not sizes.handoff_chains:
        return None
    pick, now = random.Random(f"chain:{lead_id}"), sizes.now
    started = now - timedelta(seconds=pick.randrange(600, SPAN_DAYS * 86_400))
    qualified_at = started - timedelta(seconds=pick.randrange(60, 7200))
    clocks = compute_clocks(terms(sizes), started)
    assert clocks.accept_due_at is not None
    sales = sales_ids(sizes)
    first = sales[pick.randrange(len(sales))]
    draw = pick.random()
    decided: datetime | None
    auto, reason = False, None
    decision: str | None
    if draw < ACCEPT_SHARE:
        decision = "ACCEPTED"
        decided = started + timedelta(seconds=pick.randrange(300, 6 * 3600))
    elif draw < ACCEPT_SHARE + AUTO_SHARE:
        decision, auto, decided = "ACCEPTED", True, clocks.accept_due_at
    else:
        decision = "REJECTED"
        decided = started + timedelta(seconds=pick.randrange(300, 5 * 3600))
        reason = pick.choice(REASONS)
    if decided > now:
        decision, decided, auto, reason = None, None, False, None
    steps = [Step(first, started, MARKETING_MANAGER, None)]
    end = decided or now
    if pick.random() < REASSIGN_SHARE and end - started > timedelta(minutes=30):
        span = int((end - started).total_seconds())
        moved = started + timedelta(seconds=pick.randrange(span // 5, span * 4 // 5))
        second = sales[(sales.index(first) + 1) % len(sales)]
        steps = [
            Step(first, started, MARKETING_MANAGER, moved),
            Step(second, moved, SALES_MANAGER, None),
        ]
    touches: list[datetime] = []
    if decision == "ACCEPTED" and pick.random() < TOUCHED_SHARE:
        at = started + timedelta(seconds=pick.randrange(900, 16 * 3600))
        for _ in range(pick.choice((1, 2, 3, 3, 4))):
            if at > now:
                break
            touches.append(at)
            at += timedelta(seconds=pick.randrange(3600, 3 * 86_400))
    later: list[tuple[str, str, datetime, str, str | None]] = []
    if decision == "ACCEPTED" and decided is not None:
        at, stage = decided, "SAL"
        for to, share, lo, hi in (
            ("SQL", 0.45, 1, 10),
            ("OPPORTUNITY", 0.5, 3, 20),
            ("CLOSE", 0.7, 10, 40),
        ):
            if pick.random() >= share:
                break
            at += timedelta(seconds=pick.randrange(lo * 86_400, hi * 86_400))
            if at > now:
                break
            why = None
            if to == "CLOSE":
                to = "WON" if pick.random() < 0.57 else "LOST"
                why = "lost to a competitor" if to == "LOST" else None
            via = "CLOSE" if to in ("WON", "LOST") else "MOVE"
            later.append((stage, to, at, via, why))
            stage = to
    return ChainPlan(
        chain_id=found,
        lead_id=lead_id,
        started=started,
        qualified_at=qualified_at,
        clocks=clocks,
        handoffs=tuple(steps),
        decision=decision,
        decided_at=decided,
        auto=auto,
        reason=reason,
        touches=tuple(touches),
        later=tuple(later),
    )
