"""Static analysis of documents: depth, aliases, cost, logins."""

from __future__ import annotations

import schema
from schema.core.limits import DocumentCache
from server.settings import Limits

CACHE = DocumentCache(schema.schema._schema, Limits(), introspection=False)


def shape(document: str):  # type: ignore[no-untyped-def]
    prepared = CACHE.prepare(document)
    assert not prepared.errors, prepared.errors
    return prepared.operation(None)


def test_a_page_costs_its_size_times_what_each_row_asks_for() -> None:
    small = shape("{ users(first: 5) { edges { node { id name } } } }")
    large = shape("{ users(first: 50) { edges { node { id name } } } }")
    assert small.cost == 1 + 5 * (1 + 1 + 2)
    assert large.cost == 1 + 50 * (1 + 1 + 2)


def test_a_variable_page_size_is_charged_as_the_largest_page() -> None:
    sized = shape("query($n: Int) { users(first: $n) { edges { node { id } } } }")
    assert sized.cost == 1 + 100 * 3


def test_depth_and_aliases_follow_fragments() -> None:
    measured = shape(
        "query { a: viewer { ...F } b: viewer { name } } "
        "fragment F on User { roleGrantedBy { roleGrantedBy { id } } }"
    )
    assert measured.depth == 4
    assert measured.aliases == 2


def test_logins_are_counted_through_aliases() -> None:
    measured = shape(
        'mutation { a: login(input: {email: "x", password: "y"}) { viewer { id } } '
        'b: login(input: {email: "x", password: "y"}) { viewer { id } } }'
    )
    assert measured.logins == 2
    assert measured.anonymous_ok  # login needs no credentials
