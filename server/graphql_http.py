"""GraphQL over HTTP: authentication, CSRF rules, limits, execution and errors.

The request path is kept short on purpose: the document is parsed, validated and
measured once per distinct text (`schema.core.limits.DocumentCache`), every limit and
the authentication requirement are checked before any resolver runs, and the
result is serialised with orjson. Unexpected exceptions are masked with the
request id; the full error goes to the log.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeGuard
from urllib.parse import urlsplit

import orjson
from graphql import ExecutionResult, GraphQLError, VariableDefinitionNode, execute
from graphql.pyutils import is_awaitable as default_is_awaitable
from starlette.requests import Request
from starlette.responses import Response
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

import schema as schema_module
from schema.context import Context
from schema.core.limits import DocumentCache, OperationShape, PreparedDocument
from server import logs, metrics
from server.domain.core.errors import TopLevelError, UserErrors
from server.services.core.actors import Actor, Anonymous
from server.services.core.ratelimit import RateLimiter
from server.services.people import auth
from server.settings import Settings

log = logging.getLogger("accord.graphql")

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"


class HttpProblem(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        code: str,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status, self.code, self.headers = status, code, headers or {}


@dataclass
class GraphQLRequest:
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None


def _error(message: str, code: str, **extensions: Any) -> dict[str, Any]:
    return {"message": message, "extensions": {"code": code, **extensions}}


_PLAIN_VALUES = frozenset({str, int, float, bool, type(None), list, dict, Decimal})


def is_awaitable(value: Any) -> TypeGuard[Awaitable[Any]]:
    """graphql-core's test, answered at once for the plain values most fields
    return (it asks every one for ``__await__``, a measurable share of a
    50-row page)."""
    if type(value) in _PLAIN_VALUES:
        return False
    return default_is_awaitable(value)


class GraphQLEndpoint:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.schema = schema_module.schema._schema
        self.documents = DocumentCache(
            self.schema, settings.limits, introspection=settings.debug
        )
        self.rates = RateLimiter(settings.limits.rate_limit_per_minute)

    async def handle(self, request: Request) -> Response:
        started = time.perf_counter()
        request_id = _request_id(request)
        logs.request_id.set(request_id)
        wants_gql = GRAPHQL_RESPONSE in request.headers.get("accept", "")
        try:
            response = await self._handle(request, request_id, wants_gql)
        except HttpProblem as problem:
            metrics.inc("accord_graphql_requests_total", outcome=problem.code)
            body = {
                "errors": [_error(str(problem), problem.code, requestId=request_id)]
            }
            response = self._respond(
                body, problem.status, wants_gql, request_id, problem.headers
            )
        metrics.inc("accord_graphql_seconds_total", time.perf_counter() - started)
        return response

    async def _handle(
        self, request: Request, request_id: str, wants_gql: bool
    ) -> Response:
        gql = await self._read(request)
        prepared = self.documents.prepare(gql.query)
        if prepared.errors:
            status = 400 if wants_gql else 200
            errors = [
                {**e.formatted, "extensions": {"code": prepared.error_code}}
                for e in prepared.errors
            ]
            return self._respond({"errors": errors}, status, wants_gql, request_id)
        shape = self._operation(prepared, gql, request.method)
        caller = await self._authenticate(request, request_id, shape)
        cost_info = self._spend(caller, shape)
        context = Context(
            settings=self.settings,
            caller=caller,
            request_id=request_id,
            base_url=str(request.base_url).rstrip("/"),
            user_agent=request.headers.get("user-agent", ""),
            session_secret=request.cookies.get(auth.SESSION_COOKIE),
        )
        result = await self._execute(prepared, gql, context)
        body = self._body(result, request_id, cost_info)
        metrics.inc(
            "accord_graphql_requests_total", outcome="errors" if result.errors else "ok"
        )
        response = self._respond(body, 200, wants_gql, request_id)
        self._apply_cookies(response, context, request)
        return response

    async def _read(self, request: Request) -> GraphQLRequest:
        if request.method == "GET":
            params = request.query_params
            variables = params.get("variables")
            return self._parse_request(
                {
                    "query": params.get("query"),
                    "variables": orjson.loads(variables) if variables else None,
                    "operationName": params.get("operationName"),
                }
            )
        if request.method != "POST":
            raise HttpProblem(
                405,
                "use GET for queries or POST",
                "METHOD_NOT_ALLOWED",
                {"Allow": "GET, POST"},
            )
        content_type = (
            request.headers.get("content-type", "").split(";")[0].strip().lower()
        )
        if content_type != JSON:
            raise HttpProblem(
                415, "send the request as application/json", "UNSUPPORTED_MEDIA_TYPE"
            )
        body = await self._body_bytes(request)
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise HttpProblem(
                400, "the request body is not valid JSON", "BAD_REQUEST"
            ) from None
        return self._parse_request(payload)

    async def _body_bytes(self, request: Request) -> bytes:
        limit = self.settings.limits.max_body_bytes
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise HttpProblem(
                413, f"the request body is over {limit} bytes", "PAYLOAD_TOO_LARGE"
            )
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise HttpProblem(
                    413, f"the request body is over {limit} bytes", "PAYLOAD_TOO_LARGE"
                )
            chunks.append(chunk)
        return b"".join(chunks)

    @staticmethod
    def _parse_request(payload: Any) -> GraphQLRequest:
        if not isinstance(payload, dict):
            raise HttpProblem(400, "the request must be a JSON object", "BAD_REQUEST")
        query, variables, name = (
            payload.get("query"),
            payload.get("variables"),
            payload.get("operationName"),
        )
        if not isinstance(query, str) or not query.strip():
            raise HttpProblem(400, "the request has no query", "BAD_REQUEST")
        if variables is not None and not isinstance(variables, dict):
            raise HttpProblem(400, "variables must be a JSON object", "BAD_REQUEST")
        if name is not None and not isinstance(name, str):
            raise HttpProblem(400, "operationName must be a string", "BAD_REQUEST")
        return GraphQLRequest(query, variables, name)

    def _operation(
        self, prepared: PreparedDocument, gql: GraphQLRequest, method: str
    ) -> OperationShape:
        shape = prepared.operation(gql.operation_name)
        if shape is None:
            raise HttpProblem(
                400, "name the operation to run (operationName)", "BAD_REQUEST"
            )
        if method == "GET" and shape.kind != "query":
            raise HttpProblem(
                405,
                "mutations must be sent with POST",
                "METHOD_NOT_ALLOWED",
                {"Allow": "POST"},
            )
        if shape.kind == "subscription":
            raise HttpProblem(
                400,
                "subscriptions run over WebSocket (graphql-transport-ws)",
                "BAD_REQUEST",
            )
        problems = self.documents.problems(shape)
        if problems:
            raise HttpProblem(400, "; ".join(problems), "QUERY_TOO_COMPLEX")
        if shape.logins > 1:
            raise HttpProblem(
                400, "a document may hold only one login", "INVALID_INPUT"
            )
        return shape

    async def _authenticate(
        self, request: Request, request_id: str, shape: OperationShape
    ) -> Actor | Anonymous:
        address = request.client.host if request.client else ""
        header = request.headers.get("authorization", "")
        actor: Actor | None = None
        if header:
            scheme, _, secret = header.partition(" ")
            if scheme.lower() != "bearer" or not secret.strip():
                raise HttpProblem(
                    401, "use Authorization: Bearer <token>", "UNAUTHENTICATED"
                )
            actor = await auth.authenticate_token(secret.strip(), address, request_id)
            if actor is None:
                metrics.inc("accord_unauthenticated_total")
                raise HttpProblem(401, "this API token is not valid", "UNAUTHENTICATED")
        elif auth.SESSION_COOKIE in request.cookies:
            self._check_origin(request)
            actor = await auth.authenticate_session(
                request.cookies[auth.SESSION_COOKIE], address, request_id
            )
        if actor is None and not shape.anonymous_ok:
            metrics.inc("accord_unauthenticated_total")
            raise HttpProblem(401, "sign in or send an API token", "UNAUTHENTICATED")
        return actor or Anonymous(request_id, address)

    def _check_origin(self, request: Request) -> None:
        """Cookie-authenticated requests must come from our own pages."""
        origin = request.headers.get("origin")
        if origin is None:
            return
        expected = self.settings.public_url or str(request.base_url)
        if _origin_of(origin) != _origin_of(expected):
            raise HttpProblem(
                403,
                "cross-origin requests with a session cookie are refused",
                "FORBIDDEN",
            )

    def _spend(
        self, caller: Actor | Anonymous, shape: OperationShape
    ) -> dict[str, Any]:
        key = (
            f"user:{caller.user_id}"
            if isinstance(caller, Actor)
            else f"addr:{caller.client_address}"
        )
        allowed, remaining, wait = self.rates.take(key, shape.cost)
        if not allowed:
            metrics.inc("accord_throttled_total", reason="rate")
            raise HttpProblem(
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
            executor_class=StrawberryGraphQLCoreExecutionContext,
            is_awaitable=is_awaitable,
        )
        if not isinstance(result, ExecutionResult):
            result = await result
        return result

    def _body(
        self, result: ExecutionResult, request_id: str, cost: dict[str, Any]
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [self._format_error(e, request_id) for e in result.errors]
        body["extensions"] = {"cost": cost, "requestId": request_id}
        return body

    def _format_error(self, error: GraphQLError, request_id: str) -> dict[str, Any]:
        original = error.original_error
        formatted: dict[str, Any] = {"message": error.message, "path": error.path}
        if error.locations:
            formatted["locations"] = [
                {"line": loc.line, "column": loc.column} for loc in error.locations
            ]
        if isinstance(original, TopLevelError):
            formatted["extensions"] = {"code": original.code, **original.extensions}
            if isinstance(original, TopLevelError) and original.code == "THROTTLED":
                metrics.inc("accord_throttled_total", reason="login")
        elif isinstance(original, UserErrors):
            formatted["extensions"] = {"code": original.errors[0].code.value}
        elif original is None or _about_variables(error):
            formatted["extensions"] = {"code": "INVALID_INPUT"}
        else:
            log.error("unexpected error (request %s)", request_id, exc_info=original)
            formatted = {
                "message": "Internal server error",
                "path": error.path,
                "extensions": {
                    "code": "INTERNAL_SERVER_ERROR",
                    "requestId": request_id,
                },
            }
        return formatted

    def _respond(
        self,
        body: dict[str, Any],
        status: int,
        wants_gql: bool,
        request_id: str,
        headers: dict[str, str] | None = None,
    ) -> Response:
        response = Response(
            orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS),
            status_code=status,
            media_type=GRAPHQL_RESPONSE if wants_gql else JSON,
        )
        response.headers["cache-control"] = "no-store"
        response.headers["x-request-id"] = request_id
        for name, value in (headers or {}).items():
            response.headers[name] = value
        return response

    def _apply_cookies(
        self, response: Response, context: Context, request: Request
    ) -> None:
        secure = (self.settings.public_url or str(request.base_url)).startswith(
            "https:"
        )
        for change in context.cookies:
            if change.value is None:
                response.delete_cookie(
                    change.name, path="/", httponly=True, samesite="lax", secure=secure
                )
            else:
                response.set_cookie(
                    change.name,
                    change.value,
                    max_age=change.max_age,
                    path="/",
                    httponly=True,
                    samesite="lax",
                    secure=secure,
                )
            if change.name == auth.SESSION_COOKIE:
                # A readable marker (no secret in it): the web client asks who
                # is signed in only when it is there, so a first visit logs no 401.
                if change.value is None:
                    response.delete_cookie(
                        auth.SIGNED_IN_COOKIE, path="/", samesite="lax", secure=secure
                    )
                else:
                    response.set_cookie(
                        auth.SIGNED_IN_COOKIE,
                        "1",
                        max_age=change.max_age,
                        path="/",
                        httponly=False,
                        samesite="lax",
                        secure=secure,
                    )


def _about_variables(error: GraphQLError) -> bool:
    """Whether the error is a variable the schema cannot read (a null in a list
    of non-null values, a bad date or enum value): the caller's input, even
    when a scalar's parser raised it."""
    nodes = error.nodes or ()
    return bool(nodes) and all(isinstance(n, VariableDefinitionNode) for n in nodes)


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _request_id(request: Request) -> str:
    given = request.headers.get("x-request-id", "")
    if 8 <= len(given) <= 64 and given.replace("-", "").isalnum():
        return given
    return secrets.token_hex(8)
