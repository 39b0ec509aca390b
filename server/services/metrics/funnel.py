"""The waterfall over a period (SPEC §2.6 `funnel`, `conversion`); the persona
is the lead's now.

- `funnel`: leads per stage at the period's end, from each lead's last stage
  change before it.
- `conversion`: of the leads entering a stage of the waterfall's spine (MQL,
  SAL, SQL, OPPORTUNITY) in the period, the share that later — up to now, in
  or after the period — reached the next one (SAL, SQL, OPPORTUNITY, WON).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from server import db
from server.domain.leads.stages import NEXT_ON_SPINE, LeadStage
from server.domain.metrics.compliance import ratio
from server.services.metrics.scope import Scope, number

NEXT = NEXT_ON_SPINE


@dataclass(frozen=True)
class Step:
    stage: str
    next_stage: str
    entered: int
    advanced: int

    @property
    def rate(self) -> Decimal | None:
        return ratio(self.advanced, self.entered)


def _leads(scope: Scope, alias: str) -> str:
    """The join to the leads, for the persona filter only: without one, the
    stage history alone answers (the join would read every lead for nothing)."""
    if scope.persona_id is None:
        return ""
    return f"JOIN lead l ON l.id = {alias}.lead_id"


async def funnel_at_end(scope: Scope) -> dict[str, int]:
    """Leads per stage at the period's end, every stage listed. One statement:
    the moves standing then — a lead's last move made before it (``left_at``
    NULL) and the moves made before it that the lead left at or after it —
    each read from its partial index (migration 0020)."""
    persona, params = scope.persona("l.persona_id")
    standing = (
        "SELECT sc.to_stage, COUNT(*) AS n FROM stage_change sc "
        f"{_leads(scope, 'sc')} WHERE {{}} AND sc.at < ? AND {persona} "
        "GROUP BY sc.to_stage"
    )
    rows = await db.read(
        "SELECT t.to_stage AS stage, SUM(t.n) AS n FROM ("
        + standing.format("sc.left_at IS NULL")
        + " UNION ALL "
        + standing.format("sc.left_at >= ?")
        + ") t GROUP BY t.to_stage",
        scope.closes,
        *params,
        scope.closes,
        scope.closes,
        *params,
    )
    found = {str(r["stage"]): number(r["n"]) for r in rows}
    return {stage.value: found.get(stage.value, 0) for stage in LeadStage}


async def conversion(scope: Scope) -> list[Step]:
    """One statement: the moves into a stage of the spine in the period, with
    whether a later move took the lead to the next stage (``advanced``, kept
    by `lead_store.settle_stage_history`), from the entries' index alone."""
    persona, params = scope.persona("l.persona_id")
    stages = ", ".join("?" for _ in NEXT)
    rows = await db.read(
        "SELECT e.to_stage AS stage, COUNT(DISTINCT e.lead_id) AS entered, "
        "COUNT(DISTINCT CASE WHEN e.advanced THEN e.lead_id END) AS advanced "
        f"FROM stage_change e {_leads(scope, 'e')} WHERE e.to_stage IN ({stages}) "
        f"AND e.at >= ? AND e.at < ? AND {persona} GROUP BY e.to_stage",
        *NEXT,
        scope.opens,
        scope.closes,
        *params,
    )
    found = {str(r["stage"]): r for r in rows}
    return [
        Step(
            stage,
            following,
            number(found[stage]["entered"]) if stage in found else 0,
            number(found[stage]["advanced"]) if stage in found else 0,
        )
        for stage, following in NEXT.items()
    ]
