"""`qualificationModelReport` and `simulateQualificationModel` over the
hand-built month (`tests.metrics_steps`), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from server import db
from server.services.core import ids
from server.services.metrics import simulation
from server.services.people.auth import SESSION_COOKIE
from tests.agreement_steps import CREATE_MODEL, model_input
from tests.helpers import Api
from tests.metrics_steps import LEAD_TOTAL, MARCH, World, march_world

pytestmark = pytest.mark.read_connections

ROW = """
  leads { count leads } accepted { count leads } rejected { count leads }
  won { count leads } acceptanceRate winRate
"""
REPORT = f"""
query($period: PeriodInput!, $personaId: ID) {{
  qualificationModelReport(period: $period, personaId: $personaId) {{
    period {{ from to }}
    total {{ {ROW} }}
    byBand {{ label scoreMin scoreMax {ROW} }}
    byGrade {{ grade {ROW} }}
    ungraded
  }}
}}"""
VERDICTS = """{ qualifyNow truePositives falsePositives falseNegatives
  trueNegatives precision recall }"""
SIMULATE = f"""
query($terms: QualificationModelTermsInput, $id: ID) {{
  simulateQualificationModel(terms: $terms, qualificationModelId: $id) {{
    simulation {{
      leads withOutcome goodLeads inForceRevision
      draft {VERDICTS} inForce {VERDICTS}
    }}
    userErrors {{ code field message }}
  }}
}}"""
COUNTS = ("leads", "accepted", "rejected", "won")


@pytest.fixture
async def world(api: Api) -> World:
    return await march_world(api)


async def report(world: World, period: dict[str, str] = MARCH, **extra: Any) -> Any:
    found = await world.room.query("leader", REPORT, period=period, **extra)
    return found["qualificationModelReport"]


def counts(row: dict[str, Any]) -> tuple[int, ...]:
    return tuple(row[name]["count"] for name in COUNTS)


async def test_the_months_handoffs_by_band_and_grade(world: World) -> None:
    with db.count_statements() as statements:
        found = await report(world)
    assert len(statements) == 2, statements  # the session, the report
    # handed off in March, not withdrawn: L1 L2 L3 L4 L5 L6 L7 (L0 in February,
    # L8 pulled back); accepted: L1 L2 (its second chain) L3 L4 L5 L6;
    # rejected: L2 (first chain) L7; none won yet (L0 won, handed off before)
    total = found["total"]
    assert counts(total) == (7, 6, 2, 0)
    assert total["acceptanceRate"] == 0.75
    assert total["winRate"] == 0.0
    assert found["byBand"][0]["label"] == "below 0"
    for name in COUNTS:
        n = total[name]["count"]
        assert sum(b[name]["count"] for b in found["byBand"]) == n
        assert sum(g[name]["count"] for g in found["byGrade"]) <= n
    assert (
        sum(g["leads"]["count"] for g in found["byGrade"]) + found["ungraded"]
        == total["leads"]["count"]
    )
    # February to April: L0 too, won
    wider = await report(world, {"from": "2026-02-01", "to": "2026-05-01"})
    assert counts(wider["total"]) == (8, 7, 2, 1)
    assert wider["total"]["winRate"] == 0.125


async def test_every_count_of_the_report_opens_onto_exactly_its_leads(
    world: World,
) -> None:
    for persona in (None, world.personas["p2"]):
        found = await report(world, personaId=persona)
        rows = [found["total"], *found["byBand"], *found["byGrade"]]
        for row in rows:
            for name in COUNTS:
                figure = row[name]
                listed = await world.room.query(
                    "leader", LEAD_TOTAL, filter=figure["leads"]
                )
                assert listed["leads"]["totalCount"] == figure["count"], (
                    persona,
                    row.get("label") or row.get("grade"),
                    name,
                    figure,
                )
    p2 = await report(world, personaId=world.personas["p2"])
    assert counts(p2["total"]) == (1, 1, 0, 0)  # L4, persona changed by hand


async def simulate(world: World, who: str = "leader", **variables: Any) -> Any:
    found = await world.room.query(who, SIMULATE, **variables)
    return found["simulateQualificationModel"]


async def test_the_model_in_force_simulated_agrees_with_itself(world: World) -> None:
    with db.count_statements() as statements:
        done = await simulate(world, terms=model_input())
    assert done["userErrors"] == []
    found = done["simulation"]
    # nine leads; outcomes: L0–L6 accepted or won, L7 only rejected, L8 none
    assert (found["leads"], found["withOutcome"], found["goodLeads"]) == (9, 8, 7)
    assert found["draft"] == found["inForce"]
    assert found["inForceRevision"] == 1
    # the session, the model in force, personas checked (none named); a chunk
    # (short, so the last): its leads with their outcomes and engagement
    # estimates, every verdict certain (no tallies read for the exact path)
    assert len(statements) == 3, statements


async def test_a_lax_and_a_strict_draft_beside_the_model_in_force(
    world: World,
) -> None:
    lax = await simulate(world, terms=model_input(mqlThreshold=0, handRaiseKinds=[]))
    assert lax["userErrors"] == [], lax
    draft = lax["simulation"]["draft"]
    # every score is at least 0, but L8, back in nurture, has no activity of
    # its new cycle: it does not meet the definition (and has no outcome)
    assert draft["qualifyNow"] == 8
    assert (draft["truePositives"], draft["falsePositives"]) == (7, 1)
    assert (draft["precision"], draft["recall"]) == (0.875, 1.0)
    strict = await simulate(
        world, terms=model_input(mqlThreshold=100000, handRaiseKinds=[])
    )
    draft = strict["simulation"]["draft"]
    assert draft["qualifyNow"] == 0
    assert (draft["precision"], draft["recall"]) == (None, 0.0)
    # other half-lives: engagement tallied again from the activities, in memory
    slow = await simulate(
        world,
        terms=model_input(
            engagementRules=[
                {
                    "activityKind": "PRICING_VIEW",
                    "points": 10,
                    "maxPoints": 30,
                    "halfLifeDays": 1000,
                }
            ]
        ),
    )
    assert slow["userErrors"] == []
    assert (
        slow["simulation"]["draft"]["qualifyNow"]
        >= (slow["simulation"]["inForce"]["qualifyNow"])
    )


async def test_a_models_pending_draft_bad_terms_and_the_cost(world: World) -> None:
    made = await world.room.call(
        "marketing", CREATE_MODEL, {"terms": model_input(mqlThreshold=0)}
    )
    model_id = made["qualificationModel"]["id"]
    done = await simulate(world, id=model_id)
    assert done["simulation"]["draft"]["qualifyNow"] == 8
    neither = await simulate(world)
    assert [e["code"] for e in neither["userErrors"]] == ["INVALID_INPUT"]
    bad = await simulate(world, terms=model_input(handRaiseWindowDays=-1))
    assert [e["code"] for e in bad["userErrors"]] == ["INVALID_INPUT"]
    assert bad["userErrors"][0]["field"][0] == "terms"
    missing = await simulate(world, id=ids.encode("QualificationModel", 99999))
    assert [e["code"] for e in missing["userErrors"]] == ["NOT_FOUND"]
    world.room.api.use_session(world.room.sessions["leader"])
    response = await world.room.api.gql(SIMULATE, {"terms": model_input()})
    assert response.body["extensions"]["cost"]["requested"] > 20_000


async def test_a_second_simulation_of_the_same_user_waits_its_turn(
    world: World,
) -> None:
    """While one runs, the same user's next is refused; another user's runs."""
    simulation._running.add(await _user_key(world, "leader"))
    try:
        busy = await simulate(world, terms=model_input())
        assert [e["code"] for e in busy["userErrors"]] == ["LIMIT_EXCEEDED"]
        other = await simulate(world, "marketing", terms=model_input())
        assert other["userErrors"] == []
    finally:
        simulation._running.clear()
    again = await simulate(world, terms=model_input())
    assert again["userErrors"] == []


async def _user_key(world: World, who: str) -> int:
    found = await world.room.query(who, "{ viewer { id } }")
    return ids.decode(found["viewer"]["id"], "User")


@pytest.mark.only_backend("postgres")
async def test_simulations_sent_at_once_run_one_at_a_time_per_user(
    world: World,
) -> None:
    """Requests fired together: of one user's, never two run at once; another
    worker's simulation (the advisory lock held elsewhere) refuses it too."""
    room = world.room
    room.api.use_session(None)

    async def send(who: str) -> Any:
        response = await room.api.gql(
            SIMULATE,
            {"terms": model_input()},
            headers={"cookie": f"{SESSION_COOKIE}={room.sessions[who]}"},
        )
        return response.data["simulateQualificationModel"]

    refused = 0
    for _ in range(10):
        answers = await asyncio.gather(send("leader"), send("leader"), send("sales"))
        codes = [[e["code"] for e in a["userErrors"]] for a in answers]
        assert codes[2] == []  # another user is never held up
        assert codes[:2].count([]) >= 1, codes  # one of the pair always runs
        refused += codes[:2].count(["LIMIT_EXCEEDED"])
    assert refused >= 5
    key = await _user_key(world, "leader")
    async with db.connection().acquire_connection() as other_worker:
        await other_worker.fetchval(
            "SELECT pg_advisory_lock($1, $2)", simulation.ADVISORY_SPACE, key
        )
        try:
            held = await send("leader")
        finally:
            await other_worker.fetchval(
                "SELECT pg_advisory_unlock($1, $2)", simulation.ADVISORY_SPACE, key
            )
    assert [e["code"] for e in held["userErrors"]] == ["LIMIT_EXCEEDED"]
