"""One validation and execution path for every transport.

HTTP (`server.graphql_http`) and graphql-transport-ws (`server.websocket`) hand a
request here with a way to authenticate its caller. The document is parsed,
validated and measured once per distinct text (`schema.core.limits.DocumentCache`);
the operation's depth, aliases, tokens and cost, the one-`login` rule, the
authentication requirement and the caller's rate budget are checked before any
resolver runs; the result's unexpected errors are masked with the request id.
A transport only translates a `Refusal` into its own wire form.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from operator import attrgetter
from typing import Any, TypeGuard, cast

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLField,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    VariableDefinitionNode,
    execute,
    is_leaf_type,
    subscribe,
)
from graphql.execution import VariableValues, get_variable_values
from graphql.pyutils import Path, Undefined, gather_with_cancel
from graphql.pyutils import is_awaitable as default_is_awaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

import schema as schema_module
from schema.context import Context
from schema.core.compiled import CompiledReads
from schema.core.limits import DocumentCache, OperationShape, PreparedDocument
from schema.leads.variables import coerce_variables
from server import metrics
from server.domain.core.errors import TopLevelError, UserErrors
from server.services.core.actors import Actor, Anonymous
from server.services.core.ratelimit import RateLimiter
from server.services.people import auth
from server.settings import Settings

log = logging.getLogger("accord.graphql")

Caller = Actor | Anonymous

Authenticate = Callable[[OperationShape], Awaitable[Caller]]
MakeContext = Callable[[Caller], Context]


def _variable_values(
    schema: GraphQLSchema,
    definitions: Collection[VariableDefinitionNode],
    inputs: dict[str, Any],
    max_errors: int | None = None,
    hide_suggestions: bool = False,
) -> list[GraphQLError] | VariableValues:
    """graphql-core's coercion of an operation's variables, but for the
    operations `schema.leads.variables` coerces (the 1,000-row
    `recordLeadActivities`), which get the same values from it; a value it
    cannot coerce goes to graphql-core, which reports why."""
    fast = coerce_variables(schema, definitions, inputs)
    if fast is not None:
        return fast
    return get_variable_values(
        schema,
        definitions,
        inputs,
        max_errors=max_errors,
        hide_suggestions=hide_suggestions,
    )


# Documents whose variables were coerced by `schema.leads.variables`, each with
# a copy whose operation declares no variables (graphql-core then coerces none).
_BARE: dict[int, tuple[DocumentNode, DocumentNode]] = {}
_BARE_LIMIT = 64


def _fast_variables(
    schema: GraphQLSchema, document: DocumentNode, inputs: dict[str, Any] | None
) -> tuple[DocumentNode, VariableValues] | None:
    """The document to build from and its variables, for a one-operation
    document whose variables `coerce_variables` coerces; None otherwise."""
    if len(document.definitions) != 1:
        return None
    operation = document.definitions[0]
    if not isinstance(operation, OperationDefinitionNode):
        return None
    values = coerce_variables(
        schema, operation.variable_definitions or (), inputs or {}
    )
    if values is None:
        return None
    held = _BARE.get(id(document))
    if held is None or held[0] is not document:
        kept = {k: getattr(operation, k) for k in operation.keys}
        bare = OperationDefinitionNode(**{**kept, "variable_definitions": ()})
        held = (document, DocumentNode(definitions=(bare,)))
        if len(_BARE) >= _BARE_LIMIT:
            _BARE.clear()
        _BARE[id(document)] = held
    return held[1], values


class Refusal(Exception):
    """A request refused before execution: an HTTP status, a code, and for a
    document that does not parse or validate, the document's errors."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str,
        headers: dict[str, str] | None = None,
        errors: list[dict[str, Any]] | None = None,
    ):
        super().__init__(message)
        self.status, self.code, self.headers = status, code, headers or {}
        self.errors = errors

    def formatted(self, request_id: str) -> list[dict[str, Any]]:
        if self.errors is not None:
            return self.errors
        return [error(str(self), self.code, requestId=request_id)]


