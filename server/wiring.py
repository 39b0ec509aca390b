"""The one place an earlier package is told about a later one (STYLE.md): the
hooks are installed here when the app is built, in plain sight."""

from __future__ import annotations

from server.services.agreements import goals
from server.services.metrics import goals as metrics_goals


def wire() -> None:
    """Install every cross-package hook (idempotent)."""
    goals.install_goal_measure(metrics_goals.measure_goal)
