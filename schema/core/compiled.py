"""Compiled reads: a known read-only document answered from rows, past
graphql-core's per-field execution.

For each query document (and operation name) the compiler works out once a
plan: which rows each root field needs, which related rows are loaded for a
whole page at once (one statement per relation, whatever the page's size), and
for every selected field the function that reads its value from a row and the
leaf type's own output coercion. Running the plan is then a few statements and
a loop over prepared steps per row: no resolver, no resolve info, no path.

The plan covers the types and fields registered here (`install`) and nothing
else. Whatever it does not cover (a field not registered, a directive, a
refused permission, a value the executor would answer with an error) is not
answered here: `answer` returns None and the executor runs the request as
before, so errors, masking and nullability are always the executor's own. Each
such fallback is counted (`fallbacks()`; the executor adds it to
``accord_compiled_fallback_total`` at /metrics) and logged at debug level with
its reason.
`tests/api/leads/test_compiled.py` draws random documents and data and checks
that both paths answer byte-identical JSON.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from operator import attrgetter
from typing import Any

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    is_leaf_type,
)
from graphql.execution.collect_fields import (
    FieldDetails,
    FragmentDetails,
    collect_fields,
    collect_subfields,
)
from graphql.execution.values import get_argument_values, get_variable_values
from graphql.language import Visitor, visit
from graphql.pyutils import Undefined
from strawberry import Schema
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

from schema.context import Context
from server.domain.core.inputs import input_problems
from server.services.core.actors import Actor
from server.services.core.pagination import Page, PageRequest
from server.services.core.permissions import authorize

log = logging.getLogger("accord.compiled")

Read = Callable[[Any], Any]
Load = Callable[[list[int]], Awaitable[Mapping[int, Any]]]
# The to-one relations a root page reads in its own statement: each join's
# name, with the related row's columns the selection reads (None: every one).
Joins = Mapping[str, frozenset[str] | None]
PLANS_KEPT = 1000


class NotCompiled(Exception):
    """A document, or a request's data, the compiled path leaves to the executor."""


# -- what the compiler knows ---------------------------------------------------


@dataclass(frozen=True)
class ToOne:
    """A field holding one related row, loaded for a whole page at once."""

    target: str
    key: Read  # the parent row's key of the related row (None: no relation)
    load: Load  # keys -> rows (one statement)
    rule: str | None = None  # the permission the field's resolver requires
    # Read in the parent page's own statement instead: the name the root's
    # fetch joins by, and the related rows (by key) taken from the page's rows.
    join: str | None = None
    joined: Callable[[list[Any]], Mapping[int, Any]] | None = None


@dataclass(frozen=True)
class PageOf:
    """A connection field of a row: one page per parent row."""

    target: str
    fetch: Callable[[Any, dict[str, Any]], Awaitable[Page[Any]]]
    rule: str | None = None


@dataclass(frozen=True)
class Batch:
    """A field whose values for a whole page of rows come from one load over
    them (one statement, or none): ``load(rows, context)`` answers each row's
    value in order, a related row or None, or for a list field a list of rows;
    for a leaf field (``target`` None) the value, coerced as the leaf type."""

    target: str | None
    load: Callable[[list[Any], Context], Awaitable[list[Any]]]
    rule: str | None = None
    built: bool = False  # the load answers the target's objects, not its rows


@dataclass(frozen=True)
class RowType:
    """An object type answered from rows. ``leaves`` reads each plain field (by
    its Python name) from a row; without it the rows are ``convert``ed once into
    the schema's own objects and their attributes (or self-only, synchronous
    field methods) are read. A type with both answers a selection of only
    fields in ``leaves`` and ``columns`` from its rows as they come (``check``
    run on each), so a join may fetch only those columns; any other selection
    is converted."""

    name: str
    leaves: Mapping[str, Read] | None = None
    relations: Mapping[str, ToOne | PageOf | Batch] = field(default_factory=dict)
    convert: Read | None = None
    # Rows converted together instead (one statement for all of them at most).
    convert_all: Callable[[list[Any], Context], Awaitable[list[Any]]] | None = None
    # The row keys each field (leaf or relation, by Python name) reads; a root
    # page of a selection whose fields are all named fetches only those
    # (`RootPage.selects`), else every column.
    columns: Mapping[str, tuple[str, ...]] | None = None
    # Refuses (`NotCompiled`) a row read as it comes that ``convert`` refuses.
    check: Read | None = None