@dataclass
class GraphQLRequest:
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None

    @classmethod
    def of(cls, payload: Any) -> GraphQLRequest:
        """The request in a decoded JSON payload (HTTP body or WebSocket message)."""
        if not isinstance(payload, dict):
            raise Refusal(400, "the request must be a JSON object", "BAD_REQUEST")
        query, variables, name = (
            payload.get("query"),
            payload.get("variables"),
            payload.get("operationName"),
        )
        if not isinstance(query, str) or not query.strip():
            raise Refusal(400, "the request has no query", "BAD_REQUEST")
        if variables is not None and not isinstance(variables, dict):
            raise Refusal(400, "variables must be a JSON object", "BAD_REQUEST")
        if name is not None and not isinstance(name, str):
            raise Refusal(400, "operationName must be a string", "BAD_REQUEST")
        return cls(query, variables, name)


def error(message: str, code: str, **extensions: Any) -> dict[str, Any]:
    return {"message": message, "extensions": {"code": code, **extensions}}


_PLAIN_VALUES = frozenset({str, int, float, bool, type(None), list, dict, Decimal})


def is_awaitable(value: Any) -> TypeGuard[Awaitable[Any]]:
    """graphql-core's test, answered at once for the plain values most fields
    return (it asks every one for ``__await__``, a measurable share of a
    50-row page)."""
    if type(value) in _PLAIN_VALUES:
        return False
    return default_is_awaitable(value)


_Leaf = tuple[Callable[[Any], Any], GraphQLLeafType, bool]
# id(field) -> (field, plan); the entry keeps the field alive, so the id cannot
# be reused by another one.
_LEAVES: dict[int, tuple[GraphQLField, _Leaf | None]] = {}


def _leaf(field_def: GraphQLField) -> _Leaf | None:
    """How to answer a field that only reads an attribute and returns a scalar
    or an enum (strawberry's resolver-less fields, marked ``_is_default``):
    how to read it, its leaf type and whether it is non-null; None for any
    other field. Worked out once per field of the schema."""
    found = _LEAVES.get(id(field_def))
    if found is not None and found[0] is field_def:
        return found[1]
    kind = field_def.type
    non_null = isinstance(kind, GraphQLNonNull)
    inner = kind.of_type if isinstance(kind, GraphQLNonNull) else kind
    resolve = field_def.resolve
    plan: _Leaf | None = None
    if (
        resolve is not None
        and getattr(resolve, "_is_default", False)
        and not field_def.args
        and is_leaf_type(inner)
    ):
        field = field_def.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
        read: Callable[[Any], Any] = (
            attrgetter(field.python_name)
            if isinstance(field, StrawberryField) and field.default_resolver is getattr
            else partial(resolve, info=None)
        )
        plan = (read, inner, non_null)
    _LEAVES[id(field_def)] = (field_def, plan)
    return plan


class ExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's execution with a short path for leaf fields read from an
    attribute: no path, resolve info or resolver wrapper unless it fails, the
    value coerced at once. A 300-card board is about 4,000 such fields. The
    result, errors included (a null in a non-null field, a value the type
    cannot coerce), is the one graphql-core gives; any other field, and a leaf
    whose value is awaitable or an exception, takes graphql-core's path."""

    @classmethod
    def build(
        cls,
        schema: GraphQLSchema,
        document: DocumentNode,
        root_value: Any = None,
        context_value: Any = None,
        raw_variable_values: dict[str, Any] | None = None,
        operation_name: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        """graphql-core's build; for an operation whose variables
        `schema.leads.variables` coerces (the same values as graphql-core's,
        proven by tests/api/leads/test_fast_variables.py), graphql-core builds
        from the operation without its variable declarations and the values
        coerced here are set in their place."""
        fast = _fast_variables(schema, document, raw_variable_values)
        if fast is None:
            return super().build(
                schema,
                document,
                root_value,
                context_value,
                raw_variable_values,
                operation_name,
                *args,
                **kwargs,
            )
        bare, values = fast
        built = super().build(
            schema,
            bare,
            root_value,
            context_value,
            None,
            operation_name,
            *args,
            **kwargs,
        )
        if not isinstance(built, list):
            built.variable_values = values
        return built

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        if self.middleware_manager:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        get_field = self.schema.get_field
        awaitable_fields: list[str] = []
        try:
            for response_name, field_details_list in grouped_field_set.items():
                node = field_details_list[0].node
                field_def = get_field(parent_type, node.name.value)
                plan = (
                    _leaf(field_def)
                    if field_def is not None and not node.arguments
                    else None
                )
                if plan is not None and field_def is not None:
                    read, leaf_type, non_null = plan
                    try:
                        value = read(source_value)
                        if value is None or value is Undefined:
                            if non_null:
                                raise TypeError(
                                    "Cannot return null for non-nullable field"
                                    f" {parent_type.name}.{node.name.value}."
                                )
                            results[response_name] = None
                            continue
                        if not isinstance(value, Exception) and not is_awaitable(value):
                            results[response_name] = self.complete_leaf_value(
                                leaf_type, value
                            )
                            continue
                    except Exception as raw_error:
                        self.handle_field_error(
                            raw_error,
                            field_def.type,
                            field_details_list,
                            Path(path, response_name, parent_type.name),
                        )
                        results[response_name] = None
                        continue
                result = self.execute_field(
                    parent_type,
                    source_value,
                    field_details_list,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background(
                    [results[field] for field in awaitable_fields]
                )
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                field = awaitable_fields[0]
                results[field] = await results[field]
            else:
                awaited = await gather_with_cancel(
                    *(results[field] for field in awaitable_fields)
                )
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()


class Executor:
    """The documents cache and the rate buckets, shared by every transport."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.schema = schema_module.schema._schema
        self.hide_suggestions = not settings.debug
        self.documents = DocumentCache(
            self.schema, settings.limits, introspection=settings.debug
        )
        self.rates = RateLimiter(settings.limits.rate_limit_per_minute)
        # Known read documents answered from rows (`schema.core.compiled`);
        # None leaves every request to graphql-core (the differential test).
        self.compiled: CompiledReads | None = CompiledReads(
            schema_module.schema, hide_suggestions=self.hide_suggestions
        )

    async def run(
        self,
        gql: GraphQLRequest,
        *,
        transport: str,
        request_id: str,
        authenticate: Authenticate,
        make_context: MakeContext,
    ) -> tuple[dict[str, Any], Context]:
        """Check and run one request (``transport``: GET, POST or WS); the
        response body and the context the resolvers saw."""
        prepared, shape = self.prepare(gql, transport)
        caller = await authenticate(shape)
        cost = self._spend(caller, shape)
        context = make_context(caller)
        if shape.kind == "query" and self.compiled is not None:
            assert prepared.document is not None
            data = await self.compiled.answer(
                gql.query, prepared.document, gql.operation_name, gql.variables, context
            )
            if not isinstance(data, str):
                extensions = {"cost": cost, "requestId": request_id}
                return {"data": data, "extensions": extensions}, context
            metrics.inc("accord_compiled_fallback_total", reason=data)
        result = await self._execute(prepared, gql, context)
        if shape.kind == "mutation":
            # A mutation may have revoked a credential or changed a user: this
            # worker checks every credential again (others within a second).
            auth.credentials.clear()
        return self._body(result, request_id, cost), context

    def prepare(
        self, gql: GraphQLRequest, transport: str, *, subscriptions: bool = False
    ) -> tuple[PreparedDocument, OperationShape]:
        """Parse, validate and measure a request (`Refusal` when it fails)."""
        prepared = self.documents.prepare(gql.query)
        if prepared.errors:
            errors = [
                {**e.formatted, "extensions": {"code": prepared.error_code}}
                for e in prepared.errors
            ]
            raise Refusal(
                400, "the document is invalid", prepared.error_code, {}, errors
            )
        shape = self._operation(prepared, gql, transport, subscriptions)
        return prepared, shape

    async def subscribe(
        self,
        prepared: PreparedDocument,
        shape: OperationShape,
        gql: GraphQLRequest,
        *,
        caller: Caller,
        request_id: str,
        context: Context,
        executor_class: type[ExecutionContext] | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Run a subscription (the caller already authenticated): one response
        body per event. The cost is spent once, when it starts; a refusal
        before the first event (permissions, arguments) is one body with
        errors and the end of the stream. ``executor_class`` (an
        `ExecutionContext`) may execute events differently (shared per event:
        `server.websocket.SharedEventExecution`)."""
        cost = self._spend(caller, shape)
        assert prepared.document is not None
        outcome = subscribe(
            self.schema,
            prepared.document,
            context_value=context,
            variable_values=gql.variables,
            operation_name=gql.operation_name,
            executor_class=executor_class or ExecutionContext,
            is_awaitable=is_awaitable,
            hide_suggestions=self.hide_suggestions,
        )
        if not isinstance(outcome, ExecutionResult) and not hasattr(
            outcome, "__anext__"
        ):
            outcome = await outcome
        if isinstance(outcome, ExecutionResult):
            yield self._body(outcome, request_id, cost)
            return
        results = cast(AsyncIterator[ExecutionResult], outcome)
        try:
            async for result in results:
                yield self._body(result, request_id, cost)
        except (TopLevelError, UserErrors) as exc:
            # raised by the resolver before its first event (permissions, arguments)
            failure = GraphQLError(str(exc), original_error=exc)
            yield {"data": None, "errors": [format_error(failure, request_id)]}
        finally:
            close = getattr(results, "aclose", None)
            if close is not None:
                await close()

    def _operation(
        self,
        prepared: PreparedDocument,
        gql: GraphQLRequest,
        transport: str,
        subscriptions: bool = False,
    ) -> OperationShape:
        shape = prepared.operation(gql.operation_name)
        if shape is None:
            raise Refusal(
                400, "name the operation to run (operationName)", "BAD_REQUEST"
            )
        if transport == "GET" and shape.kind != "query":
            raise Refusal(
                405,
                "mutations must be sent with POST",
                "METHOD_NOT_ALLOWED",
                {"Allow": "POST"},
            )
        if shape.kind == "subscription" and not subscriptions:
            raise Refusal(
                400,
                "subscriptions run over WebSocket (graphql-transport-ws) only",
                "BAD_REQUEST",
            )
        problems = self.documents.problems(shape)
        if problems:
            raise Refusal(400, "; ".join(problems), "QUERY_TOO_COMPLEX")
        if shape.logins > 1:
            raise Refusal(400, "a document may hold only one login", "INVALID_INPUT")
        return shape

    def _spend(self, caller: Caller, shape: OperationShape) -> dict[str, Any]:
        key = (
            f"user:{caller.user_id}"
            if isinstance(caller, Actor)
            else f"addr:{caller.client_address}"
        )
        allowed, remaining, wait = self.rates.take(key, shape.cost)
        if not allowed:
            metrics.inc("accord_throttled_total", reason="rate")
            raise Refusal(
                429,
                f"rate limit reached; retry in {int(wait) + 1} s",
                "THROTTLED",
                {"Retry-After": str(int(wait) + 1)},
            )
        return {
            "requested": shape.cost,
            "limit": self.settings.limits.max_cost,
            "remaining": int(remaining),
            "perMinute": self.settings.limits.rate_limit_per_minute,
        }

    async def _execute(
        self, prepared: PreparedDocument, gql: GraphQLRequest, context: Context
    ) -> ExecutionResult:
        assert prepared.document is not None
        result = execute(
            self.schema,
            prepared.document,
            context_value=context,
            variable_values=gql.variables,
            operation_name=gql.operation_name,
            executor_class=ExecutionContext,
            is_awaitable=is_awaitable,
            hide_suggestions=self.hide_suggestions,
        )
        if not isinstance(result, ExecutionResult):
            result = await result
        return result

    def _body(
        self, result: ExecutionResult, request_id: str, cost: dict[str, Any]
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [format_error(e, request_id) for e in result.errors]
        body["extensions"] = {"cost": cost, "requestId": request_id}
        return body


def format_error(graphql_error: GraphQLError, request_id: str) -> dict[str, Any]:
    """An execution error as the caller sees it: expected failures keep their
    code, anything else is masked and logged with the request id."""
    original = graphql_error.original_error
    formatted: dict[str, Any] = {
        "message": graphql_error.message,
        "path": graphql_error.path,
    }
    if graphql_error.locations:
        formatted["locations"] = [
            {"line": loc.line, "column": loc.column} for loc in graphql_error.locations
        ]
    if isinstance(original, TopLevelError):
        formatted["extensions"] = {"code": original.code, **original.extensions}
        if original.code == "THROTTLED":
            metrics.inc("accord_throttled_total", reason="login")
    elif isinstance(original, UserErrors):
        formatted["extensions"] = {"code": original.errors[0].code.value}
    elif original is None or _about_variables(graphql_error):
        formatted["extensions"] = {"code": "INVALID_INPUT"}
    else:
        log.error("unexpected error (request %s)", request_id, exc_info=original)
        formatted = {
            "message": "Internal server error",
            "path": graphql_error.path,
            "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        }
    return formatted


def _about_variables(graphql_error: GraphQLError) -> bool:
    """Whether the error is a variable the schema cannot read (a null in a list
    of non-null values, a bad date or enum value): the caller's input, even
    when a scalar's parser raised it."""
    nodes = graphql_error.nodes or ()
    return bool(nodes) and all(isinstance(n, VariableDefinitionNode) for n in nodes)
