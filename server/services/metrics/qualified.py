"""Qualifications in a period (SPEC §2.6 `qualifiedLeads`).

A qualification is the lead's move to MQL by qualification, automatic or by a
marketing manager (`Via.QUALIFICATION`, `Via.MANUAL_QUALIFICATION`), counted
when it was recorded: a backdated activity cannot move it into an earlier
period. The persona is the lead's when it qualified.
"""

from __future__ import annotations

from dataclasses import dataclass

from server import db
from server.domain.leads.qualification import QualifiedBy
from server.domain.leads.stages import LeadStage, Via
from server.services.metrics.scope import Scope, number

VIAS = (Via.QUALIFICATION.value, Via.MANUAL_QUALIFICATION.value)


@dataclass(frozen=True)
class Qualified:
    """Distinct leads that qualified, in all and per `qualifiedBy` (a lead that
    qualified twice in the period, differently, is in both groups)."""

    total: int
    by: dict[str, int]


def conditions(scope: Scope, alias: str = "sc") -> tuple[str, list[object]]:
    """The qualifications of the scope, as a WHERE over ``stage_change``."""
    period, p1 = scope.within(f"{alias}.at")
    persona, p2 = scope.persona(f"{alias}.persona_id")
    sql = f"{alias}.to_stage = ? AND {alias}.via IN (?, ?) AND {period} AND {persona}"
    return sql, [LeadStage.MQL.value, *VIAS, *p1, *p2]


async def qualified_leads(scope: Scope) -> Qualified:
    """One statement."""
    where, params = conditions(scope)
    rows = await db.read(
        "SELECT NULL AS by_, COUNT(DISTINCT sc.lead_id) AS n FROM stage_change sc "
        f"WHERE {where} UNION ALL "
        "SELECT sc.qualified_by AS by_, COUNT(DISTINCT sc.lead_id) AS n "
        f"FROM stage_change sc WHERE {where} AND sc.qualified_by IS NOT NULL "
        "GROUP BY sc.qualified_by",
        *params,
        *params,
    )
    total = next(number(r["n"]) for r in rows if r["by_"] is None)
    by = {q.value: 0 for q in QualifiedBy}
    for row in rows:
        if row["by_"] is not None:
            by[str(row["by_"])] = number(row["n"])
    return Qualified(total, by)