@dataclass(frozen=True)
class RootPage:
    """A root connection: its rows for the converted arguments (and the
    to-one relations to join into the page's statement, `Joins`)."""

    target: str
    rule: str
    fetch: Callable[..., Awaitable[Page[Any]]]
    # The fetch also takes ``columns``: the row keys the selection reads (None:
    # all), beside those the page itself needs (its key and cursor).
    selects: bool = False


@dataclass(frozen=True)
class RootOne:
    """A root field of one object (or a list of them): its row (rows) for the
    converted arguments and the context (None: the executor answers, or null
    for a nullable field)."""

    target: str
    rule: str
    load: Callable[[dict[str, Any], Context], Awaitable[Any]]


@dataclass(frozen=True)
class RootNode:
    """`node(id:)`: the registered node types by their rows; any other type of
    a valid ID is left to the executor."""

    rule: str
    decode: Callable[[str], tuple[str, int] | None]
    node_types: Callable[[], Mapping[str, Any]]  # every type `node` answers
    loads: Mapping[str, Load]


def request_of(kwargs: Mapping[str, Any]) -> PageRequest:
    """A connection's page as its converted arguments ask it."""
    return PageRequest(
        first=kwargs.get("first"),
        after=kwargs.get("after"),
        last=kwargs.get("last"),
        before=kwargs.get("before"),
    )


TYPES: dict[str, RowType] = {}
ROOTS: dict[str, RootPage | RootNode | RootOne] = {}


def install(
    types: Mapping[str, RowType],
    roots: Mapping[str, RootPage | RootNode | RootOne],
    relations: Mapping[str, Mapping[str, ToOne | PageOf | Batch]] | None = None,
    nodes: Mapping[str, Load] | None = None,
) -> None:
    """Register a capability's types and roots; a later capability also adds
    ``relations`` to an earlier one's types (a lead's handoffs) and ``nodes``
    (the types `node` answers by their loads)."""
    TYPES.update(types)
    ROOTS.update(roots)
    for name, more in (relations or {}).items():
        known = TYPES[name]
        TYPES[name] = replace(known, relations={**known.relations, **more})
    if nodes:
        node = ROOTS["node"]
        assert isinstance(node, RootNode)
        ROOTS["node"] = replace(node, loads={**node.loads, **nodes})


# -- the fallback counter --------------------------------------------------------

_fallbacks: Counter[str] = Counter()
_answered: Counter[str] = Counter()


def fallbacks() -> dict[str, int]:
    """Requests left to the executor so far in this process, by reason."""
    return dict(_fallbacks)


def answered() -> int:
    """Requests answered by a compiled plan so far in this process."""
    return sum(_answered.values())


def _fall_back(reason: str, operation: str | None) -> None:
    _fallbacks[reason] += 1
    log.debug("not compiled (%s): %s", operation or "anonymous", reason)


# -- plans -----------------------------------------------------------------------

LEAF, TYPENAME, ONE, PAGE, BATCH = range(5)


