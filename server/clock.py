"""The one clock every service and background job reads.

In production it is the system clock. With ``ACCORD_TEST_CLOCK=1`` tests can pin it
to an instant or move it forward through ``POST /_test/clock``; it then keeps
ticking from the pinned instant so that durations measured in a request stay real.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self) -> None:
        self._offset = 0.0
        self._frozen: datetime | None = None

    def now(self) -> datetime:
        if self._frozen is not None:
            return self._frozen
        return datetime.fromtimestamp(time.time() + self._offset, UTC)

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("the clock takes timezone-aware instants only")
        self._frozen = None
        self._offset = instant.timestamp() - time.time()

    def freeze(self, instant: datetime) -> None:
        """Stop the clock at `instant` until `set` or `reset`: a replay of
        history (the demo company) then records the same instants every time."""
        if instant.tzinfo is None:
            raise ValueError("the clock takes timezone-aware instants only")
        self._frozen = instant.astimezone(UTC)

    def advance(self, seconds: float) -> None:
        if self._frozen is not None:
            self._frozen += timedelta(seconds=seconds)
            return
        self._offset += seconds

    def reset(self) -> None:
        self._frozen = None
        self._offset = 0.0

    def since(self, then: datetime) -> timedelta:
        return self.now() - then


clock = Clock()
