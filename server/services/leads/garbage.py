"""Fewer cyclic garbage collections while scoring in bulk.

CPython collects its youngest generation every 700 net new container objects,
and the older ones every 10 of those. A rescoring chunk, a decay chunk or a
1,000-row ingestion call builds tens of thousands of short-lived tuples, dicts
and decimals, none of them in a cycle (reference counting frees them), so those
collections find nothing and cost a fifth of the work's CPU, walking every live
object again and again. `fewer_collections` raises the threshold while such
work runs (one process-wide setting: reference-counted, so work that overlaps
on the event loop, or in the decay pass's thread, restores it only when the last
one ends). Objects are freed as before; only unreachable cycles wait longer.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

BULK_THRESHOLD = (100_000, 50, 100)
_users = 0
_before: tuple[int, int, int] | None = None


@contextmanager
def fewer_collections() -> Iterator[None]:
    global _users, _before
    if _users == 0:
        _before = gc.get_threshold()
        gc.set_threshold(*BULK_THRESHOLD)
    _users += 1
    try:
        yield
    finally:
        _users -= 1
        if _users == 0 and _before is not None:
            gc.set_threshold(*_before)
            _before = None