@dataclass
class ObjectPlan:
    type_name: str
    convert: Read | None
    # (kind, response key, ...) in the executor's field order
    steps: list[tuple[Any, ...]]
    relations: list[tuple[Any, ...]]  # the ONE, PAGE and BATCH steps
    convert_all: Callable[[list[Any], Context], Awaitable[list[Any]]] | None = None
    columns: frozenset[str] | None = None  # the row keys read (None: unknown)
    check: Read | None = None  # run on each row (read as it comes)
    build: Callable[[Any, Any], dict[str, Any]] = field(
        init=False, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        self.build = _builder(self.steps)


def _builder(steps: list[tuple[Any, ...]]) -> Callable[[Any, Any], dict[str, Any]]:
    """One function building an object's dict from its row: a dict display of
    the steps, in order (keys are GraphQL names; the rest are bound values)."""
    names: dict[str, Any] = {}
    items = []
    for n, step in enumerate(steps):
        kind, key = step[0], repr(step[1])
        if kind == LEAF:
            names[f"r{n}"], names[f"o{n}"] = step[2], step[3]
            items.append(f"{key}: o{n}(r{n}(row))")
        elif kind == TYPENAME:
            items.append(f"{key}: {step[2]!r}")
        else:
            names[f"s{n}"] = step
            call = {ONE: "one", PAGE: "page", BATCH: "batch"}[kind]
            items.append(f"{key}: run.{call}(s{n}, row)")
    source = "def build(row, run):\n    return {" + ", ".join(items) + "}\n"
    exec(compile(source, "<compiled read>", "exec"), names)
    built: Callable[[Any, Any], dict[str, Any]] = names["build"]
    return built


@dataclass
class ConnectionPlan:
    """What a connection's selection asks: edges (node, cursor), pageInfo,
    totalCount, with every response key and in the executor's order."""

    steps: list[tuple[str, str, Any]]  # (key, what, sub-plan)
    node: ObjectPlan | None
    counts: bool


@dataclass
class _Compiler:
    schema: Any  # GraphQLSchema
    strawberry: Schema
    fragments: dict[str, FragmentDetails]
    operation: OperationDefinitionNode

    def subfields(
        self, type_: GraphQLObjectType, details: list[FieldDetails]
    ) -> dict[str, list[FieldDetails]]:
        collected = collect_subfields(
            self.schema, self.fragments, _NO_VARIABLES, self.operation, type_, details
        )
        return collected.grouped_field_set

    def object(
        self, row_type: RowType, details: list[FieldDetails], built: bool = False
    ) -> ObjectPlan:
        """The plan of an object's selection; ``built``: the objects come
        converted already (a `Batch` that builds them), never as rows."""
        gql_type = self.schema.get_type(row_type.name)
        assert isinstance(gql_type, GraphQLObjectType)
        selected = self.subfields(gql_type, details)
        if row_type.leaves is not None and (
            row_type.convert is not None or row_type.convert_all is not None
        ):
            if not built and _reads_leaves_only(row_type, gql_type, selected):
                return self._object(
                    replace(row_type, convert=None, convert_all=None), selected
                )
            return self._object(replace(row_type, leaves=None, columns=None), selected)
        return self._object(row_type, selected)

    def _object(
        self, row_type: RowType, selected: dict[str, list[FieldDetails]]
    ) -> ObjectPlan:
        gql_type = self.schema.get_type(row_type.name)
        assert isinstance(gql_type, GraphQLObjectType)
        steps: list[tuple[Any, ...]] = []
        relations: list[tuple[Any, ...]] = []
        columns: set[str] | None = set() if row_type.columns is not None else None
        for key, found in selected.items():
            name = found[0].node.name.value
            if name == "__typename":
                steps.append((TYPENAME, key, row_type.name))
                continue
            field_def = gql_type.fields[name]
            label = f"{row_type.name}.{name}"
            python_name = _python_name(field_def)
            if columns is not None and row_type.columns is not None:
                keys = row_type.columns.get(python_name or "")
                columns = None if keys is None else columns.union(keys)
            relation = row_type.relations.get(python_name or "")
            if relation is not None:
                step = self.relation(key, label, field_def, found, relation)
                steps.append(step)
                relations.append(step)
                continue
            if any(d.node.arguments for d in found) or field_def.args:
                raise NotCompiled(f"{label} takes arguments")
            read = _leaf_reader(row_type, field_def, python_name)
            if read is None:
                raise NotCompiled(f"{label} is not compiled")
            steps.append((LEAF, key, read, _output(field_def.type, label)))
        converts = row_type.convert is not None or row_type.convert_all is not None
        return ObjectPlan(
            row_type.name,
            row_type.convert,
            steps,
            relations,
            row_type.convert_all,
            None if columns is None else frozenset(columns),
            None if converts else row_type.check,
        )

    def relation(
        self,
        key: str,
        label: str,
        field_def: GraphQLField,
        found: list[FieldDetails],
        relation: ToOne | PageOf | Batch,
    ) -> tuple[Any, ...]:
        if isinstance(relation, Batch):
            if field_def.args:
                raise NotCompiled(f"{label} takes arguments")
            if relation.target is None:  # a leaf, coerced as the executor does
                output = _output(field_def.type, label)
                return (BATCH, key, relation, None, False, label, False, output)
            type_: Any = field_def.type
            non_null = isinstance(type_, GraphQLNonNull)
            inner = type_.of_type if non_null else type_
            many = isinstance(inner, GraphQLList)
            if many and not isinstance(inner.of_type, GraphQLNonNull):
                raise NotCompiled(f"{label} may hold nulls")
            plan = self.object(_known(relation.target), found, relation.built)
            return (BATCH, key, relation, plan, non_null, label, many)
        target = _known(relation.target)
        if isinstance(relation, ToOne):
            if field_def.args:
                raise NotCompiled(f"{label} takes arguments")
            non_null = isinstance(field_def.type, GraphQLNonNull)
            plan = self.object(target, found)
            return (ONE, key, relation, plan, non_null, label)
        connection = self.connection(field_def, found, target, label)
        arguments = _Arguments(field_def, found[0].node, self.strawberry)
        return (PAGE, key, relation, connection, arguments, label)

    def connection(
        self,
        field_def: GraphQLField,
        details: list[FieldDetails],
        target: RowType,
        label: str,
    ) -> ConnectionPlan:
        connection_type = _named(field_def.type)
        assert isinstance(connection_type, GraphQLObjectType)
        steps: list[tuple[str, str, Any]] = []
        node: ObjectPlan | None = None
        counts = False
        for key, found in self.subfields(connection_type, details).items():
            name = found[0].node.name.value
            if name == "__typename":
                steps.append((key, "typename", connection_type.name))
            elif name == "totalCount":
                steps.append((key, "totalCount", None))
                counts = True
            elif name == "pageInfo":
                info_type = _named(connection_type.fields[name].type)
                assert isinstance(info_type, GraphQLObjectType)
                parts = [
                    (k, f[0].node.name.value)
                    for k, f in self.subfields(info_type, found).items()
                ]
                steps.append((key, "pageInfo", (info_type.name, parts)))
            elif name == "edges":
                edge_type = _named(connection_type.fields[name].type)
                assert isinstance(edge_type, GraphQLObjectType)
                parts = []
                for k, f in self.subfields(edge_type, found).items():
                    part = f[0].node.name.value
                    if part == "node":
                        plan = self.object(target, f)
                        if node is not None and node.steps != plan.steps:
                            raise NotCompiled(f"{label}: two node selections")
                        node = plan
                    parts.append((k, part))
                steps.append((key, "edges", (edge_type.name, parts)))
            else:
                raise NotCompiled(f"{label}.{name} is not compiled")
        return ConnectionPlan(steps, node, counts)


_NO_VARIABLES: Any = None


def _known(name: str) -> RowType:
    target = TYPES.get(name)
    if target is None:
        raise NotCompiled(f"{name} is not compiled")
    return target


class _Arguments:
    """A field's arguments as its resolver receives them: coerced by
    graphql-core, checked by the input guard, converted by strawberry."""

    def __init__(self, field_def: GraphQLField, node: Any, schema: Schema) -> None:
        self.field_def, self.node = field_def, node
        definition = field_def.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
        if not isinstance(definition, StrawberryField):
            raise NotCompiled("a field without its strawberry definition")
        self.definition = definition
        self.registry = schema.schema_converter.scalar_registry
        self.config = schema.config

        # Arguments written in the document (no variable) are converted once.
        self.constant = not _uses_variables(node)
        self.converted: dict[str, Any] | None = None

    def __call__(self, variables: Any) -> dict[str, Any]:
        if self.converted is not None:
            return self.converted
        raw = get_argument_values(self.field_def, self.node, variables)
        if input_problems(raw):
            raise NotCompiled("arguments refused by the input guard")
        converted = convert_arguments(
            raw, self.definition.arguments, self.registry, self.config
        )
        if self.constant:
            self.converted = converted
        return converted


class _Variables(Visitor):
    found = False

    def enter_variable(self, node: VariableNode, *_: Any) -> None:
        self.found = True


def _uses_variables(node: FieldNode) -> bool:
    seen = _Variables()
    for argument in node.arguments or ():
        visit(argument, seen)
    return seen.found


def _reads_leaves_only(
    row_type: RowType,
    gql_type: GraphQLObjectType,
    selected: dict[str, list[FieldDetails]],
) -> bool:
    """Whether every field selected is one of the type's ``leaves`` (without
    arguments) with its columns declared: then the rows need no converting."""
    leaves, columns = row_type.leaves or {}, row_type.columns or {}
    for found in selected.values():
        name = found[0].node.name.value
        if name == "__typename":
            continue
        python_name = _python_name(gql_type.fields[name])
        if python_name not in leaves or python_name not in columns:
            return False
        if any(d.node.arguments for d in found):
            return False
    return True


def _python_name(field_def: GraphQLField) -> str | None:
    definition = field_def.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    return definition.python_name if isinstance(definition, StrawberryField) else None


def _leaf_reader(
    row_type: RowType, field_def: GraphQLField, python_name: str | None
) -> Read | None:
    if python_name is None or not is_leaf_type(_named(field_def.type)):
        return None
    if row_type.leaves is not None:
        return row_type.leaves.get(python_name)
    definition = field_def.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    assert isinstance(definition, StrawberryField)
    resolver = definition.base_resolver
    if resolver is None:
        return attrgetter(python_name)
    if (
        resolver.is_async
        or resolver.arguments
        or resolver.info_parameter is not None
        or resolver.root_parameter is not None
        or resolver.self_parameter is None
    ):
        return None
    method: Read = resolver.wrapped_func  # type: ignore[assignment]
    return method


def _named(type_: Any) -> Any:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_


def _output(type_: GraphQLOutputType, label: str) -> Read:
    """A value as the executor completes it for this leaf type (or list of
    them); a value it would answer with an error raises `NotCompiled`."""
    if isinstance(type_, GraphQLNonNull):
        inner = _output(type_.of_type, label)

        def non_null(value: Any) -> Any:
            if value is None:
                raise NotCompiled(f"null in non-null {label}")
            return inner(value)

        return non_null
    if isinstance(type_, GraphQLList):
        item = _output(type_.of_type, label)

        def each(value: Any) -> Any:
            if value is None:
                return None
            if isinstance(value, str | bytes | Mapping):
                raise NotCompiled(f"not a list in {label}")
            return [item(v) for v in value]

        return each
    coerce = type_.coerce_output_value  # type: ignore[union-attr]
    if isinstance(type_, GraphQLEnumType):
        memo: dict[Any, Any] = {}

        def enum(value: Any) -> Any:
            if value is None:
                return None
            try:
                return memo[value]
            except (KeyError, TypeError):
                pass
            found = leaf(value)
            if len(memo) < 1000:
                memo[value] = found
            return found

        def leaf(value: Any) -> Any:
            coerced = coerce(value)
            if coerced is None or coerced is Undefined:
                raise NotCompiled(f"{label} cannot be coerced")
            return coerced

        return enum

    def scalar(value: Any) -> Any:
        if value is None:
            return None
        coerced = coerce(value)
        if coerced is None or coerced is Undefined:
            raise NotCompiled(f"{label} cannot be coerced")
        return coerced

    return scalar


class _HasDirectives(Visitor):
    found = False

    def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
        self.found = True


@dataclass
class Plan:
    operation: OperationDefinitionNode
    steps: list[tuple[Any, ...]]
    joined: set[int]  # the ONE steps read from their page's statement


def compile_plan(
    strawberry_schema: Schema, document: DocumentNode, operation_name: str | None
) -> Plan:
    """The plan of a document's operation, or `NotCompiled` with the reason."""
    schema = strawberry_schema._schema
    operations = [
        d for d in document.definitions if isinstance(d, OperationDefinitionNode)
    ]
    if operation_name is None:
        if len(operations) != 1:
            raise NotCompiled("several operations")
        operation = operations[0]
    else:
        named = [o for o in operations if o.name and o.name.value == operation_name]
        if not named:
            raise NotCompiled("no such operation")
        operation = named[0]
    if operation.operation is not OperationType.QUERY:
        raise NotCompiled("not a query")
    seen = _HasDirectives()
    visit(document, seen)
    if seen.found:
        raise NotCompiled("directives")
    fragments = {}
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            if definition.variable_definitions:
                raise NotCompiled("fragment variables")
            fragments[definition.name.value] = FragmentDetails(definition, None)
    compiler = _Compiler(schema, strawberry_schema, fragments, operation)
    root = schema.query_type
    assert root is not None
    grouped = collect_fields(
        schema, fragments, _NO_VARIABLES, root, operation
    ).grouped_field_set
    steps: list[tuple[Any, ...]] = []
    joined: set[int] = set()
    for key, found in grouped.items():
        name = found[0].node.name.value
        if name == "__typename":
            steps.append((TYPENAME, key, root.name))
            continue
        handler = ROOTS.get(name)
        if handler is None:
            raise NotCompiled(f"Query.{name} is not compiled")
        field_def = root.fields[name]
        arguments = _Arguments(field_def, found[0].node, strawberry_schema)
        if isinstance(handler, RootPage):
            target = TYPES[handler.target]
            connection = compiler.connection(field_def, found, target, f"Query.{name}")
            joins = _joins(connection.node)
            for step in connection.node.relations if connection.node else ():
                if step[0] == ONE and step[2].join is not None:
                    joined.add(id(step))
            columns = connection.node.columns if connection.node else frozenset()
            steps.append((PAGE, key, handler, connection, arguments, (joins, columns)))
        elif isinstance(handler, RootOne):
            plan = compiler.object(TYPES[handler.target], found)
            type_: Any = field_def.type
            non_null = isinstance(type_, GraphQLNonNull)
            inner = type_.of_type if non_null else type_
            if isinstance(inner, GraphQLList) and not (
                non_null and isinstance(inner.of_type, GraphQLNonNull)
            ):
                raise NotCompiled(f"Query.{name} may hold nulls")
            many = isinstance(inner, GraphQLList)
            steps.append((BATCH, key, handler, plan, arguments, (non_null, many)))
        else:
            node_type = _named(field_def.type)
            assert isinstance(node_type, GraphQLInterfaceType)
            for type_name in sorted(_conditions(found, fragments)):
                if type_name != node_type.name and type_name not in handler.loads:
                    raise NotCompiled(f"node of type {type_name} is not compiled")
            plans = {
                type_name: compiler.object(TYPES[type_name], found)
                for type_name in handler.loads
            }
            steps.append((ONE, key, handler, plans, arguments, name))
    return Plan(operation, steps, joined)


def _joins(node: ObjectPlan | None) -> Joins:
    """The joins of a root page's rows, each with the columns its selections
    read (every column when any of them needs all)."""
    joins: dict[str, frozenset[str] | None] = {}
    for step in node.relations if node else ():
        if step[0] != ONE or step[2].join is None:
            continue
        name, columns = step[2].join, step[3].columns
        if name in joins:
            known = joins[name]
            columns = None if known is None or columns is None else known | columns
        joins[name] = columns
    return joins


def _conditions(
    found: list[FieldDetails], fragments: dict[str, FragmentDetails]
) -> set[str]:
    """The type conditions of a field's fragments (a `node` selection's types)."""
    names: set[str] = set()
    pending = [d.node.selection_set for d in found]
    while pending:
        selection_set = pending.pop()
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, InlineFragmentNode):
                if selection.type_condition is not None:
                    names.add(selection.type_condition.name.value)
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments[selection.name.value].definition
                names.add(fragment.type_condition.name.value)
                pending.append(fragment.selection_set)
    return names


