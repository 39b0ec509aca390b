"""Bulk scoring raises the collector's threshold while it runs, and overlapping
work restores it only when the last one ends."""

from __future__ import annotations

import asyncio
import gc

from server.services.leads.garbage import BULK_THRESHOLD, fewer_collections


async def test_overlapping_bulk_work_restores_the_threshold_when_the_last_ends() -> (
    None
):
    before = gc.get_threshold()
    first_in, second_in = asyncio.Event(), asyncio.Event()
    seen: list[tuple[int, ...]] = []

    async def work(entered: asyncio.Event, wait_for: asyncio.Event) -> None:
        with fewer_collections():
            entered.set()
            await wait_for.wait()
            seen.append(gc.get_threshold())

    first = asyncio.ensure_future(work(first_in, second_in))
    await first_in.wait()
    second = asyncio.ensure_future(work(second_in, asyncio.Event()))
    await second_in.wait()
    await first  # the first ends while the second still runs
    assert gc.get_threshold() == BULK_THRESHOLD
    second.cancel()
    await asyncio.gather(second, return_exceptions=True)
    assert seen == [BULK_THRESHOLD]
    assert gc.get_threshold() == before


def test_the_threshold_comes_back_after_a_failure() -> None:
    before = gc.get_threshold()
    try:
        with fewer_collections():
            assert gc.get_threshold() == BULK_THRESHOLD
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
