"""A page of goals with their progress costs a fixed number of statements,
whatever the number of goals and their metrics (computed ones are measured
together, in one statement), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from server import db
from tests.agreement_steps import CREATE_GOAL, GOAL_INPUT, Table
from tests.helpers import Api

pytestmark = pytest.mark.read_connections

METRICS = (
    "QUALIFIED_LEADS",
    "NEW_CUSTOMERS",
    "PIPELINE_VALUE",
    "WON_REVENUE",
    "RECURRING_REVENUE",
    "MANUAL",
)
PAGE = """{ goals(first: 50, filter: {status: [ACTIVE]}) {
  edges { node { title progress { current target ratio expectedRatio status } } }
} }"""


async def add_goal(table: Table, n: int) -> None:
    made = await table.call(
        "marketing",
        CREATE_GOAL,
        {
            "terms": {
                **GOAL_INPUT,
                "title": f"Goal {n}",
                "metric": METRICS[n % len(METRICS)],
            }
        },
    )
    goal_id = made["goal"]["id"]
    content_hash = await table.propose(goal_id)
    await table.sign(goal_id, content_hash, "marketing")
    await table.sign(goal_id, content_hash, "sales")


async def test_goal_progress_costs_the_same_statements_for_2_or_12_goals(
    api: Api,
) -> None:
    table = await Table.seat(api)
    counts: dict[int, int] = {}
    made = 0
    for wanted in (2, 12):
        while made < wanted:
            await add_goal(table, made)
            made += 1
        table.api.use_session(table.sessions["rep"])
        with db.count_statements() as statements:
            found = (await table.api.gql(PAGE)).data["goals"]["edges"]
        assert len(found) == wanted
        assert all(edge["node"]["progress"] is not None for edge in found)
        counts[wanted] = len(statements)
    # authentication, the page, its count, the latest measurements, and the
    # computed goals measured together
    assert counts == {2: 5, 12: 5}, counts
