"""Hooks: how an earlier package tells a later one that something happened.

Packages look back only (people does not import agreements, agreements does not
import leads). Where an earlier package's use case must let a later package act
inside the same transaction, it declares a `Hook` and calls it; `server/wiring.py`
connects the later package's function, and nothing else does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, ParamSpec

P = ParamSpec("P")


class Hook(Generic[P]):
    """Named, ordered targets awaited one after the other with the same arguments."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._targets: list[Callable[P, Awaitable[object]]] = []

    def connect(self, target: Callable[P, Awaitable[object]]) -> None:
        """Add a target once; connecting it again changes nothing."""
        if target not in self._targets:
            self._targets.append(target)

    def disconnect(self, target: Callable[P, Awaitable[object]]) -> None:
        if target in self._targets:
            self._targets.remove(target)

    @property
    def targets(self) -> tuple[Callable[P, Awaitable[object]], ...]:
        return tuple(self._targets)

    async def __call__(self, *args: P.args, **kwargs: P.kwargs) -> None:
        for target in tuple(self._targets):
            await target(*args, **kwargs)
