"""The executor's short path for attribute leaf fields answers as graphql-core
does: values, nulls, a null in a non-null field, a value its type refuses."""

from __future__ import annotations

import asyncio
from enum import Enum
from typing import Any

import strawberry
from graphql import execute, parse

from server.executor import ExecutionContext, is_awaitable


@strawberry.enum
class Colour(Enum):
    RED = "RED"


@strawberry.type
class Card:
    title: str
    note: str | None
    colour: Colour
    count: int

    @strawberry.field
    def shout(self) -> str:
        return self.title.upper()


class Broken:
    """A source object that breaks the types' promises."""

    title = None
    note = "n"
    colour = "NOT A COLOUR"
    count = 1


async def _later() -> int:
    return 7


@strawberry.type
class Query:
    @strawberry.field
    def cards(self) -> list[Card]:
        return [Card(title="a", note=None, colour=Colour.RED, count=2)]

    @strawberry.field
    def broken(self) -> Card | None:
        return Broken()  # type: ignore[return-value]

    @strawberry.field
    def later(self) -> Card:
        card = Card(title="b", note="x", colour=Colour.RED, count=0)
        card.count = _later()  # type: ignore[assignment]
        return card


SCHEMA = strawberry.Schema(query=Query)._schema


def run(document: str, fast: bool) -> Any:
    result = execute(
        SCHEMA,
        parse(document),
        executor_class=ExecutionContext if fast else None,
        is_awaitable=is_awaitable,
    )
    if is_awaitable(result):
        result = asyncio.run(result)  # type: ignore[arg-type]
    return result.data, [e.formatted for e in result.errors or []]  # type: ignore[union-attr]


def test_plain_values_as_graphql_core_gives_them() -> None:
    document = "{ cards { title note colour count shout } }"
    assert run(document, True) == run(document, False)
    assert run(document, True)[0] == {
        "cards": [
            {"title": "a", "note": None, "colour": "RED", "count": 2, "shout": "A"}
        ]
    }


def test_broken_values_fail_as_graphql_core_fails() -> None:
    for field in ("title", "colour", "note count"):
        document = f"{{ broken {{ {field} }} }}"
        fast, slow = run(document, True), run(document, False)
        assert fast == slow
        assert fast[1] or field == "note count"


def test_an_awaitable_value_takes_graphql_cores_path() -> None:
    document = "{ later { title count } }"
    assert run(document, True) == run(document, False)
    assert run(document, True)[0] == {"later": {"title": "b", "count": 7}}
