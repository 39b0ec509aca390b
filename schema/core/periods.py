"""The period every report takes (`dashboard`, `metricSeries`, `turnaround`, …)."""

from __future__ import annotations

import strawberry


@strawberry.input(description="A half-open period [from, to).")
class PeriodInput:
    from_: str = strawberry.field(
        name="from",
        description="An ISO instant with its UTC offset, or an ISO date (its "
        "midnight in the reporting timezone).",
    )
    to: str = strawberry.field(description="As `from`; the period ends before it.")


__all__ = ["PeriodInput"]
