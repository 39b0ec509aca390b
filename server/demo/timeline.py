"""The demo's clock of record: steps queued by instant, replayed in order.

Ties run in the order they were queued, so a replay is deterministic. Before
each step the service clock is frozen at its instant: every record the step
makes carries exactly that instant.
"""

from __future__ import annotations

import heapq
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from server.clock import clock
from server.services.core.mutations import Outcome

T = TypeVar("T")
Step = Callable[[], Awaitable[None]]


class DemoFailed(Exception):
    """A use case refused a step of the demo: a bug in the demo or in the use case."""


def ok(outcome: Outcome[T], what: str) -> T:
    """The result of a use case that must succeed."""
    if outcome.errors or outcome.result is None:
        problems = "; ".join(f"{e.code.value}: {e.message}" for e in outcome.errors)
        raise DemoFailed(f"{what}: {problems or 'no result'}")
    return outcome.result


@dataclass
class Timeline:
    counts: dict[str, int] = field(default_factory=dict)
    _queue: list[tuple[datetime, int, Step]] = field(default_factory=list)
    _queued: int = 0

    def at(self, when: datetime, step: Step) -> None:
        heapq.heappush(self._queue, (when, self._queued, step))
        self._queued += 1

    async def run(self, end: datetime) -> dict[str, int]:
        """Replay every step up to `end`; later ones are dropped (what they
        would have done has not happened yet at `end`)."""
        while self._queue and self._queue[0][0] <= end:
            when, _, step = heapq.heappop(self._queue)
            clock.freeze(when)
            await step()
        return self.counts

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n
