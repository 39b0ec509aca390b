"""The goal planner's arithmetic (SPEC §2.2 `goalPlan`): a revenue target worked
back through the average deal size and the waterfall's conversion rates to the
qualified leads marketing must deliver each month.

revenue ÷ average deal = deals; ÷ SQL→won = SQLs; ÷ SAL→SQL = SALs;
÷ MQL→SAL = MQLs; ÷ months = MQLs a month. The chain is computed exactly
(fractions) and each step is shown rounded up to whole records, since a
fraction of a deal is not a deal; the monthly figure is the exact total over the
months, rounded up, so it is the least that reaches the target at those rates.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import ceil


class PlanProblem(ValueError):
    """Inputs no plan can be worked from (a rate of zero, no deal size)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Rates:
    """Shares between 0 (excluded) and 1 (included)."""

    mql_to_sal: Decimal
    sal_to_sql: Decimal
    sql_to_won: Decimal


@dataclass(frozen=True)
class Step:
    name: str
    divisor: Decimal | None
    exact: Fraction
    value: int  # rounded up


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...]
    months: int
    mqls_per_month: int


def _fraction(value: Decimal) -> Fraction:
    return Fraction(value)


def plan(revenue: Decimal, average_deal: Decimal, rates: Rates, months: int) -> Plan:
    if revenue <= 0:
        raise PlanProblem("revenue", "give a revenue target above zero")
    if average_deal <= 0:
        raise PlanProblem("averageDealSize", "no average deal size to plan from")
    if months < 1:
        raise PlanProblem("months", "plan over at least one month")
    for field, rate in (
        ("sqlToWon", rates.sql_to_won),
        ("salToSql", rates.sal_to_sql),
        ("mqlToSal", rates.mql_to_sal),
    ):
        if not 0 < rate <= 1:
            raise PlanProblem(field, "a conversion rate lies above 0 and up to 1")
    exact = _fraction(revenue)
    steps = [Step("revenue", None, exact, ceil(exact))]
    for name, divisor in (
        ("deals", average_deal),
        ("sqls", rates.sql_to_won),
        ("sals", rates.sal_to_sql),
        ("mqls", rates.mql_to_sal),
    ):
        exact = exact / _fraction(divisor)
        steps.append(Step(name, divisor, exact, ceil(exact)))
    return Plan(tuple(steps), months, ceil(exact / months))
