"""Checks that depend only on the document, computed once per distinct document.

`DocumentCache.prepare(text)` parses (with a token limit), validates, and measures
each operation: depth, aliases, a static cost and how many `login` fields it holds.
The HTTP layer refuses an operation over a limit before any resolver runs.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
    specified_rules,
    validate,
)
from graphql.validation import NoSchemaIntrospectionCustomRule

from server.settings import Limits

DEFAULT_PAGE = 20
MAX_PAGE = 100
UNKNOWN_LIST = 10
ANONYMOUS_FIELDS = frozenset({"login", "setPassword", "__typename"})
# Fields that cost more than the 1 point of a field, as "Type.field": the
# capabilities' tables, installed by `server.wiring.wire_schema`.
_FIELD_COSTS: dict[str, int] = {}


def install_field_costs(*tables: dict[str, int]) -> None:
    """What each expensive field costs (replacing what was installed)."""
    _FIELD_COSTS.clear()
    for table in tables:
        _FIELD_COSTS.update(table)


@dataclass(frozen=True)
class OperationShape:
    kind: str  # "query", "mutation" or "subscription"
    depth: int
    aliases: int
    cost: int
    logins: int
    root_fields: frozenset[str]

    @property
    def anonymous_ok(self) -> bool:
        return (self.kind == "mutation" and self.root_fields <= ANONYMOUS_FIELDS) or (
            self.root_fields <= {"__typename"}
        )


@dataclass
class PreparedDocument:
    document: DocumentNode | None
    errors: list[GraphQLError] = field(default_factory=list)
    error_code: str = ""
    operations: dict[str | None, OperationShape] = field(default_factory=dict)

    def operation(self, name: str | None) -> OperationShape | None:
        if name is None and len(self.operations) == 1:
            return next(iter(self.operations.values()))
        return self.operations.get(name)


def _unwrap(t: object) -> tuple[GraphQLNamedType, bool]:
    is_list = False
    while isinstance(t, (GraphQLNonNull, GraphQLList)):
        is_list = is_list or isinstance(t, GraphQLList)
        t = t.of_type
    return t, is_list  # type: ignore[return-value]


class _Measure:
    def __init__(
        self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode]
    ):
        self.schema = schema
        self.fragments = fragments
        self.aliases = 0
        self.logins = 0

    def fields(
        self, selection_set: SelectionSetNode, seen: frozenset[str] = frozenset()
    ) -> list[FieldNode]:
        out: list[FieldNode] = []
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                out.append(sel)
            elif isinstance(sel, InlineFragmentNode):
                out += self.fields(sel.selection_set, seen)
            elif isinstance(sel, FragmentSpreadNode):
                name = sel.name.value
                frag = self.fragments.get(name)
                if frag is not None and name not in seen:
                    out += self.fields(frag.selection_set, seen | {name})
        return out

    def walk(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType, level: int
    ) -> tuple[int, int]:
        """Return (depth, cost) of a selection set under ``parent``."""
        depth, cost = level, 0
        for node in self.fields(selection_set):
            if node.alias is not None:
                self.aliases += 1
            field_type, is_list = self._field_type(parent, node.name.value)
            cost += _FIELD_COSTS.get(f"{parent.name}.{node.name.value}", 1)
            if node.selection_set is None or field_type is None:
                continue
            child_depth, child_cost = self.walk(
                node.selection_set, field_type, level + 1
            )
            depth = max(depth, child_depth)
            cost += self._multiplier(node, parent, field_type, is_list) * child_cost
        return depth, cost

    def _field_type(
        self, parent: GraphQLNamedType, name: str
    ) -> tuple[GraphQLNamedType | None, bool]:
        if isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)):
            definition = parent.fields.get(name)
            if definition is not None:
                return _unwrap(definition.type)
        if isinstance(parent, GraphQLUnionType):
            return parent, False
        return None, False

    @staticmethod
    def _multiplier(
        node: FieldNode,
        parent: GraphQLNamedType,
        field_type: GraphQLNamedType,
        is_list: bool,
    ) -> int:
        args = {a.name.value: a.value for a in node.arguments or ()}
        if field_type.name.endswith("Connection"):
            for key in ("first", "last"):
                value = args.get(key)
                if isinstance(value, IntValueNode):
                    return max(1, min(int(value.value), MAX_PAGE))
                if value is not None:
                    return MAX_PAGE
            return DEFAULT_PAGE
        if not is_list or parent.name.endswith("Connection"):
            return 1  # a connection's edges were already counted by its page size
        for value in args.values():
            if isinstance(value, ListValueNode):
                return max(1, len(value.values))
        return MAX_PAGE if args else UNKNOWN_LIST


def _shape(
    schema: GraphQLSchema,
    op: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
) -> OperationShape:
    kind = op.operation.value
    root = {
        "query": schema.query_type,
        "mutation": schema.mutation_type,
        "subscription": schema.subscription_type,
    }[kind]
    m = _Measure(schema, fragments)
    root_nodes = m.fields(op.selection_set)
    depth, cost = m.walk(op.selection_set, root, 1) if root else (1, 0)
    logins = sum(1 for n in root_nodes if n.name.value == "login")
    return OperationShape(
        kind,
        depth,
        m.aliases,
        cost,
        logins,
        frozenset(n.name.value for n in root_nodes),
    )


class DocumentCache:
    """Parsed, validated and measured documents, keyed by their text (LRU)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        limits: Limits,
        *,
        introspection: bool,
        size: int = 1000,
    ):
        self.schema, self.limits, self.size = schema, limits, size
        self.rules = list(specified_rules)
        self.hide_suggestions = not introspection
        if not introspection:
            self.rules.append(NoSchemaIntrospectionCustomRule)
        self._entries: OrderedDict[str, PreparedDocument] = OrderedDict()

    def prepare(self, text: str) -> PreparedDocument:
        entry = self._entries.get(text)
        if entry is not None:
            self._entries.move_to_end(text)
            return entry
        entry = self._prepare(text)
        self._entries[text] = entry
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return entry

    def _prepare(self, text: str) -> PreparedDocument:
        try:
            document = parse(text, max_tokens=self.limits.max_tokens)
        except GraphQLError as exc:
            code = (
                "QUERY_TOO_COMPLEX"
                if "tokens" in exc.message
                else "GRAPHQL_PARSE_FAILED"
            )
            return PreparedDocument(None, [exc], code)
        errors = validate(
            self.schema, document, self.rules, hide_suggestions=self.hide_suggestions
        )
        if errors:
            return PreparedDocument(document, list(errors), "GRAPHQL_VALIDATION_FAILED")
        fragments = {
            d.name.value: d
            for d in document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        operations = {
            (d.name.value if d.name else None): _shape(self.schema, d, fragments)
            for d in document.definitions
            if isinstance(d, OperationDefinitionNode)
        }
        return PreparedDocument(document, [], "", operations)

    def problems(self, shape: OperationShape) -> list[str]:
        """Why an operation is refused before execution (empty when it may run)."""
        limits, out = self.limits, []
        many = "the operation {} {}; the limit is {}"
        if shape.depth > limits.max_depth:
            out.append(
                many.format("is", f"{shape.depth} levels deep", limits.max_depth)
            )
        if shape.aliases > limits.max_aliases:
            out.append(
                many.format("uses", f"{shape.aliases} aliases", limits.max_aliases)
            )
        if shape.cost > limits.max_cost:
            out.append(many.format("costs", f"{shape.cost} points", limits.max_cost))
        return out
