"""Fields an earlier capability's type shows of a later capability.

A `Lead` lists its handoffs, follow-ups and feedback, which are the waterfall's
and feedback's types. The leads package cannot import them (packages look
back only), so such a field calls a `LaterField`, and `server/wiring.py`
connects the later capability's answer to it. The field's GraphQL type is named
with `strawberry.lazy`, which imports nothing until the schema is built.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from schema.context import Info

Answer = Callable[[Info, int], Awaitable[list[Any]]]


class LaterField:
    """One field of an earlier type, answered by a later capability per key."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._answer: Answer | None = None

    def connect(self, answer: Answer) -> None:
        self._answer = answer

    async def __call__(self, info: Info, key: int) -> list[Any]:
        if self._answer is None:
            raise RuntimeError(
                f"{self.name} is not connected: server.wiring.wire() connects it"
            )
        return await self._answer(info, key)
