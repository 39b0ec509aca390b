"""`qualificationModelReport(period)` (SPEC §2.2): acceptance and win rates by
score band and by grade.

Who is counted: the leads handed to sales in the period (a handoff chain
created in it, not withdrawn — the dashboard's `delivered` plus
`deliveredManual`), with the persona at that handoff when one is asked for.
Each lead is placed by its current score and grade (scores at handoff are not
kept; a lead's score moves little once it is with sales, and the report reads
what the model says of it now). Per group: `leads`; `accepted` and `rejected`,
leads with a chain of the period so decided; `won`, leads now in WON.

One statement: the database groups the leads by band and grade and counts;
the per-band and per-grade rows are sums of those few groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from server import db
from server.clock import clock
from server.domain.core.periods import Period
from server.domain.leads.fit import Grade
from server.domain.metrics.model_report import BANDS, Band, Outcomes, band_case
from server.services.metrics.scope import Scope, number


@dataclass(frozen=True)
class ModelReport:
    scope: Scope
    total: Outcomes
    by_band: list[tuple[Band, Outcomes]]
    by_grade: list[tuple[Grade, Outcomes]]
    ungraded: int


def _chain(scope: Scope, decision: str | None) -> tuple[str, list[object]]:
    period, p1 = scope.within("c.started_at")
    persona, p2 = scope.persona("c.persona_id")
    decided = " AND c.decision = ?" if decision else ""
    return (
        "EXISTS (SELECT 1 FROM handoff_chain c WHERE c.lead_id = l.id AND "
        f"c.withdrawn_at IS NULL AND {period} AND {persona}{decided})",
        [*p1, *p2, *([decision] if decision else [])],
    )


async def model_report(
    period: Period, persona_id: int | None, zone: ZoneInfo, now: datetime | None = None
) -> ModelReport:
    """One statement."""
    scope = Scope(period, persona_id, zone, clock.now() if now is None else now)
    accepted, p1 = _chain(scope, "ACCEPTED")
    rejected, p2 = _chain(scope, "REJECTED")
    handed, p3 = _chain(scope, None)
    rows = await db.read(
        f"SELECT {band_case('l.score')} AS band, l.grade AS grade, "
        "COUNT(*) AS leads, "
        f"SUM(CASE WHEN {accepted} THEN 1 ELSE 0 END) AS accepted, "
        f"SUM(CASE WHEN {rejected} THEN 1 ELSE 0 END) AS rejected, "
        "SUM(CASE WHEN l.stage = 'WON' THEN 1 ELSE 0 END) AS won "
        f"FROM lead l WHERE {handed} GROUP BY {band_case('l.score')}, l.grade",
        *p1,
        *p2,
        *p3,
    )
    bands = {band.index: Outcomes() for band in BANDS}
    grades = {grade: Outcomes() for grade in Grade}
    total, ungraded = Outcomes(), 0
    for row in rows:
        found = Outcomes(
            number(row["leads"]),
            number(row["accepted"]),
            number(row["rejected"]),
            number(row["won"]),
        )
        total += found
        bands[int(row["band"])] += found
        if row["grade"] is None:
            ungraded += found.leads
        else:
            grades[Grade(row["grade"])] += found
    return ModelReport(
        scope,
        total,
        [(band, bands[band.index]) for band in BANDS],
        [(grade, grades[grade]) for grade in Grade],
        ungraded,
    )
