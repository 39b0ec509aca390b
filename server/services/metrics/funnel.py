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


# ``n`` moved to the stage after ``e``'s, later than ``e`` (ordered by instant,
# then id). Stages are matched by their step on the spine, numbers: no text
# comparison to sort or hash on PostgreSQL, and an expression over
# ``n.to_stage`` that SQLite cannot look up by the stage index (every later
# move into the stage, for each ``e``), so it reads the lead's own moves.
_STEP_OF_E = (
    "CASE e.to_stage "
    + " ".join(f"WHEN '{a}' THEN {i}" for i, a in enumerate(NEXT))
    + " END"
)
_STEP_OF_N = (
    "CASE n.to_stage "
    + " ".join(f"WHEN '{b}' THEN {i}" for i, b in enumerate(NEXT.values()))
    + " END"
)
_LATER = "n.at >= e.at AND (n.at > e.at OR n.id > e.id)"
# Far above any id: ``at || (id + _PAD)`` orders by instant, then id, as text.
_PAD = 10**18


def _leads(scope: Scope, alias: str) -> str:
    """The join to the leads, for the persona filter only: without one, the
    stage history alone answers (the join would read every lead for nothing)."""
    if scope.persona_id is None:
        return ""
    return f"JOIN lead l ON l.id = {alias}.lead_id"


def _last_moves() -> str:
    """Each lead's last stage change before the instant (``?``): its
    ``lead_id`` and ``to_stage``. PostgreSQL takes the first row per lead of
    the stage history read backwards (one pass over an index); SQLite, which
    has no DISTINCT ON, takes the row of each lead's greatest ``at`` and id
    (a bare column beside a single MAX comes from that row; stored instants
    order as text, ids are padded to one width)."""
    if db.dialect() == "sqlite":
        return (
            "SELECT sc.lead_id, sc.to_stage, "
            f"MAX(sc.at || (sc.id + {_PAD})) AS latest FROM stage_change sc "
            "WHERE sc.at < ? GROUP BY sc.lead_id"
        )
    return (
        "SELECT DISTINCT ON (sc.lead_id) sc.lead_id, sc.to_stage "
        "FROM stage_change sc WHERE sc.at < ? "
        "ORDER BY sc.lead_id DESC, sc.at DESC, sc.id DESC"
    )


async def funnel_at_end(scope: Scope) -> dict[str, int]:
    """Leads per stage at the period's end, every stage listed. One statement."""
    persona, params = scope.persona("l.persona_id")
    rows = await db.read(
        f"SELECT t.to_stage AS stage, COUNT(*) AS n FROM ({_last_moves()}) t "
        f"{_leads(scope, 't')} WHERE {persona} GROUP BY t.to_stage",
        scope.closes,
        *params,
    )
    found = {str(r["stage"]): number(r["n"]) for r in rows}
    return {stage.value: found.get(stage.value, 0) for stage in LeadStage}


def _spine(alias: str) -> str:
    """On PostgreSQL, which reads the later moves in one pass to join them,
    only the moves into a stage that follows another (the rest could never
    match); SQLite looks each lead's moves up by the lead and needs no such
    filter."""
    if db.dialect() == "sqlite":
        return ""
    return (
        f" AND {alias}.to_stage IN (" + ", ".join(f"'{b}'" for b in NEXT.values()) + ")"
    )


async def conversion(scope: Scope) -> list[Step]:
    """One statement: each move into a stage of the spine in the period beside
    its lead's later moves into the next stage."""
    persona, params = scope.persona("l.persona_id")
    stages = ", ".join("?" for _ in NEXT)
    rows = await db.read(
        "SELECT e.to_stage AS stage, COUNT(DISTINCT e.lead_id) AS entered, "
        "COUNT(DISTINCT CASE WHEN n.id IS NOT NULL THEN e.lead_id END) AS advanced "
        f"FROM stage_change e {_leads(scope, 'e')} LEFT JOIN stage_change n "
        f"ON n.lead_id = e.lead_id AND {_STEP_OF_N} = {_STEP_OF_E} AND {_LATER}"
        f"{_spine('n')} WHERE e.to_stage IN ({stages}) "
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
