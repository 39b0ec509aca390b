"""The ASGI application: routes, start-up and shutdown."""

from __future__ import annotations

import contextlib
import hmac
import logging
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from server import db, logs, metrics, wiring
from server.clock import clock
from server.executor import Executor
from server.graphql_http import GraphQLEndpoint
from server.services.core import jobs, mutations
from server.services.core import mail as mailer
from server.services.core import outbox as events
from server.services.core.retention import purge as purge_retention
from server.services.events import stream, subscriptions
from server.services.events.delivery import Deliverer
from server.services.leads import funnel, rescoring
from server.services.leads.decay import decay_pass
from server.services.people import auth
from server.services.waterfall import sweeper
from server.settings import Settings, load_settings
from server.websocket import GraphQLWebSocket

log = logging.getLogger("accord.app")
RETENTION_INTERVAL = 3600.0
RESCORE_INTERVAL = 0.5  # how soon a new model's rescoring starts (one tiny query)
DECAY_INTERVAL = 900.0  # scores follow decaying engagement within 15 minutes
MAIL_INTERVAL = 2.0  # e-mails leave within seconds of their notification
CLIENT_DIR = Path(__file__).resolve().parent.parent / "client"
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


def create_app(
    settings: Settings | None = None, *, manage_database: bool = True
) -> App:
    """Build the app. Tests that hold their own database context pass
    ``manage_database=False``; the server opens and closes it in the lifespan."""
    settings = settings or load_settings()
    wiring.wire(settings)
    if manage_database:
        logs.configure(settings.log_level)
    dispatcher = events.Dispatcher()
    deliverer = Deliverer()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        ctx = (
            await db.open_database(settings, global_fallback=True)
            if manage_database
            else None
        )
        wiring.connect_consumers()
        await stream.hub.start(settings)
        mutations.on_commit(dispatcher.wake)
        dispatcher.start()
        events.register_listener(deliverer.wake)
        deliverer.start()
        background = _background_jobs(settings)
        for job in background:
            job.start()
        try:
            yield
        finally:
            mutations.off_commit(dispatcher.wake)
            await dispatcher.stop()
            await stream.hub.stop()
            events.unregister_listener(deliverer.wake)
            await deliverer.stop()
            wiring.disconnect_consumers()
            for job in background:
                await job.stop()
            await auth.touches.flush()
            if ctx is not None:
                await db.close_database(ctx)

    executor = Executor(settings)  # one cache and one rate budget for both routes
    graphql = GraphQLEndpoint(settings, executor)
    app = App(graphql, routes=_routes(settings, graphql, executor), lifespan=lifespan)
    app.state.settings = settings
    app.state.dispatcher = dispatcher
    app.state.deliverer = deliverer
    return app


def _background_jobs(settings: Settings) -> list[jobs.Periodic]:
    """The periodic jobs every worker runs (each safe with several workers)."""
    return [
        jobs.Periodic(
            "flush credential touches", auth.FLUSH_INTERVAL, auth.touches.flush
        ),
        jobs.Periodic(
            "retention",
            RETENTION_INTERVAL,
            lambda: purge_retention(settings.retention_days),
        ),
        jobs.Periodic("rescoring", RESCORE_INTERVAL, rescoring.run_until_idle),
        jobs.Periodic("decay", DECAY_INTERVAL, lambda: decay_pass(clock.now())),
        jobs.Periodic("funnel fold", funnel.FOLD_INTERVAL, funnel.fold),
        jobs.Periodic("sweeper", settings.sweep_seconds, sweeper.sweep),
        jobs.Periodic(
            "subscription sweep", settings.sweep_seconds, subscriptions.registry.sweep
        ),
        *(
            [jobs.Periodic("mailer", MAIL_INTERVAL, mailer.send_pending)]
            if settings.smtp_url
            else []
        ),
        *(
            [
                jobs.Periodic(
                    "refresh credentials",
                    settings.credential_cache_seconds / 2,
                    auth.refresh_credentials,
                )
            ]
            if settings.credential_cache_seconds > 0
            else []
        ),
    ]


class App(Starlette):
    """Starlette, with ``POST /graphql`` (nearly every request) sent straight
    to its endpoint: no middleware layers or route matching on the hot path.
    The answer is the one the `/graphql` route gives (`GraphQLEndpoint.post`)."""

    def __init__(self, graphql: GraphQLEndpoint, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.graphql = graphql

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] == "/graphql"
            and scope["method"] == "POST"
            and not scope.get("root_path")
        ):
            scope["app"] = self
            await self.graphql.post(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def _routes(
    settings: Settings, graphql: GraphQLEndpoint, executor: Executor
) -> list[BaseRoute]:
    routes: list[BaseRoute] = [
        Route(
            "/graphql",
            graphql.handle,
            methods=["GET", "POST", "PUT", "DELETE", "PATCH"],
        ),
        WebSocketRoute("/graphql", GraphQLWebSocket(settings, executor)),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", _metrics(settings)),
    ]
    if settings.test_clock:
        routes.append(Route("/_test/clock", test_clock, methods=["POST"]))
    if CLIENT_DIR.is_dir():
        routes.append(Mount("/", app=_StaticClient(directory=CLIENT_DIR, html=True)))
    return routes


class _StaticClient(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        if path.endswith("package.json") or "/tests/" in f"/{path}":
            return PlainTextResponse("Not Found", 404)
        response = await super().get_response(path, scope)
        response.headers.update(SECURITY_HEADERS)
        # Revalidate every time so all modules of a new release arrive together.
        response.headers["cache-control"] = "no-cache"
        return response


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"}, headers={"cache-control": "no-store"})


async def readyz(request: Request) -> Response:
    try:
        await db.fetch("SELECT 1 AS ok")
        pending = await db.pending_migrations()
    except Exception as exc:
        log.warning("not ready: %s", exc)
        return JSONResponse(
            {"status": "unavailable", "database": "unreachable"}, status_code=503
        )
    if pending:
        return JSONResponse(
            {"status": "unavailable", "pendingMigrations": pending}, status_code=503
        )
    return JSONResponse({"status": "ready"}, headers={"cache-control": "no-store"})


def _metrics(settings: Settings):  # type: ignore[no-untyped-def]
    async def endpoint(request: Request) -> Response:
        token = settings.metrics_token
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not token or not hmac.compare_digest(given.encode(), token.encode()):
            return PlainTextResponse(
                "set ACCORD_METRICS_TOKEN and send it as a Bearer token\n", 401
            )
        return PlainTextResponse(
            metrics.render(), media_type="text/plain; version=0.0.4"
        )

    return endpoint


async def test_clock(request: Request) -> Response:
    """Pin or advance the service clock (only with ACCORD_TEST_CLOCK=1)."""
    try:
        body = orjson.loads(await request.body())
        if "now" in body:
            clock.set(datetime.fromisoformat(body["now"]))
        elif "advance" in body:
            clock.advance(float(body["advance"]))
        else:
            raise ValueError("send now or advance")
    except (ValueError, TypeError, orjson.JSONDecodeError) as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    return JSONResponse({"now": clock.now().isoformat()})
