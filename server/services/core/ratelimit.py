"""Per-user budgets of cost points per minute (token buckets, kept in memory).

Each worker keeps its own buckets; with N workers a user can spend up to N times
the budget. That trade keeps a read a read (no database write per request).
"""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass
class Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._buckets: dict[str, Bucket] = {}

    def take(self, key: str, cost: int) -> tuple[bool, float, float]:
        """Spend ``cost``; return (allowed, remaining, seconds until it would fit)."""
        now = time.monotonic()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = Bucket(self.capacity, now)
        bucket.tokens = min(
            self.capacity, bucket.tokens + (now - bucket.updated) * self.rate
        )
        bucket.updated = now
        if cost <= bucket.tokens:
            bucket.tokens -= cost
            return True, bucket.tokens, 0.0
        wait = (min(cost, self.capacity) - bucket.tokens) / self.rate
        return False, bucket.tokens, max(wait, 1.0)
