"""GraphQL over HTTP: authentication, CSRF rules, media types and status codes.

Validation, limits, execution and error masking live in `server.executor`, the
path WebSocket operations take too; this module reads the request, says who is
calling and writes the response (serialised with orjson).
"""

from __future__ import annotations

import secrets
import time
from typing import Any
from urllib.parse import urlsplit

import orjson
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from schema.context import Context
from schema.core.limits import OperationShape
from server import logs, metrics
from server.executor import Executor, GraphQLRequest, Refusal
from server.proxies import client_address
from server.services.core.actors import Actor, Anonymous
from server.services.people import auth
from server.settings import Settings

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
HttpProblem = Refusal


class GraphQLEndpoint:
    def __init__(self, settings: Settings, executor: Executor) -> None:
        self.settings = settings
        self.executor = executor

    async def post(self, scope: Scope, receive: Receive, send: Send) -> None:
        """``POST /graphql`` as a plain ASGI app (`server.app.App` sends it
        here before Starlette's middleware and routing): the same answer as
        `handle`, and an unexpected error is a plain 500 raised on to the
        server, as Starlette's `ServerErrorMiddleware` does."""
        started = False

        async def sending(message: Any) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            response = await self.handle(Request(scope, receive, send))
            await response(scope, receive, sending)
        except Exception:
            if not started:
                error = PlainTextResponse("Internal Server Error", status_code=500)
                await error(scope, receive, send)
            raise

    async def handle(self, request: Request) -> Response:
        started = time.perf_counter()
        request_id = _request_id(request)
        logs.request_id.set(request_id)
        wants_gql = GRAPHQL_RESPONSE in request.headers.get("accept", "")
        try:
            response = await self._handle(request, request_id, wants_gql)
        except Refusal as problem:
            metrics.inc("accord_graphql_requests_total", outcome=problem.code)
            status = problem.status
            if problem.errors is not None and not wants_gql:
                status = 200  # application/json answers invalid documents with 200
            body = {"errors": problem.formatted(request_id)}
            response = self._respond(
                body, status, wants_gql, request_id, problem.headers
            )
        metrics.inc("accord_graphql_seconds_total", time.perf_counter() - started)
        return response

    async def _handle(
        self, request: Request, request_id: str, wants_gql: bool
    ) -> Response:
        gql = await self._read(request)

        async def authenticate(shape: OperationShape) -> Actor | Anonymous:
            return await self._authenticate(request, request_id, shape)

        def make_context(caller: Actor | Anonymous) -> Context:
            return Context(
                settings=self.settings,
                caller=caller,
                request_id=request_id,
                base_url=_base_url(request),
                user_agent=request.headers.get("user-agent", ""),
                session_secret=request.cookies.get(auth.SESSION_COOKIE),
            )

        body, context = await self.executor.run(
            gql,
            transport=request.method,
            request_id=request_id,
            authenticate=authenticate,
            make_context=make_context,
        )
        metrics.inc(
            "accord_graphql_requests_total",
            outcome="errors" if "errors" in body else "ok",
        )
        status, headers = _throttle_of(body)
        response = self._respond(body, status, wants_gql, request_id, headers)
        self._apply_cookies(response, context, request)
        return response

    async def _read(self, request: Request) -> GraphQLRequest:
        if request.method == "GET":
            params = request.query_params
            return GraphQLRequest.of(
                {
                    "query": params.get("query"),
                    "variables": _json_parameter(params.get("variables")),
                    "operationName": params.get("operationName"),
                }
            )
        if request.method != "POST":
            raise Refusal(
                405,
                "use GET for queries or POST",
                "METHOD_NOT_ALLOWED",
                {"Allow": "GET, POST"},
            )
        content_type = (
            request.headers.get("content-type", "").split(";")[0].strip().lower()
        )
        if content_type != JSON:
            raise Refusal(
                415, "send the request as application/json", "UNSUPPORTED_MEDIA_TYPE"
            )
        body = await self._body_bytes(request)
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise Refusal(
                400, "the request body is not valid JSON", "BAD_REQUEST"
            ) from None
        return GraphQLRequest.of(payload)

    async def _body_bytes(self, request: Request) -> bytes:
        limit = self.settings.limits.max_body_bytes
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise Refusal(
                413, f"the request body is over {limit} bytes", "PAYLOAD_TOO_LARGE"
            )
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise Refusal(
                    413, f"the request body is over {limit} bytes", "PAYLOAD_TOO_LARGE"
                )
            chunks.append(chunk)
        return b"".join(chunks)

    async def _authenticate(
        self, request: Request, request_id: str, shape: OperationShape
    ) -> Actor | Anonymous:
        address = client_address(request, self.settings)
        header = request.headers.get("authorization", "")
        actor: Actor | None = None
        if header:
            scheme, _, secret = header.partition(" ")
            if scheme.lower() != "bearer" or not secret.strip():
                raise Refusal(
                    401, "use Authorization: Bearer <token>", "UNAUTHENTICATED"
                )
            actor = await auth.authenticate_token(secret.strip(), address, request_id)
            if actor is None:
                metrics.inc("accord_unauthenticated_total")
                raise Refusal(401, "this API token is not valid", "UNAUTHENTICATED")
        elif auth.SESSION_COOKIE in request.cookies:
            self._check_origin(request)
            actor = await auth.authenticate_session(
                request.cookies[auth.SESSION_COOKIE], address, request_id
            )
        if actor is None and not shape.anonymous_ok:
            metrics.inc("accord_unauthenticated_total")
            raise Refusal(401, "sign in or send an API token", "UNAUTHENTICATED")
        return actor or Anonymous(request_id, address)

    def _check_origin(self, request: Request) -> None:
        """Cookie-authenticated requests must come from our own pages."""
        origin = request.headers.get("origin")
        if origin is None:
            return
        expected = self.settings.public_url or str(request.base_url)
        if _origin_of(origin) != _origin_of(expected):
            raise Refusal(
                403,
                "cross-origin requests with a session cookie are refused",
                "FORBIDDEN",
            )

    def _respond(
        self,
        body: dict[str, Any],
        status: int,
        wants_gql: bool,
        request_id: str,
        headers: dict[str, str] | None = None,
    ) -> Response:
        fixed = {
            "cache-control": "no-store",
            "x-request-id": request_id,
            "x-content-type-options": "nosniff",
        }
        return Response(
            orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS),
            status_code=status,
            headers={**fixed, **headers} if headers else fixed,
            media_type=GRAPHQL_RESPONSE if wants_gql else JSON,
        )

    def _apply_cookies(
        self, response: Response, context: Context, request: Request
    ) -> None:
        if not context.cookies:
            return
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


