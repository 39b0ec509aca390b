"""Every read field of Query, for every token scope: generated from the schema,
so a new field without an entry here (and a rule) fails this test."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    Undefined,
    get_named_type,
)

import schema as schema_module
from server.services.core import ids
from server.services.core.permissions import RULES
from tests.helpers import Api, issue_token, make_user

QUERY = schema_module.schema._schema.query_type
assert QUERY is not None
FIELDS = sorted(QUERY.fields)
SCOPE_SETS = ["READ", "INGEST", "WRITE", "READ,INGEST", "INGEST,WRITE"]
# Query fields an INGEST-only token may read (README: only `viewer`); every other
# field needs READ or WRITE.
INGEST_READS = {"viewer"}


def readable_by(field: str, scopes: str) -> bool:
    granted = set(scopes.split(","))
    return bool(granted & {"READ", "WRITE"}) or field in INGEST_READS


def argument(kind: GraphQLInputType, own_id: str) -> str:
    if isinstance(kind, GraphQLNonNull):
        return argument(kind.of_type, own_id)
    if isinstance(kind, GraphQLList):
        return f"[{argument(kind.of_type, own_id)}]"
    if isinstance(kind, GraphQLEnumType):
        return next(iter(kind.values))
    if isinstance(kind, GraphQLInputObjectType):
        required = [
            f"{name}: {argument(item.type, own_id)}"
            for name, item in kind.fields.items()
            if isinstance(item.type, GraphQLNonNull) and item.default_value is Undefined
        ]
        return "{" + ", ".join(required) + "}"
    assert isinstance(kind, GraphQLScalarType), kind
    return {
        "ID": f'"{own_id}"',
        "String": '"ada@example.com"',
        "Int": "1",
        "Boolean": "false",
        "DateTime": '"2026-01-01T00:00:00Z"',
        "Date": '"2026-01-01"',
        "Decimal": '"1"',
        "Float": "1.0",
    }[kind.name]


def document(name: str, field: GraphQLField, own_id: str) -> str:
    required = [
        f"{arg_name}: {argument(arg.type, own_id)}"
        for arg_name, arg in field.args.items()
        if isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined
    ]
    args = f"({', '.join(required)})" if required else ""
    named = get_named_type(field.type)
    leaf = isinstance(named, GraphQLScalarType | GraphQLEnumType)
    return "{ " + name + args + ("" if leaf else " { __typename }") + " }"


def test_every_query_field_has_a_permission_rule() -> None:
    assert [f for f in FIELDS if f not in RULES] == []


@pytest.mark.parametrize("scopes", SCOPE_SETS)
async def test_each_scope_reads_exactly_the_query_fields_it_is_granted(
    api: Api, scopes: str
) -> None:
    ada = await make_user("ada@example.com", "LEADERSHIP", "ADMIN")
    token = await issue_token(ada, scopes)
    own_id = ids.encode("User", ada.id)
    outcomes: dict[str, Any] = {}
    for name in FIELDS:
        answer = await api.gql(document(name, QUERY.fields[name], own_id), token=token)
        outcomes[name] = "FORBIDDEN" in answer.error_codes
    expected = {name: not readable_by(name, scopes) for name in FIELDS}
    assert outcomes == expected
