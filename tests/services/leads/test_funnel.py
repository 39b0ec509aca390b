"""The live funnel: counters from insert-only deltas, folded periodically."""

from __future__ import annotations

from server import db
from server.services.leads import funnel
from tests.helpers import Api
from tests.lead_steps import seat, well_fitting

FUNNEL = "{ leadFunnel { stage count } }"
MOVE = """
mutation($input: MoveLeadStageInput!) {
  moveLeadStage(input: $input) { userErrors { code } }
}"""


async def counted() -> dict[str, int]:
    rows = await db.fetch("SELECT stage, COUNT(*) AS n FROM lead GROUP BY stage")
    return {str(r["stage"]): int(r["n"]) for r in rows}


async def test_the_funnel_counts_every_stage_before_and_after_folding(
    api: Api,
) -> None:
    desk = await seat(api)
    await desk.activate_model()
    done = await desk.upsert([well_fitting(f"f{n}@example.com") for n in range(4)])
    ids = [r["lead"]["id"] for r in done["results"]]
    for lead_id in ids[:2]:
        moved = await desk.call(
            "member", MOVE, {"leadId": lead_id, "stage": "NURTURING"}
        )
        assert moved["userErrors"] == []
    moved = await desk.call(
        "marketing", MOVE, {"leadId": ids[2], "stage": "MQL", "reason": "met at a fair"}
    )
    assert moved["userErrors"] == []

    async def shown() -> dict[str, int]:
        rows = (await desk.query("rep", FUNNEL))["leadFunnel"]
        return {r["stage"]: r["count"] for r in rows if r["count"]}

    expected = {"NEW": 1, "NURTURING": 2, "MQL": 1}
    assert await counted() == expected
    assert await shown() == expected
    assert await funnel.fold() == 10  # 4 creations, then 3 moves of two rows each
    assert await shown() == expected
    assert await funnel.fold() == 0
    rows = (await desk.query("rep", FUNNEL))["leadFunnel"]
    assert [r["stage"] for r in rows][:3] == ["NEW", "NURTURING", "MQL"]
