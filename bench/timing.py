"""What one timed measurement produces, whichever tool made it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Timing:
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    first_error: str = ""
    client_cpu_s: float | None = None  # the load generator's own, when it knows

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "rps": self.rps}


def percentile(sorted_ms: list[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted list (0 when it is empty)."""
    if not sorted_ms:
        return 0.0
    rank = max(0, min(len(sorted_ms) - 1, round(pct / 100 * len(sorted_ms)) - 1))
    return sorted_ms[rank]


def summarise(
    latencies_ms: list[float],
    errors: int,
    seconds: float,
    first_error: str = "",
    client_cpu_s: float | None = None,
) -> Timing:
    ordered = sorted(latencies_ms)
    return Timing(
        requests=len(ordered),
        errors=errors,
        seconds=seconds,
        p50_ms=percentile(ordered, 50),
        p99_ms=percentile(ordered, 99),
        mean_ms=sum(ordered) / len(ordered) if ordered else 0.0,
        max_ms=ordered[-1] if ordered else 0.0,
        first_error=first_error,
        client_cpu_s=client_cpu_s,
    )
