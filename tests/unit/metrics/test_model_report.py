"""The model report's bands and the simulator's precision and recall."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from server.domain.metrics.model_report import (
    BANDS,
    Confusion,
    Outcomes,
    band_case,
    band_of,
)


@given(st.integers(min_value=-10_000, max_value=10_000))
def test_the_sql_band_is_the_python_band(score: int) -> None:
    with sqlite3.connect(":memory:") as conn:
        found = conn.execute(f"SELECT {band_case('s')} FROM (SELECT ? AS s)", (score,))
        (index,) = found.fetchone()
    band = band_of(score)
    assert index == band.index
    assert band.score_min is None or score >= band.score_min
    assert band.score_max is None or score <= band.score_max


def test_bands_cover_every_score_without_gaps() -> None:
    for below, above in pairwise(BANDS):
        assert below.score_max is not None and above.score_min == below.score_max + 1
    assert BANDS[0].score_min is None and BANDS[-1].score_max is None


def test_rates_and_zero_denominators() -> None:
    found = Outcomes(8, 6, 2, 1) + Outcomes()
    assert found.acceptance_rate == Decimal("0.75")
    assert found.win_rate == Decimal("0.125")
    assert Outcomes().acceptance_rate is None
    confusion = Confusion(7, 1, 0, 0)
    assert (confusion.precision, confusion.recall) == (Decimal("0.875"), Decimal(1))
    assert Confusion(0, 0, 7, 1).precision is None
