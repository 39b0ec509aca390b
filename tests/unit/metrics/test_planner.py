"""The goal planner works a revenue target back to monthly MQLs (SPEC §2.2)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain.metrics.planner import PlanProblem, Rates, plan

RATES = Rates(Decimal("0.5"), Decimal("0.4"), Decimal("0.25"))
rates = st.decimals(min_value=Decimal("0.01"), max_value=1, places=2)


def test_a_million_in_revenue_worked_back_step_by_step() -> None:
    # 1,000,000 ÷ 20,000 = 50 deals; ÷ 0.25 = 200 SQLs; ÷ 0.4 = 500 SALs;
    # ÷ 0.5 = 1,000 MQLs; over 12 months 83.3 → 84 a month
    found = plan(Decimal(1_000_000), Decimal(20_000), RATES, 12)
    assert [(s.name, s.value) for s in found.steps] == [
        ("revenue", 1_000_000),
        ("deals", 50),
        ("sqls", 200),
        ("sals", 500),
        ("mqls", 1000),
    ]
    assert found.mqls_per_month == 84


def test_fractions_round_up_at_each_step_shown() -> None:
    found = plan(Decimal(10_000), Decimal(3_000), RATES, 1)
    assert found.steps[1].value == 4  # 3.33 deals
    assert found.steps[1].exact == Fraction(10, 3)


@pytest.mark.parametrize(
    ("deal", "given_rates", "field"),
    [
        (Decimal(0), RATES, "averageDealSize"),
        (Decimal(10), Rates(Decimal(0), Decimal("0.5"), Decimal("0.5")), "mqlToSal"),
        (
            Decimal(10),
            Rates(Decimal("0.5"), Decimal("1.2"), Decimal("0.5")),
            "salToSql",
        ),
    ],
)
def test_a_plan_needs_a_deal_size_and_rates_above_zero(
    deal: Decimal, given_rates: Rates, field: str
) -> None:
    with pytest.raises(PlanProblem) as refused:
        plan(Decimal(1000), deal, given_rates, 3)
    assert refused.value.field == field


@given(
    st.integers(1, 10**9),
    st.integers(1, 10**6),
    rates,
    rates,
    rates,
    st.integers(1, 36),
)
def test_the_monthly_mqls_are_the_least_that_reach_the_target(
    revenue: int, deal: int, a: Decimal, b: Decimal, c: Decimal, months: int
) -> None:
    found = plan(Decimal(revenue), Decimal(deal), Rates(a, b, c), months)
    reached = Fraction(found.mqls_per_month * months) * Fraction(a) * Fraction(b)
    reached *= Fraction(c) * deal
    assert reached >= revenue
    fewer = Fraction((found.mqls_per_month - 1) * months) * Fraction(a)
    assert fewer * Fraction(b) * Fraction(c) * deal < revenue
    values = [s.value for s in found.steps]
    assert values[2] <= values[3] <= values[4]  # SQLs ≤ SALs ≤ MQLs
