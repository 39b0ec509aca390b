"""The service clock: pinned instants keep ticking, frozen ones stand still."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from server.clock import Clock

NOON = datetime(2025, 6, 2, 12, tzinfo=UTC)


def test_a_set_clock_keeps_ticking_from_the_instant() -> None:
    clock = Clock()
    clock.set(NOON)
    time.sleep(0.01)
    assert NOON < clock.now() < NOON + timedelta(seconds=5)


def test_a_frozen_clock_stands_still_and_moves_only_when_advanced() -> None:
    clock = Clock()
    clock.freeze(NOON)
    time.sleep(0.01)
    assert clock.now() == NOON
    clock.advance(90)
    assert clock.now() == NOON + timedelta(seconds=90)


def test_set_and_reset_let_a_frozen_clock_run_again() -> None:
    clock = Clock()
    clock.freeze(NOON)
    clock.reset()
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)
    clock.freeze(NOON)
    clock.set(NOON + timedelta(days=1))
    time.sleep(0.01)
    assert clock.now() > NOON + timedelta(days=1)


def test_a_clock_refuses_naive_instants() -> None:
    with pytest.raises(ValueError):
        Clock().freeze(datetime(2025, 6, 2, 12))
