"""The qualification model report's groups (SPEC §2.2 `qualificationModelReport`)
and the simulator's precision and recall: pure arithmetic, no database.

Score bands are fixed, 25 points wide (a score below 0, 0–24, 25–49, 50–74,
75–99, 100 and over), so reports of different periods and models line up; the
grade is the model's own (A–D). Rates are exact fractions rounded by the caller;
a zero denominator gives None.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from server.domain.metrics.compliance import ratio


@dataclass(frozen=True)
class Band:
    index: int
    label: str
    score_min: int | None  # inclusive; None: open below
    score_max: int | None  # inclusive; None: open above


BAND_WIDTH = 25
BANDS = (
    Band(0, "below 0", None, -1),
    Band(1, "0–24", 0, 24),
    Band(2, "25–49", 25, 49),
    Band(3, "50–74", 50, 74),
    Band(4, "75–99", 75, 99),
    Band(5, "100 and over", 100, None),
)


def band_of(score: int) -> Band:
    """The band a score falls in (the SQL `band_case` gives the same index)."""
    for band in BANDS:
        if band.score_max is None or score <= band.score_max:
            return band
    raise AssertionError("the last band is open above")


def band_case(column: str) -> str:
    """A SQL CASE giving the band index of ``column`` (constants only)."""
    parts = [
        f"WHEN {column} <= {band.score_max} THEN {band.index}"
        for band in BANDS
        if band.score_max is not None
    ]
    return f"CASE {' '.join(parts)} ELSE {BANDS[-1].index} END"


@dataclass(frozen=True)
class Outcomes:
    """Leads handed off in a group and what became of them."""

    leads: int = 0
    accepted: int = 0
    rejected: int = 0
    won: int = 0

    def __add__(self, other: Outcomes) -> Outcomes:
        return Outcomes(
            self.leads + other.leads,
            self.accepted + other.accepted,
            self.rejected + other.rejected,
            self.won + other.won,
        )

    @property
    def acceptance_rate(self) -> Decimal | None:
        """Accepted ÷ decided (a lead both rejected and later accepted in the
        period counts in both)."""
        return ratio(self.accepted, self.accepted + self.rejected)

    @property
    def win_rate(self) -> Decimal | None:
        """Won ÷ handed off."""
        return ratio(self.won, self.leads)


@dataclass(frozen=True)
class Confusion:
    """A draft model's verdicts against past outcomes: a lead accepted or won
    is a good lead, one only rejected a bad one; others have no outcome."""

    true_positive: int
    false_positive: int
    false_negative: int
    true_negative: int

    @property
    def precision(self) -> Decimal | None:
        """Of the leads with an outcome it would qualify, the share that were good."""
        return ratio(self.true_positive, self.true_positive + self.false_positive)

    @property
    def recall(self) -> Decimal | None:
        """Of the good leads, the share it would qualify."""
        return ratio(self.true_positive, self.true_positive + self.false_negative)
