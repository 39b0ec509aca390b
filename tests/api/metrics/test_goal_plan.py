"""`goalPlan` over the hand-built month (`tests.metrics_steps`), on SQLite and
PostgreSQL: rates observed over the last 180 days, or given."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from server.domain.metrics.planner import Rates, plan
from tests.helpers import Api
from tests.metrics_steps import World, march_world

pytestmark = pytest.mark.read_connections

GOAL_PLAN = """
query($input: GoalPlanInput!) {
  goalPlan(input: $input) {
    steps { name divisor exact value }
    months qualifiedLeadsPerMonth mqlToSal salToSql sqlToWon averageDealSize
    observed { from to mqlToSal salToSql sqlToWon averageDealSize }
  }
}"""


@pytest.fixture
async def world(api: Api) -> World:
    return await march_world(api)


async def planned(world: World, **input: Any) -> Any:
    world.room.api.use_session(world.room.sessions["leader"])
    return await world.room.api.gql(GOAL_PLAN, {"input": input})


async def test_a_plan_from_the_rates_observed_over_180_days(world: World) -> None:
    found = (await planned(world, revenue="12000", months=3)).data["goalPlan"]
    seen = found["observed"]
    # MQL: L0–L8 (9 leads), 7 reached SAL; SAL: L0–L6, only L0 reached SQL;
    # SQL: L0, won on 2 April for 1,000
    assert seen["mqlToSal"] == pytest.approx(7 / 9, abs=1e-6)
    assert seen["salToSql"] == pytest.approx(1 / 7, abs=1e-6)
    assert seen["sqlToWon"] == 1.0
    assert Decimal(seen["averageDealSize"]) == Decimal(1000)
    expected = plan(
        Decimal(12000),
        Decimal(1000),
        Rates(Decimal(found["mqlToSal"]), Decimal(found["salToSql"]), Decimal(1)),
        3,
    )
    assert [s["value"] for s in found["steps"]] == [s.value for s in expected.steps]
    assert found["steps"][1] == {
        "name": "deals",
        "divisor": "1000.00",
        "exact": 12.0,
        "value": 12,
    }
    assert found["qualifiedLeadsPerMonth"] == expected.mqls_per_month


async def test_given_rates_replace_the_observed_ones(world: World) -> None:
    found = await planned(
        world,
        revenue="1000000",
        months=12,
        averageDealSize="20000",
        mqlToSal="0.5",
        salToSql="0.4",
        sqlToWon="0.25",
    )
    plan_ = found.data["goalPlan"]
    assert [s["value"] for s in plan_["steps"]] == [1000000, 50, 200, 500, 1000]
    assert plan_["qualifiedLeadsPerMonth"] == 84


async def test_a_plan_without_data_or_with_a_zero_rate_is_refused(
    world: World,
) -> None:
    none_seen = await planned(world, revenue="1000", months=1, lookBackDays=1)
    assert none_seen.error_codes == ["INVALID_INPUT"]
    zero = await planned(world, revenue="1000", months=1, mqlToSal="0")
    assert zero.error_codes == ["INVALID_INPUT"]
