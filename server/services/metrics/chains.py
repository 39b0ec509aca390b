"""Handoff figures over the chains created in a period (SPEC §2.6): volume
delivered, decisions, rejection reasons and the time to first touch.

A chain is a lead's handoff and its reassignments, counted once. The persona
is the lead's at the handoff. Withdrawn chains (pulled back to nurture) count
as handoffs but neither as delivered nor as owing a first touch.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

from server import db
from server.domain.leads.qualification import QualifiedBy
from server.domain.metrics.compliance import (
    MEDIAN,
    P90,
    hours,
    interpolate,
    percentile_ranks,
    ratio,
)
from server.services.metrics.scope import Scope, decimal, instant, number

AUTOMATIC = (QualifiedBy.ACTIVITY.value, QualifiedBy.MODEL_CHANGE.value)


@dataclass(frozen=True)
class Chains:
    handoffs: int
    delivered: int
    delivered_manual: int
    accepted: int
    rejected: int
    auto_accepted: int
    touched: int
    untouched: int

    @property
    def acceptance_rate(self) -> Decimal | None:
        return ratio(self.accepted, self.accepted + self.rejected)


@dataclass(frozen=True)
class TouchTimes:
    median_hours: Decimal | None
    p90_hours: Decimal | None
    median_business_hours: Decimal | None


@dataclass(frozen=True)
class FirstTouch(TouchTimes):
    untouched: int


def conditions(scope: Scope, alias: str = "c") -> tuple[str, list[object]]:
    """The chains created in the scope, as a WHERE over ``handoff_chain``."""
    period, p1 = scope.within(f"{alias}.started_at")
    persona, p2 = scope.persona(f"{alias}.persona_id")
    return f"{period} AND {persona}", [*p1, *p2]


# Owing a first touch: neither withdrawn nor rejected (a rejection ends the duty).
OWED = "c.withdrawn_at IS NULL AND (c.decision IS NULL OR c.decision = 'ACCEPTED')"


async def chain_counts(scope: Scope) -> Chains:
    """One statement."""
    where, params = conditions(scope)
    auto = ", ".join("?" for _ in AUTOMATIC)
    rows = await db.read(
        "SELECT COUNT(*) AS handoffs, "
        "COUNT(DISTINCT CASE WHEN c.withdrawn_at IS NULL AND c.qualified_by "
        f"IN ({auto}) THEN c.lead_id END) AS delivered, "
        "COUNT(DISTINCT CASE WHEN c.withdrawn_at IS NULL AND (c.qualified_by "
        f"IS NULL OR c.qualified_by NOT IN ({auto})) THEN c.lead_id END) "
        "AS delivered_manual, "
        "SUM(CASE WHEN c.decision = 'ACCEPTED' THEN 1 ELSE 0 END) AS accepted, "
        "SUM(CASE WHEN c.decision = 'REJECTED' THEN 1 ELSE 0 END) AS rejected, "
        "SUM(CASE WHEN c.auto_accepted THEN 1 ELSE 0 END) AS auto_accepted, "
        "SUM(CASE WHEN c.first_touch_at IS NOT NULL THEN 1 ELSE 0 END) AS touched, "
        f"SUM(CASE WHEN c.first_touch_at IS NULL AND {OWED} THEN 1 ELSE 0 END) "
        f"AS untouched FROM handoff_chain c WHERE {where}",
        *AUTOMATIC,
        *AUTOMATIC,
        *params,
    )
    row = rows[0]
    return Chains(
        handoffs=number(row["handoffs"]),
        delivered=number(row["delivered"]),
        delivered_manual=number(row["delivered_manual"]),
        accepted=number(row["accepted"]),
        rejected=number(row["rejected"]),
        auto_accepted=number(row["auto_accepted"]),
        touched=number(row["touched"]),
        untouched=number(row["untouched"]),
    )


async def rejection_reasons(scope: Scope) -> dict[str, int]:
    """Rejected chains per reason (a chain is decided once). One statement."""
    where, params = conditions(scope)
    rows = await db.read(
        "SELECT h.rejection_reason AS reason, COUNT(*) AS n FROM handoff h "
        "JOIN handoff_chain c ON c.id = h.chain_id "
        f"WHERE h.status = 'REJECTED' AND {where} GROUP BY h.rejection_reason",
        *params,
    )
    return {str(r["reason"]): number(r["n"]) for r in rows}


def _seconds_between(later: str, earlier: str) -> str:
    """SQL for a duration in seconds, to order by (the values themselves are
    computed exactly from the fetched instants)."""
    if db.dialect() == "sqlite":
        return f"(julianday({later}) - julianday({earlier}))"
    return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"


_WANTED = (
    "r = (n - 1) / 2 OR r = (n - 1) / 2 + 1 "
    "OR r = 9 * (n - 1) / 10 OR r = 9 * (n - 1) / 10 + 1"
)


def first_touch(times: TouchTimes, chains: Chains) -> FirstTouch:
    return FirstTouch(**asdict(times), untouched=chains.untouched)


async def touch_times(scope: Scope) -> TouchTimes:
    """Median and 90th percentile of the hours from handoff to first touch, and
    the median in business hours (stored at the touch, on the chain's SLA
    calendar), over touched chains; the database ranks them and returns only
    the rows at the percentiles' ranks. One statement."""
    where, params = conditions(scope)
    took = _seconds_between("c.first_touch_at", "c.started_at")
    business = "c.first_touch_business_hours"
    if db.dialect() == "sqlite":  # decimals are stored as text there
        business = f"CAST({business} AS REAL)"
    rows = await db.read(
        "SELECT * FROM (SELECT c.started_at, c.first_touch_at, "
        "c.first_touch_business_hours AS bh, "
        f"ROW_NUMBER() OVER (ORDER BY {took}, c.id) - 1 AS r, "
        f"ROW_NUMBER() OVER (ORDER BY {business}, c.id) - 1 "
        "AS rb, COUNT(*) OVER () AS n FROM handoff_chain c "
        f"WHERE c.first_touch_at IS NOT NULL AND {where}) t "
        f"WHERE {_WANTED} OR {_WANTED.replace('r =', 'rb =')}",
        *params,
    )
    elapsed = {
        number(r["r"]): _seconds(
            instant(r["first_touch_at"]) - instant(r["started_at"])
        )
        for r in rows
    }
    stored = {number(r["rb"]): decimal(r["bh"]) for r in rows}
    n = number(rows[0]["n"]) if rows else 0
    return TouchTimes(
        median_hours=_hours_at(elapsed, n, MEDIAN),
        p90_hours=_hours_at(elapsed, n, P90),
        median_business_hours=_at(stored, n, MEDIAN),
    )


def _seconds(delta: timedelta) -> Decimal:
    """A duration in seconds, exactly (to the microsecond)."""
    whole = delta.days * 86_400 + delta.seconds
    return Decimal(whole) + Decimal(delta.microseconds) / 1_000_000


def _at(values: dict[int, Decimal], n: int, fraction: Fraction) -> Decimal | None:
    ranks = percentile_ranks(n, fraction)
    if ranks is None:
        return None
    found = interpolate(ranks, values[ranks.low], values[ranks.high])
    return found.quantize(Decimal("0.000001"))


def _hours_at(
    seconds: dict[int, Decimal], n: int, fraction: Fraction
) -> Decimal | None:
    found = _at(seconds, n, fraction)
    return None if found is None else hours(found)
