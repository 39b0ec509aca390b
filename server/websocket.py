"""GraphQL over WebSocket: `graphql-transport-ws` only; the legacy protocol is refused.

A connection authenticates with the session cookie (same-origin only) or with
``{"authorization": "Bearer <token>"}`` in its ``connection_init`` payload.
strawberry speaks the protocol (handshake, ping, ids, complete); every
``subscribe`` message is then run by `server.executor`, the path HTTP requests
take: the same limits, rate budget, introspection rule, masking and scopes, with
the credential checked again for each operation (a revoked token stops at once)
and a fresh context (its own DataLoaders) per operation.

A `subscription` operation streams one `next` per event until the client
completes it. The connection is registered with
`server.services.events.subscriptions.registry` once acknowledged: the
subscription caps count there, and its sweep closes the socket (4401) when the
session or token is revoked or expires, or the user is deactivated.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import AsyncIterator, Hashable
from typing import Any
from urllib.parse import urlsplit

import orjson
from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.types.unset import UnsetType

import schema as schema_module
from schema.context import Context
from schema.core.limits import OperationShape
from schema.events.sharing import MEMO_ATTRIBUTE, share_key
from server import logs
from server.executor import (
    ExecutionContext,
    Executor,
    GraphQLRequest,
    Refusal,
    is_awaitable,
)
from server.proxies import client_address
from server.services.core.actors import Actor, Anonymous
from server.services.events import subscriptions
from server.services.events.stream import FeedOverflow
from server.services.people import auth
from server.settings import Settings

log = logging.getLogger("accord.graphql")


class SharedEventExecution(ExecutionContext):
    """Subscriptions' execution: an event that offers a memo (``_shared``, see
    `schema.events.sharing`) is executed once per `share_key` and the result
    (data and errors) is reused by every subscription with that key; each
    still formats its own body (request id, cost)."""

    _share: Hashable | None = None

    def build_per_event_executor(self, payload: Any) -> Any:
        if self._share is None:
            self._share = share_key(
                self.operation, self.context_value, self.variable_values
            )
        return super().build_per_event_executor(payload)

    def execute_operation(self, serially: bool | None = None) -> Any:
        memo = getattr(self.root_value, MEMO_ATTRIBUTE, None)
        if serially is not False or not isinstance(memo, dict) or self._share is None:
            return super().execute_operation(serially)
        found = memo.get(self._share)
        if found is None:
            found = super().execute_operation(serially)
            if is_awaitable(found):
                found = asyncio.ensure_future(found)
            memo[self._share] = found
        if isinstance(found, asyncio.Future):
            # A subscriber that goes away while waiting must not cancel the
            # execution the others wait for.
            return asyncio.shield(found)
        return found


class _Handler(BaseGraphQLTransportWSHandler[Context, None]):
    view: GraphQLWebSocket

    async def handle(self) -> None:
        try:
            await super().handle()
        finally:
            if self.context.connection is not None:
                subscriptions.registry.detach(self.context.connection)

    async def handle_connection_init(self, message: Any) -> None:
        await super().handle_connection_init(message)
        actor = self.context.caller
        if self.connection_acknowledged and isinstance(actor, Actor):
            self.context.connection = subscriptions.registry.attach(actor, self._close)

    async def _close(self, code: int, reason: str) -> None:
        await self.websocket.close(code=code, reason=reason)

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        last: dict[str, Any] | None = None
        async for message in self.view.answer(operation, self.context):
            last = message
            await operation.send_operation_message(message)  # type: ignore[arg-type]
        if last is not None and last["type"] == "next":
            await operation.send_operation_message(
                {"id": operation.id, "type": "complete"}
            )


class GraphQLWebSocket(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = _Handler

    def __init__(self, settings: Settings, executor: Executor) -> None:
        super().__init__(
            schema_module.schema,
            graphql_ide=None,
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        )
        self.settings = settings
        self.executor = executor

    def encode_json(self, data: object) -> str:
        """Messages as compact JSON (orjson; the standard library for what it
        cannot encode, e.g. integers beyond 64 bits)."""
        try:
            return orjson.dumps(data).decode()
        except TypeError:
            return json.dumps(data)

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        request_id = secrets.token_hex(8)
        address = client_address(request, self.settings)
        cookie = request.cookies.get(auth.SESSION_COOKIE)
        return Context(
            settings=self.settings,
            caller=Anonymous(request_id, address),
            request_id=request_id,
            base_url=_base_url(request),
            user_agent=request.headers.get("user-agent", ""),
            session_secret=cookie if cookie and self._same_origin(request) else None,
        )

    def _same_origin(self, request: Request | WebSocket) -> bool:
        origin = request.headers.get("origin")
        if origin is None:
            return True
        expected = (
            self.settings.public_url or f"http://{request.headers.get('host', '')}"
        )
        return _origin(origin) == _origin(expected)

    async def on_ws_connect(
        self, context: Context
    ) -> UnsetType | dict[str, object] | None:
        actor = await self._identify(context, context.request_id)
        if actor is None:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
        context.caller = actor
        return None

    async def _identify(self, connection: Context, request_id: str) -> Actor | None:
        """The connection's caller, from its cookie or its bearer token."""
        address = connection.caller.client_address
        if connection.session_secret:
            actor = await auth.authenticate_session(
                connection.session_secret, address, request_id
            )
            if actor is not None:
                return actor
        params = connection.connection_params or {}
        scheme, _, secret = str(params.get("authorization", "")).partition(" ")
        if scheme.lower() == "bearer" and secret.strip():
            return await auth.authenticate_token(secret.strip(), address, request_id)
        return None

    async def answer(
        self, operation: Operation[Context, None], connection: Context
    ) -> AsyncIterator[dict[str, Any]]:
        """The `next` messages (or the one `error`) for one `subscribe` message."""
        request_id = secrets.token_hex(8)
        logs.request_id.set(request_id)

        async def authenticate(shape: OperationShape) -> Actor | Anonymous:
            actor = await self._identify(connection, request_id)
            if actor is None:
                raise Refusal(
                    401,
                    "the connection's credential is no longer valid",
                    "UNAUTHENTICATED",
                )
            return actor

        def make_context(caller: Actor | Anonymous) -> Context:
            return Context(
                settings=self.settings,
                caller=caller,
                request_id=request_id,
                base_url=connection.base_url,
                user_agent=connection.user_agent,
                session_secret=connection.session_secret,
                connection_params=connection.connection_params,
                connection=connection.connection,
            )

        def failed(payload: list[dict[str, Any]]) -> dict[str, Any]:
            return {"id": operation.id, "type": "error", "payload": payload}

        try:
            gql = GraphQLRequest.of(
                {
                    "query": operation.query,
                    "variables": operation.variables,
                    "operationName": operation.operation_name,
                }
            )
            prepared, shape = self.executor.prepare(gql, "WS", subscriptions=True)
            if shape.kind != "subscription":
                body, _ = await self.executor.run(
                    gql,
                    transport="WS",
                    request_id=request_id,
                    authenticate=authenticate,
                    make_context=make_context,
                )
                yield {"id": operation.id, "type": "next", "payload": body}
                return
            caller = await authenticate(shape)
            live = connection.connection
            if live is None or not isinstance(caller, Actor):
                raise Refusal(401, "sign in first", "UNAUTHENTICATED")
            with subscriptions.registry.reserve(live):
                stream = self.executor.subscribe(
                    prepared,
                    shape,
                    gql,
                    caller=caller,
                    request_id=request_id,
                    context=make_context(caller),
                    executor_class=SharedEventExecution,
                )
                async for body in stream:
                    if "errors" in body and body.get("data") is None:
                        yield failed(body["errors"])
                        return
                    yield {"id": operation.id, "type": "next", "payload": body}
        except Refusal as refusal:
            yield failed(refusal.formatted(request_id))
        except FeedOverflow as exc:
            yield failed(
                [{"message": str(exc), "extensions": {"code": "SUBSCRIBER_BEHIND"}}]
            )
        except subscriptions.LimitExceeded as exc:
            yield failed(
                [
                    {
                        "message": str(exc),
                        "extensions": {
                            "code": exc.code,
                            "limit": exc.limit,
                            "requestId": request_id,
                        },
                    }
                ]
            )
        except Exception:
            log.exception("unexpected error (request %s)", request_id)
            masked = Refusal(500, "Internal server error", "INTERNAL_SERVER_ERROR")
            yield failed(masked.formatted(request_id))


def _base_url(request: Request | WebSocket) -> str:
    scheme = "https" if request.url.scheme in ("wss", "https") else "http"
    return f"{scheme}://{request.headers.get('host', '')}"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()
