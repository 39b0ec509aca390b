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
from server.domain.leads.stages import LeadStage
from server.domain.metrics.compliance import ratio
from server.services.metrics.scope import Scope, number

SPINE = (
    LeadStage.MQL,
    LeadStage.SAL,
    LeadStage.SQL,
    LeadStage.OPPORTUNITY,
    LeadStage.WON,
)
NEXT = {SPINE[i].value: SPINE[i + 1].value for i in range(len(SPINE) - 1)}


@dataclass(frozen=True)
class Step:
    stage: str
    next_stage: str
    entered: int
    advanced: int

    @property
    def rate(self) -> Decimal | None:
        return ratio(self.advanced, self.entered)


LATER = "(n.at > e.at OR (n.at = e.at AND n.id > e.id))"
_NEXT_OF = (
    "CASE e.to_stage "
    + " ".join(f"WHEN '{a}' THEN '{b}'" for a, b in NEXT.items())
    + " END"
)


def last_move_before(alias: str = "sc") -> str:
    """``alias`` is its lead's last stage change before the instant (``?``)."""
    return (
        f"{alias}.at < ? AND NOT EXISTS (SELECT 1 FROM stage_change s2 "
        f"WHERE s2.lead_id = {alias}.lead_id AND s2.at < ? AND (s2.at > {alias}.at "
        f"OR (s2.at = {alias}.at AND s2.id > {alias}.id)))"
    )


def _leads(scope: Scope, alias: str) -> str:
    """The join to the leads, for the persona filter only: without one, the
    stage history alone answers (the join would read every lead for nothing)."""
    if scope.persona_id is None:
        return ""
    return f"JOIN lead l ON l.id = {alias}.lead_id"


async def funnel_at_end(scope: Scope) -> dict[str, int]:
    """Leads per stage at the period's end, every stage listed. One statement."""
    persona, params = scope.persona("l.persona_id")
    rows = await db.fetch(
        "SELECT sc.to_stage AS stage, COUNT(*) AS n FROM stage_change sc "
        f"{_leads(scope, 'sc')} WHERE {last_move_before()} "
        f"AND {persona} GROUP BY sc.to_stage",
        scope.closes,
        scope.closes,
        *params,
    )
    found = {str(r["stage"]): number(r["n"]) for r in rows}
    return {stage.value: found.get(stage.value, 0) for stage in LeadStage}


def entered_conditions(scope: Scope, stage: str) -> tuple[str, list[object]]:
    """Leads (``l``) that entered ``stage`` in the period: as an EXISTS."""
    return (
        "EXISTS (SELECT 1 FROM stage_change e WHERE e.lead_id = l.id "
        "AND e.to_stage = ? AND e.at >= ? AND e.at < ?)",
        [stage, scope.opens, scope.closes],
    )


def advanced_conditions(scope: Scope, stage: str) -> tuple[str, list[object]]:
    """Leads (``l``) that entered ``stage`` in the period and later reached
    the next stage: as an EXISTS."""
    return (
        "EXISTS (SELECT 1 FROM stage_change e JOIN stage_change n "
        "ON n.lead_id = e.lead_id AND n.to_stage = ? AND "
        f"{LATER} WHERE e.lead_id = l.id AND e.to_stage = ? "
        "AND e.at >= ? AND e.at < ?)",
        [NEXT[stage], stage, scope.opens, scope.closes],
    )


async def conversion(scope: Scope) -> list[Step]:
    """One statement."""
    persona, params = scope.persona("l.persona_id")
    stages = ", ".join("?" for _ in NEXT)
    rows = await db.fetch(
        "SELECT e.to_stage AS stage, COUNT(DISTINCT e.lead_id) AS entered, "
        "COUNT(DISTINCT CASE WHEN EXISTS (SELECT 1 FROM stage_change n "
        f"WHERE n.lead_id = e.lead_id AND n.to_stage = {_NEXT_OF} AND {LATER}) "
        "THEN e.lead_id END) AS advanced FROM stage_change e "
        f"{_leads(scope, 'e')} WHERE e.to_stage IN ({stages}) "
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
