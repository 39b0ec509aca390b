"""One benchmarked operation and one concrete request of it (see `bench.operations`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.datasets import Caller, Sizes

Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class Sample:
    """One concrete request: who sends it, its variables, its floor parameters."""

    caller: Caller
    variables: dict[str, Any] = field(default_factory=dict)
    params: tuple[tuple[Any, ...], ...] = ()  # one tuple per floor statement


@dataclass(frozen=True)
class Operation:
    name: str
    title: str
    document: str
    floor: tuple[str, ...]
    expected: Callable[[list[Rows], Sample], dict[str, Any]]
    samples: Callable[[list[Caller], Sizes], list[Sample]]
    peer_equivalent: str | None = None
    # Slow operations (seconds a request): the connection counts to time them
    # at instead of `--connections`, and the least seconds a measurement lasts
    # (outside `--smoke`), so it holds enough requests for a p50.
    connections: tuple[int, ...] | None = None
    min_duration: float = 0.0
    timeout: float = 10.0  # seconds after which the load counts a request failed
    # The target for the p50 at the lowest connection count, by
    # database ("sqlite", "postgres"); the report says whether it was met.
    p50_target_ms: dict[str, float] | None = None

    def floor_params(self, sample: Sample) -> tuple[tuple[Any, ...], ...]:
        return sample.params or tuple(() for _ in self.floor)