_BASE_URLS: dict[tuple[Any, ...], str] = {}


def _base_url(request: Request) -> str:
    """``request.base_url`` without its final slash, worked out once per
    scheme, server, Host header and root path (all it depends on)."""
    scope = request.scope
    key = (
        scope.get("scheme"),
        scope.get("server"),
        scope.get("root_path"),
        scope.get("app_root_path"),
        request.headers.get("host"),
    )
    found = _BASE_URLS.get(key)
    if found is None:
        found = str(request.base_url).rstrip("/")
        if len(_BASE_URLS) >= 256:  # the Host header is the client's to choose
            _BASE_URLS.clear()
        _BASE_URLS[key] = found
    return found


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _request_id(request: Request) -> str:
    given = request.headers.get("x-request-id", "")
    if 8 <= len(given) <= 64 and given.replace("-", "").isalnum():
        return given
    return secrets.token_hex(8)


def _json_parameter(text: str | None) -> Any:
    if not text:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        raise Refusal(400, "variables must be valid JSON", "BAD_REQUEST") from None


def _throttle_of(body: dict[str, Any]) -> tuple[int, dict[str, str]]:
    """200, or 429 with `Retry-After` when the login throttle answered."""
    for item in body.get("errors", ()):
        extensions = item.get("extensions", {})
        if extensions.get("code") == "THROTTLED":
            return 429, {"Retry-After": str(extensions.get("retryAfter", 1))}
    return 200, {}
