"""Every argument is checked against `server.domain.core.inputs` before its
resolver runs, once for the whole schema rather than field by field.

A mutation answers the problems as `userErrors` (INVALID_INPUT, with the path
into its input) without running; any other field raises a top-level
INVALID_INPUT error naming the argument's path. The bulk mutations check their
rows themselves (a bad row fails alone, the others are stored), and `login`
treats a bad address as a failed sign-in (throttled like any other).
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    default_field_resolver,
    get_named_type,
)
from strawberry import Schema
from strawberry.types.base import StrawberryObjectDefinition

from schema.core.errors import UserError
from server.domain.core.errors import ErrorCode, InvalidArguments
from server.domain.core.inputs import Problem, input_problems

# Mutation → the input field holding rows that are checked one by one.
ROW_LISTS = {"upsertLeads": "leads", "recordLeadActivities": "activities"}
UNCHECKED = frozenset({"login"})


def install_input_guard(schema: Schema) -> None:
    """Wrap the resolver of every field that takes arguments."""
    built = schema._schema
    for type_ in built.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        for name, field in type_.fields.items():
            if not field.args or (type_ is built.mutation_type and name in UNCHECKED):
                continue
            if type_ is built.mutation_type:
                _guard_mutation(schema, name, field)
            else:
                _guard_field(field)


def _guard_field(field: GraphQLField) -> None:
    resolve = field.resolve or default_field_resolver

    def guarded(source: Any, info: GraphQLResolveInfo[Any], **args: Any) -> Any:
        problems = input_problems(args)
        if problems:
            path, message = problems[0]
            raise InvalidArguments(f"{'.'.join(path)}: {message}", field=list(path))
        return resolve(source, info, **args)

    guarded.__wrapped__ = resolve  # type: ignore[attr-defined]
    field.resolve = guarded


def _guard_mutation(schema: Schema, name: str, field: GraphQLField) -> None:
    resolve = field.resolve or default_field_resolver
    payload = _payload_factory(schema, field)
    rows = ROW_LISTS.get(name)

    def guarded(source: Any, info: GraphQLResolveInfo[Any], **args: Any) -> Any:
        problems = input_problems(_without_rows(args, rows))
        if problems:
            return payload(problems)
        return resolve(source, info, **args)

    guarded.__wrapped__ = resolve  # type: ignore[attr-defined]
    field.resolve = guarded


def _without_rows(args: dict[str, Any], rows: str | None) -> dict[str, Any]:
    given = args.get("input")
    if rows is None or not isinstance(given, dict):
        return args
    return {**args, "input": {k: v for k, v in given.items() if k != rows}}


def _payload_factory(schema: Schema, field: GraphQLField) -> Any:
    """A function building the mutation's payload with only user errors (other
    fields null, or false, zero or empty where the schema forbids null)."""
    graphql_type = get_named_type(field.type)
    definition = schema.get_type_by_name(graphql_type.name)
    assert isinstance(graphql_type, GraphQLObjectType)
    assert isinstance(definition, StrawberryObjectDefinition)
    built_fields = graphql_type.fields
    defaults: dict[str, Any] = {}
    for item in definition.fields:
        if item.python_name == "user_errors" or item.base_resolver is not None:
            continue
        graphql_name = schema.config.name_converter.get_graphql_name(item)
        schema_type = built_fields[graphql_name].type
        defaults[item.python_name] = _empty(schema_type)

    def build(problems: list[Problem]) -> Any:
        errors = [
            UserError(
                field=_relative(path) or None,
                message=message,
                code=ErrorCode.INVALID_INPUT,
            )
            for path, message in problems
        ]
        return definition.origin(**defaults, user_errors=errors)

    return build


def _relative(path: tuple[str, ...]) -> list[str]:
    """A path into the mutation's `input` argument, as `userErrors` give it."""
    return list(path[1:] if path[:1] == ("input",) else path)


def _empty(schema_type: Any) -> Any:
    if not isinstance(schema_type, GraphQLNonNull):
        return None
    inner = getattr(schema_type.of_type, "name", "")
    return {"Boolean": False, "Int": 0}.get(inner, [])
