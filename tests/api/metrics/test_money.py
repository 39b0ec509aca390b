"""Money says its currency (SPEC §2.3): every amount has a `…Money` sibling
`Money { amount currency }` in ACCORD_CURRENCY — here EUR — on SQLite and
PostgreSQL."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest

from server.settings import Settings
from server.wiring import wire
from tests.helpers import Api
from tests.metrics_steps import MARCH, World, march_world

pytestmark = pytest.mark.read_connections

MONEY = "{ amount currency }"
READ = f"""
query($email: String!, $period: PeriodInput!, $plan: GoalPlanInput!) {{
  leadByEmail(email: $email) {{ amount amountMoney {MONEY} }}
  leadSegments(groupBy: COUNTRY) {{ wonRevenue wonRevenueMoney {MONEY}
    recurringRevenueMoney {MONEY} }}
  dashboard(period: $period, timezone: "Europe/Berlin") {{
    goals {{ metric progress {{ current currentMoney {MONEY} targetMoney {MONEY} }} }}
  }}
  goalPlan(input: $plan) {{ averageDealSize averageDealSizeMoney {MONEY}
    observed {{ averageDealSizeMoney {MONEY} }} }}
}}"""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    euros = dataclasses.replace(settings, currency="EUR")
    wire(euros)
    return euros


async def read(world: World) -> dict[str, Any]:
    found: dict[str, Any] = await world.room.query(
        "leader",
        READ,
        email="l0@logistics.example",
        period=MARCH,
        plan={"revenue": "12000", "months": 3, "averageDealSize": "1000"},
    )
    return found


async def test_every_amount_says_its_currency(api: Api) -> None:
    world = await march_world(api)

    found = await read(world)

    lead = found["leadByEmail"]
    assert Decimal(lead["amountMoney"]["amount"]) == Decimal(lead["amount"]) == 1000
    assert lead["amountMoney"]["currency"] == "EUR"
    segments = found["leadSegments"]
    assert sum(Decimal(s["wonRevenueMoney"]["amount"]) for s in segments) == 1000
    assert {s["wonRevenueMoney"]["currency"] for s in segments} == {"EUR"}
    assert {s["recurringRevenueMoney"]["currency"] for s in segments} == {"EUR"}
    goals = {g["metric"]: g["progress"] for g in found["dashboard"]["goals"]}
    revenue = goals["WON_REVENUE"]
    assert revenue["currentMoney"]["currency"] == "EUR"
    assert Decimal(revenue["currentMoney"]["amount"]) == Decimal(revenue["current"])
    assert Decimal(revenue["targetMoney"]["amount"]) > 0
    # a count is no money
    assert goals["QUALIFIED_LEADS"]["currentMoney"] is None
    assert goals["QUALIFIED_LEADS"]["targetMoney"] is None
    plan = found["goalPlan"]
    assert plan["averageDealSizeMoney"] == {"amount": "1000", "currency": "EUR"}


async def test_a_lead_without_a_deal_has_no_money(api: Api) -> None:
    world = await march_world(api)

    found = await world.room.query(
        "leader",
        "query($e: String!) { leadByEmail(email: $e) { "
        "amount amountMoney { amount } } }",
        e="l5@logistics.example",
    )

    assert found["leadByEmail"] == {"amount": None, "amountMoney": None}
