"""Two-sided SLA compliance over a period (SPEC §2.6 `slaCompliance`).

Marketing: leads delivered against ``qualifiedLeadsPerMonth`` prorated by days
over the time each SLA revision applied (`server.domain.metrics.compliance`).

Sales: chains whose deadline fell in the period and has passed — the accept
clock by ``accept_due_at``, the first-touch clock by ``first_touch_due_at``,
the touch attempts by the window end fixed at acceptance. A clock released
before its deadline (withdrawn; for the first touch, rejected) owed nothing and
is left out; released after it, it stays breached. The conditions below are
`server.domain.waterfall.clocks`' statuses once the deadline has passed.
The persona is the lead's at the handoff.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from server import db
from server.domain.agreements.lifecycle import AgreementKind
from server.domain.metrics.compliance import Commitment, committed, ratio
from server.services.agreements.store import terms_of
from server.services.metrics.scope import Scope, instant, number


@dataclass(frozen=True)
class Sales:
    due: int
    met: int
    accept_due: int
    accept_on_time: int
    attempts_due: int
    attempts_met: int

    @property
    def breached(self) -> int:
        return self.due - self.met

    @property
    def accept_breached(self) -> int:
        return self.accept_due - self.accept_on_time

    @property
    def ratio(self) -> Decimal | None:
        return ratio(self.met, self.due)

    @property
    def accept_on_time_ratio(self) -> Decimal | None:
        return ratio(self.accept_on_time, self.accept_due)

    @property
    def touch_attempts_met_ratio(self) -> Decimal | None:
        return ratio(self.attempts_met, self.attempts_due)


# Each clock's "due" (its deadline passed and it was owed) and "kept".
ACCEPT_OWED = (
    "NOT (c.decided_at IS NULL AND c.withdrawn_at IS NOT NULL "
    "AND c.withdrawn_at <= c.accept_due_at)"
)
ACCEPT_KEPT = "c.decided_at <= c.accept_due_at AND c.auto_accepted = FALSE"
# Written so that no part is NULL (a NOT over a NULL would drop the chain).
TOUCH_OWED = (
    "NOT (c.first_touch_at IS NULL AND ((COALESCE(c.decision, '') = 'REJECTED' "
    "AND c.decided_at <= c.first_touch_due_at) OR (c.withdrawn_at IS NOT NULL "
    "AND c.withdrawn_at <= c.first_touch_due_at)))"
)
TOUCH_KEPT = "c.first_touch_at <= c.first_touch_due_at"
# The follow-ups counted before the touch window closed: per chain, looked up
# by the chain on SQLite; on PostgreSQL, where a lookup per chain is a subplan
# run for every chain (and JIT-compiled for it), counted once for the chains
# whose window closed in the scope and joined (``a``).
_COUNTED = (
    "(SELECT COUNT(*) FROM follow_up f WHERE f.chain_id = c.id "
    "AND f.counts_at < c.touch_window_ends_at)"
)
_COUNTS = (
    "LEFT JOIN (SELECT f.chain_id, COUNT(*) AS n FROM follow_up f "
    "JOIN handoff_chain w ON w.id = f.chain_id "
    "WHERE f.counts_at < w.touch_window_ends_at AND w.decision = 'ACCEPTED' "
    "AND w.touch_window_ends_at >= ? AND w.touch_window_ends_at < ? "
    "GROUP BY f.chain_id) a ON a.chain_id = c.id"
)


def _attempts_kept(scope: Scope) -> tuple[str, str, list[object]]:
    """The condition that a chain's touch attempts were made in time, and the
    join it reads (with its parameters)."""
    if db.dialect() == "sqlite":
        return f"{_COUNTED} >= c.touch_attempts_needed", "", []
    kept = "COALESCE(a.n, 0) >= c.touch_attempts_needed"
    return kept, _COUNTS, [scope.opens, scope.due_until]


def clock_conditions(scope: Scope, clock: str) -> tuple[str, list[object]]:
    """Chains (``c``) whose ``clock`` (``accept``, ``touch`` or ``attempts``)
    fell due in the scope and was owed."""
    column, owed = {
        "accept": ("accept_due_at", ACCEPT_OWED),
        "touch": ("first_touch_due_at", TOUCH_OWED),
        "attempts": ("touch_window_ends_at", "c.decision = 'ACCEPTED'"),
    }[clock]
    fell, p1 = scope.fell(f"c.{column}")
    persona, p2 = scope.persona("c.persona_id")
    return f"{fell} AND {owed} AND {persona}", [*p1, *p2]


async def sales(scope: Scope) -> Sales:
    """One statement."""
    parts = [clock_conditions(scope, c) for c in ("accept", "touch", "attempts")]
    (accept, pa), (touch, pt), (attempts, pw) = parts
    attempts_kept, counts, pc = _attempts_kept(scope)
    rows = await db.read(
        f"SELECT SUM(CASE WHEN {accept} THEN 1 ELSE 0 END) AS accept_due, "
        f"SUM(CASE WHEN {accept} AND {ACCEPT_KEPT} THEN 1 ELSE 0 END) AS accept_kept, "
        f"SUM(CASE WHEN {touch} THEN 1 ELSE 0 END) AS touch_due, "
        f"SUM(CASE WHEN {touch} AND {TOUCH_KEPT} THEN 1 ELSE 0 END) AS touch_kept, "
        f"SUM(CASE WHEN {attempts} THEN 1 ELSE 0 END) AS attempts_due, "
        f"SUM(CASE WHEN {attempts} AND {attempts_kept} THEN 1 ELSE 0 END) "
        f"AS attempts_kept FROM handoff_chain c {counts} "
        f"WHERE ({accept}) OR ({touch}) OR ({attempts})",
        *pa,
        *pa,
        *pt,
        *pt,
        *pw,
        *pw,
        *pc,
        *pa,
        *pt,
        *pw,
    )
    row = rows[0]
    return Sales(
        due=number(row["touch_due"]),
        met=number(row["touch_kept"]),
        accept_due=number(row["accept_due"]),
        accept_on_time=number(row["accept_kept"]),
        attempts_due=number(row["attempts_due"]),
        attempts_met=number(row["attempts_kept"]),
    )


@dataclass(frozen=True)
class SlaRevision:
    """An SLA revision as the metrics read it: when it applied and its terms."""

    agreement_id: int
    number: int
    starts: datetime
    ends: datetime | None
    terms: dict[str, Any]

    def commitment(self) -> Commitment | None:
        """Its volume over [activation, supersession) ∩ [effectiveFrom,
        effectiveUntil); None when the two do not meet."""
        since, until = self.terms.get("effectiveFrom"), self.terms.get("effectiveUntil")
        starts = max(self.starts, instant(since)) if since else self.starts
        ends = self.ends
        if until:
            ends = instant(until) if ends is None else min(ends, instant(until))
        if ends is not None and ends <= starts:
            return None
        return Commitment(
            int(self.terms.get("qualifiedLeadsPerMonth") or 0), starts, ends
        )


async def sla_revisions() -> list[SlaRevision]:
    """Every SLA revision ever in force (a handful). One statement."""
    rows = await db.read(
        "SELECT r.agreement_id, r.number, r.terms, r.activated_at, r.superseded_at, "
        "a.retired_at FROM agreement_revision r JOIN agreement a "
        "ON a.id = r.agreement_id WHERE a.kind = ? ORDER BY r.activated_at, r.id",
        AgreementKind.SERVICE_LEVEL_AGREEMENT.value,
    )
    found = []
    for row in rows:
        ends = [instant(v) for v in (row["superseded_at"], row["retired_at"]) if v]
        found.append(
            SlaRevision(
                agreement_id=int(row["agreement_id"]),
                number=int(row["number"]),
                starts=instant(row["activated_at"]),
                ends=min(ends) if ends else None,
                terms=terms_of(row["terms"]) or {},
            )
        )
    return found


def marketing_committed(scope: Scope, revisions: list[SlaRevision]) -> Decimal:
    commitments = [c for r in revisions if (c := r.commitment()) is not None]
    return committed(commitments, scope.period, scope.zone)