# -- running a plan ----------------------------------------------------------------


def _allow(context: Context, rule: str) -> None:
    """`schema.core.permissions.require`, or the executor answers."""
    caller = context.caller
    try:
        authorize(caller, rule)
    except Exception:
        raise NotCompiled(f"{rule} refused") from None
    if not isinstance(caller, Actor):
        raise NotCompiled(f"{rule} refused")


class _Run:
    def __init__(self, context: Context, variables: Any, joined: set[int]) -> None:
        self.context = context
        self.variables = variables
        self.joined = joined
        self.loaded: dict[int, Mapping[int, Any]] = {}  # ONE step -> rows by key
        # (PAGE step, parent row) -> (page, its rows as the target type, count)
        self.pages: dict[tuple[int, int], tuple[Page[Any], list[Any], int | None]] = {}
        # (BATCH step, parent row) -> the related row(s)
        self.batched: dict[tuple[int, int], Any] = {}
        self.allowed: set[str] = set()

    def allow(self, rule: str) -> None:
        if rule not in self.allowed:
            _allow(self.context, rule)
            self.allowed.add(rule)

    async def converted(self, plan: ObjectPlan, rows: list[Any]) -> list[Any]:
        """Rows as the plan's type reads them."""
        if plan.convert is not None:
            return [plan.convert(r) for r in rows]
        if plan.convert_all is not None and rows:
            return await plan.convert_all(rows, self.context)
        if plan.check is not None:
            for row in rows:
                plan.check(row)
        return list(rows)

    async def prefetch(self, plan: ObjectPlan, rows: list[Any]) -> None:
        if not rows:
            return
        for step in plan.relations:
            relation = step[2]
            if relation.rule is not None:
                self.allow(relation.rule)
            if step[0] == ONE:
                if id(step) in self.joined:
                    found = relation.joined(rows)
                else:
                    keys = {k for row in rows if (k := relation.key(row)) is not None}
                    found = await relation.load(list(keys)) if keys else {}
                child: ObjectPlan = step[3]
                keys_found = list(found)
                values = await self.converted(child, [found[k] for k in keys_found])
                converted = dict(zip(keys_found, values, strict=True))
                self.loaded[id(step)] = converted
                await self.prefetch(child, values)
            elif step[0] == BATCH:
                await self.batch_load(step, rows)
            else:
                connection: ConnectionPlan = step[3]
                kwargs = step[4](self.variables)
                children: list[Any] = []
                for row in rows:
                    page = await relation.fetch(row, kwargs)
                    page_rows = await self.target_rows(connection, page)
                    count = await page.count() if connection.counts else None
                    self.pages[(id(step), id(row))] = (page, page_rows, count)
                    children.extend(page_rows)
                if connection.node is not None:
                    await self.prefetch(connection.node, children)

    async def batch_load(self, step: tuple[Any, ...], rows: list[Any]) -> None:
        """A `Batch` field of a page of rows: one load, the related rows
        converted together, each row's value kept by the row."""
        child: ObjectPlan | None = step[3]
        many: bool = step[6]
        values = await step[2].load(rows, self.context)
        if child is None:  # a leaf's values
            for row, value in zip(rows, values, strict=True):
                self.batched[(id(step), id(row))] = value
            return
        flat = [
            v
            for value in values
            for v in (value if many else (value,))
            if v is not None
        ]
        built = flat if step[2].built else await self.converted(child, flat)
        converted = iter(built)
        children: list[Any] = []
        for row, value in zip(rows, values, strict=True):
            mine: Any
            if many:
                mine = [next(converted) for _ in value]
                children.extend(mine)
            else:
                mine = None if value is None else next(converted)
                children.extend(() if mine is None else (mine,))
            self.batched[(id(step), id(row))] = mine
        await self.prefetch(child, children)

    async def target_rows(
        self, connection: ConnectionPlan, page: Page[Any]
    ) -> list[Any]:
        if connection.node is None:
            return page.rows
        return await self.converted(connection.node, page.rows)

    def object(self, plan: ObjectPlan, row: Any) -> dict[str, Any]:
        return plan.build(row, self)

    def one(self, step: tuple[Any, ...], row: Any) -> Any:
        key = step[2].key(row)
        related = None if key is None else self.loaded[id(step)].get(key)
        if related is None:
            if step[4]:
                raise NotCompiled(f"null in non-null {step[5]}")
            return None
        return step[3].build(related, self)

    def batch(self, step: tuple[Any, ...], row: Any) -> Any:
        value = self.batched[(id(step), id(row))]
        plan: ObjectPlan | None = step[3]
        if plan is None:
            return step[7](value)
        if step[6]:
            return [plan.build(v, self) for v in value]
        if value is None:
            if step[4]:
                raise NotCompiled(f"null in non-null {step[5]}")
            return None
        return plan.build(value, self)

    def page(self, step: tuple[Any, ...], row: Any) -> Any:
        page, rows, count = self.pages[(id(step), id(row))]
        return self.connection(step[3], page, rows, count)

    def connection(
        self,
        plan: ConnectionPlan,
        page: Page[Any],
        rows: list[Any],
        count: int | None,
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, what, sub in plan.steps:
            if what == "typename":
                out[key] = sub
            elif what == "totalCount":
                out[key] = count
            elif what == "pageInfo":
                out[key] = self.page_info(sub, page)
            else:
                edge_name, parts = sub
                node = plan.node
                cursor_of = page.cursor_of
                edges = []
                for raw, row in zip(page.rows, rows, strict=True):
                    edge: dict[str, Any] = {}
                    for part_key, part in parts:
                        if part == "node":
                            assert node is not None
                            edge[part_key] = self.object(node, row)
                        elif part == "cursor":
                            edge[part_key] = cursor_of(raw)
                        else:
                            edge[part_key] = edge_name
                    edges.append(edge)
                out[key] = edges
        return out

    def page_info(self, sub: tuple[str, list[tuple[str, str]]], page: Page[Any]) -> Any:
        name, parts = sub
        out: dict[str, Any] = {}
        for key, part in parts:
            if part == "hasNextPage":
                out[key] = page.has_next
            elif part == "hasPreviousPage":
                out[key] = page.has_previous
            elif part == "startCursor":
                out[key] = page.cursor_of(page.rows[0]) if page.rows else None
            elif part == "endCursor":
                out[key] = page.cursor_of(page.rows[-1]) if page.rows else None
            elif part == "__typename":
                out[key] = name
            else:
                raise NotCompiled(f"PageInfo.{part}")
        return out

    async def root(self, step: tuple[Any, ...]) -> Any:
        # the last part: a page's joins, or whether a root object is non-null
        # and a list
        kind, _, handler, sub, arguments, last = step
        self.allow(handler.rule)
        kwargs = arguments(self.variables)
        if kind == PAGE:
            joins, columns = last
            if handler.selects:
                page = await handler.fetch(kwargs, joins, self.context, columns)
            else:
                page = await handler.fetch(kwargs, joins, self.context)
            rows = await self.target_rows(sub, page)
            count = await page.count() if sub.counts else None
            if sub.node is not None:
                await self.prefetch(sub.node, rows)
            return self.connection(sub, page, rows, count)
        if kind == BATCH:
            non_null, many = last
            found = await handler.load(kwargs, self.context)
            if found is None:
                if non_null:  # the executor answers the error
                    raise NotCompiled(f"no {handler.target} for {step[1]}")
                return None
            rows = await self.converted(sub, list(found) if many else [found])
            await self.prefetch(sub, rows)
            built = [self.object(sub, row) for row in rows]
            return built if many else built[0]
        decoded = handler.decode(kwargs["id"])
        if decoded is None or decoded[0] not in handler.node_types():
            return None
        type_name, key = decoded
        plan = sub.get(type_name)
        if plan is None:
            raise NotCompiled(f"node of type {type_name}")
        found = (await handler.loads[type_name]([key])).get(key)
        if found is None:
            return None
        row = (await self.converted(plan, [found]))[0]
        await self.prefetch(plan, [row])
        return self.object(plan, row)


class CompiledReads:
    """The plans of the documents seen so far, and running them."""

    def __init__(self, strawberry_schema: Schema, *, hide_suggestions: bool) -> None:
        self.strawberry = strawberry_schema
        self.hide_suggestions = hide_suggestions
        self.plans: dict[tuple[str, str | None], Plan | str] = {}

    def plan(
        self, text: str, document: DocumentNode, operation_name: str | None
    ) -> Plan | str:
        key = (text, operation_name)
        found = self.plans.get(key)
        if found is None:
            try:
                found = compile_plan(self.strawberry, document, operation_name)
            except NotCompiled as reason:
                found = str(reason)
            if len(self.plans) >= PLANS_KEPT:
                self.plans.clear()
            self.plans[key] = found
        return found

    async def answer(
        self,
        text: str,
        document: DocumentNode,
        operation_name: str | None,
        variables: dict[str, Any] | None,
        context: Context,
    ) -> dict[str, Any] | str:
        """The response's ``data``, or why the executor is to answer."""
        plan = self.plan(text, document, operation_name)
        if isinstance(plan, str):
            reason = plan
        else:
            try:
                return await self.run(plan, variables, context)
            except NotCompiled as refused:
                reason = str(refused)
            except Exception as error:  # the executor answers (and masks) it
                reason = f"{type(error).__name__} while running"
        _fall_back(reason, operation_name)
        return reason

    async def run(
        self, plan: Plan, variables: dict[str, Any] | None, context: Context
    ) -> dict[str, Any]:
        coerced = get_variable_values(
            self.strawberry._schema,
            plan.operation.variable_definitions or (),
            variables or {},
            hide_suggestions=self.hide_suggestions,
        )
        if isinstance(coerced, list):
            raise NotCompiled("variables refused")
        run = _Run(context, coerced, plan.joined)
        data: dict[str, Any] = {}
        for step in plan.steps:
            if step[0] == TYPENAME:
                data[step[1]] = step[2]
            else:
                data[step[1]] = await run.root(step)
        _answered[plan.operation.name.value if plan.operation.name else ""] += 1
        return data
