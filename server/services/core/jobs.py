"""Background jobs that run in every worker, started and stopped with the server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("accord.jobs")


class Periodic:
    """Runs ``work`` every ``seconds``; a failure is logged and tried next time.

    Stopping waits for a running pass to finish instead of cancelling it inside a
    transaction (see `events.Dispatcher.stop`).
    """

    def __init__(
        self, name: str, seconds: float, work: Callable[[], Awaitable[object]]
    ):
        self.name, self.seconds, self.work = name, seconds, work
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._stop.clear()
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _loop(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.seconds):
                    await self._stop.wait()
            if self._stop.is_set():
                return
            try:
                await self.work()
            except Exception:
                log.exception("background job %r failed", self.name)
