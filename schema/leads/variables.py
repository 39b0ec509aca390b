"""`recordLeadActivities`' variables coerced without graphql-core's generic walk.

graphql-core coerces a variable by walking its value against its type, and
every one of a 1,000-row batch's 6,000 values pays for the walk's dispatch
(about a third of the call's Python). `coerce_variables` does the same
coercion for the operations whose variables are all of `FAST_TYPES`, with the
walk compiled once per type (`_compile`): the same steps in the same order as
``graphql.utilities.coerce_input_value``, the leaves coerced by their own
types, and a ``DateTime`` in the plain form ``2026-12-05T21:14:00.123Z`` read
with `datetime.fromisoformat` as ``dateutil``'s ``isoparse`` (strawberry's
parser) reads it. Whatever it cannot coerce (a value graphql-core would refuse,
a missing variable, an unexpected type) makes it give up, and the request
takes graphql-core's path, which then reports the errors: so the values, and
the errors, are graphql-core's. `tests/api/leads/test_fast_variables.py`
compares both on the same inputs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    NamedTypeNode,
    NonNullTypeNode,
    Undefined,
    VariableDefinitionNode,
    is_leaf_type,
    is_required_input_field,
)
from graphql.execution.get_variable_signature import get_variable_signature
from graphql.execution.values import VariableValues, VariableValueSource
from graphql.pyutils import is_iterable
from graphql.utilities.coerce_input_value import coerce_default_value

# Input types whose variables are coerced here.
FAST_TYPES = frozenset({"RecordLeadActivitiesInput"})

Coerce = Callable[[Any], Any]
_PLAIN_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z")
_compiled: dict[int, tuple[GraphQLInputType, Coerce | None]] = {}


def coerce_variables(
    schema: GraphQLSchema,
    definitions: Collection[VariableDefinitionNode],
    inputs: dict[str, Any],
) -> VariableValues | None:
    """The operation's coerced variables, as graphql-core's
    ``get_variable_values`` gives them; None when this cannot tell (the caller
    then asks graphql-core)."""
    if not definitions or not all(map(_named_fast, definitions)):
        return None
    sources: dict[str, VariableValueSource] = {}
    coerced: dict[str, Any] = {}
    for definition in definitions:
        signature = get_variable_signature(schema, definition)
        if isinstance(signature, GraphQLError):
            return None
        coerce = _coercer(signature.type)
        value = inputs.get(signature.name, Undefined)
        if coerce is None or value is Undefined:
            return None
        found = coerce(value)
        if found is Undefined:
            return None
        sources[signature.name] = VariableValueSource(signature, value)
        coerced[signature.name] = found
    return VariableValues(sources, coerced)


def _named_fast(definition: VariableDefinitionNode) -> bool:
    """Whether the variable is declared as one of `FAST_TYPES` (non-null or
    not): every other operation goes to graphql-core at once."""
    node: Any = definition.type
    if isinstance(node, NonNullTypeNode):
        node = node.type
    return isinstance(node, NamedTypeNode) and node.name.value in FAST_TYPES


def _coercer(type_: GraphQLInputType) -> Coerce | None:
    """The compiled coercion of a variable's type, if it is one of
    `FAST_TYPES` (non-null or not)."""
    known = _compiled.get(id(type_))
    if known is not None and known[0] is type_:
        return known[1]
    named = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    fast = (
        _compile(type_)
        if isinstance(named, GraphQLInputObjectType) and named.name in FAST_TYPES
        else None
    )
    _compiled[id(type_)] = (type_, fast)
    return fast


def _compile(type_: GraphQLInputType) -> Coerce | None:
    """``coerce_input_value(value, type_)`` with its dispatch done now: returns
    the coerced value or Undefined; None for a type it does not handle."""
    if isinstance(type_, GraphQLNonNull):
        return _non_null(_compile(type_.of_type))
    if isinstance(type_, GraphQLList):
        return _list(_compile(type_.of_type))
    if isinstance(type_, GraphQLInputObjectType):
        return None if type_.is_one_of else _input_object(type_)
    if is_leaf_type(type_):
        return _leaf(type_)
    return None


def _non_null(inner: Coerce | None) -> Coerce | None:
    if inner is None:
        return None

    def coerce(value: Any) -> Any:
        if value is None or value is Undefined:
            return Undefined
        return inner(value)

    return coerce


def _list(item: Coerce | None) -> Coerce | None:
    if item is None:
        return None

    def coerce(value: Any) -> Any:
        if value is None or value is Undefined:
            return None
        if not is_iterable(value):
            one = item(value)
            return Undefined if one is Undefined else [one]
        found: list[Any] = []
        append = found.append
        for entry in value:
            coerced = item(entry)
            if coerced is Undefined:
                return Undefined
            append(coerced)
        return found

    return coerce


def _input_object(type_: GraphQLInputObjectType) -> Coerce | None:
    fields = []
    for name, field in type_.fields.items():
        inner = _compile(field.type)
        if inner is None:
            return None
        required = is_required_input_field(field)
        fields.append((name, field.out_name or name, field, required, inner))
    names = frozenset(type_.fields)
    out_type = type_.out_type

    def coerce(value: Any) -> Any:
        if value is None or value is Undefined:
            return None
        if not isinstance(value, dict):
            return Undefined
        for key, given in value.items():
            if given is not Undefined and key not in names:
                return Undefined
        found: dict[str, Any] = {}
        for name, out_name, field, required, inner in fields:
            given = value.get(name, Undefined)
            if given is Undefined:
                if required:
                    return Undefined
                default = coerce_default_value(field)
                if default is not Undefined:
                    found[out_name] = default
                continue
            coerced = inner(given)
            if coerced is Undefined:
                return Undefined
            found[out_name] = coerced
        return out_type(found)

    return coerce


def _leaf(type_: Any) -> Coerce:
    parse = type_.coerce_input_value
    instant = isinstance(type_, GraphQLScalarType) and type_.name == "DateTime"
    # the zone the type's own parser gives a "Z" (dateutil's UTC)
    utc = parse("2000-01-01T00:00:00Z").tzinfo if instant else None

    def coerce(value: Any) -> Any:
        if value is None or value is Undefined:
            return None
        if instant and type(value) is str and _PLAIN_INSTANT.fullmatch(value):
            return _plain_instant(value, utc)
        try:
            return parse(value)
        except Exception:  # graphql-core: the value is invalid
            return Undefined

    return coerce


def _plain_instant(text: str, utc: Any) -> Any:
    """``isoparse(text)`` for text `_PLAIN_INSTANT` matches: the same fields
    (fractions of up to 6 digits scaled to microseconds) in the same zone."""
    try:
        return datetime.fromisoformat(text[:-1]).replace(tzinfo=utc)
    except ValueError:  # e.g. 2026-02-30, which isoparse refuses too
        return Undefined
