"""The key under which subscriptions share an event's execution
(`schema.events.sharing`): record-only selections share across callers, anything
else only within one caller and one document."""

from __future__ import annotations

import json
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import pytest
from graphql import OperationDefinitionNode, parse

from schema.events.sharing import record_only, share_key
from server.domain.core.roles import Role, Scope, Team
from server.services.core.actors import Actor
from server.websocket import GraphQLWebSocket


def operation(text: str) -> OperationDefinitionNode:
    node = parse(text).definitions[0]
    assert isinstance(node, OperationDefinitionNode)
    return node


def context(**changes: Any) -> SimpleNamespace:
    actor = Actor(user_id=1, team=Team.MARKETING, role=Role.MEMBER,
                  credential="token", credential_id=5)  # fmt: skip
    return SimpleNamespace(caller=replace(actor, **changes))


@pytest.mark.parametrize(
    "text",
    [
        "subscription { events { id kind sequence subjectType subjectId payload } }",
        "subscription($k: [EventKind!]) {events(kinds: $k) {occurredAt __typename}}",
        "subscription Q($a: ID) { myQueue(after: $a) { id } }",
    ],
)
def test_selections_of_the_record_alone_are_shared(text: str) -> None:
    assert record_only(operation(text)) is not None
    one = share_key(operation(text), context(), None)
    other = share_key(operation(text), context(user_id=2, role=Role.ADMIN), None)
    assert one == other


@pytest.mark.parametrize(
    "text",
    [
        "subscription { events { id actor { name } } }",
        "subscription { events { ...E } } fragment E on Event { id }",
        "subscription { events { ... on Event { id } } }",
        "subscription($x: Boolean!) { events { id @include(if: $x) } }",
        "subscription($x: Boolean!) { events @include(if: $x) { id } }",
        "subscription { notifications { id } }",
        "subscription { events { id } myQueue { id } }",
    ],
)
def test_anything_else_is_shared_only_by_one_caller_and_document(text: str) -> None:
    assert record_only(operation(text)) is None
    base = share_key(operation(text), context(), None)
    assert base == share_key(operation(text), context(), None)
    for change in (
        {"user_id": 2},
        {"role": Role.ADMIN},
        {"team": Team.SALES},
        {"scopes": frozenset({Scope.READ})},
        {"credential_id": 6},
        {"credential": "session"},
    ):
        assert share_key(operation(text), context(**change), None) != base
    assert share_key(operation(text), context(), {"x": True}) != share_key(
        operation(text), context(), {"x": False}
    )


def test_whitespace_and_the_after_cursor_do_not_split_record_only_sharing() -> None:
    one = share_key(operation("subscription { events(after: \"4\") { id } }"),
                    context(), {"a": "4"})  # fmt: skip
    other = share_key(operation("subscription {events{  id }}"), context(), None)
    assert one == other


def test_aliases_are_part_of_the_key() -> None:
    plain = share_key(operation("subscription { events { id } }"), context(), None)
    aliased = share_key(
        operation("subscription { events { key: id } }"), context(), None
    )
    renamed = share_key(operation("subscription { e: events { id } }"), context(), None)
    assert len({plain, aliased, renamed}) == 3


def test_messages_are_encoded_compactly_and_big_integers_still_encode() -> None:
    view = GraphQLWebSocket.__new__(GraphQLWebSocket)
    message = {"id": "1", "type": "next", "payload": {"data": {"n": 1, "s": "é"}}}
    assert json.loads(view.encode_json(message)) == message
    huge = {"n": 2**70}
    assert json.loads(view.encode_json(huge)) == huge
