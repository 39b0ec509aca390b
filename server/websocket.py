"""GraphQL over WebSocket: `graphql-transport-ws` only; the legacy protocol is refused.

A connection authenticates with the session cookie (same-origin only) or with
``{"authorization": "Bearer <token>"}`` in its ``connection_init`` payload.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UnsetType

import schema as schema_module
from schema.context import Context
from server.services.core.actors import Actor, Anonymous
from server.services.people import auth
from server.settings import Settings


class GraphQLWebSocket(GraphQL[Context, None]):
    def __init__(self, settings: Settings) -> None:
        super().__init__(
            schema_module.schema,
            graphql_ide=None,
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        )
        self.settings = settings

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        request_id = secrets.token_hex(8)
        address = request.client.host if request.client else ""
        caller: Actor | Anonymous = Anonymous(request_id, address)
        cookie = request.cookies.get(auth.SESSION_COOKIE)
        if cookie and self._same_origin(request):
            caller = (
                await auth.authenticate_session(cookie, address, request_id) or caller
            )
        return Context(settings=self.settings, caller=caller, request_id=request_id)

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
        if isinstance(context.caller, Anonymous):
            params = context.connection_params or {}
            header = str(params.get("authorization", ""))
            scheme, _, secret = header.partition(" ")
            if scheme.lower() == "bearer" and secret:
                actor = await auth.authenticate_token(
                    secret.strip(), context.caller.client_address, context.request_id
                )
                if actor is not None:
                    context.caller = actor
        if isinstance(context.caller, Anonymous):
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
        return None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()
