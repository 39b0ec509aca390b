"""Health, readiness, metrics and the test clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from starlette.applications import Starlette
from tortoise.context import TortoiseContext

from server import metrics
from server.app import create_app
from server.clock import clock
from server.settings import Settings
from tests.helpers import Api


async def test_healthz_answers_without_credentials(api: Api) -> None:
    response = await api.http.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_readyz_reports_unapplied_migrations(api: Api, backend: str) -> None:
    response = await api.http.get("/readyz")
    if backend == "sqlite":  # the test schema is generated, so no migration is recorded
        assert response.status_code == 503
        assert response.json()["pendingMigrations"][0] == "models.0001_initial"
    else:
        assert response.status_code == 200 and response.json() == {"status": "ready"}


async def test_metrics_need_the_metrics_token(
    settings: Settings, database: TortoiseContext
) -> None:
    app = create_app(replace(settings, metrics_token="m" * 20), manage_database=False)
    async with app.router.lifespan_context(app), Api.for_app(app) as api:
        assert (await api.http.get("/metrics")).status_code == 401
        await api.gql("{ viewer { id } }")
        ok = await api.http.get(
            "/metrics", headers={"authorization": "Bearer " + "m" * 20}
        )
    assert ok.status_code == 200
    assert "accord_unauthenticated_total" in ok.text
    assert metrics.value("accord_unauthenticated_total") >= 1


async def test_the_clock_route_exists_only_with_the_setting(
    settings: Settings, database: TortoiseContext, app: Starlette
) -> None:
    async with Api.for_app(app) as api:
        moved = await api.http.post(
            "/_test/clock", json={"now": "2030-01-02T03:04:05+00:00"}
        )
        assert moved.status_code == 200
        assert clock.now().year == 2030
        await api.http.post("/_test/clock", json={"advance": 86400})
        assert clock.now() >= datetime(2030, 1, 3, 3, 4, 5, tzinfo=UTC)
        assert (
            await api.http.post("/_test/clock", json={"now": "yesterday"})
        ).status_code == 400
    production = create_app(replace(settings, test_clock=False), manage_database=False)
    async with Api.for_app(production) as api:
        assert (
            await api.http.post("/_test/clock", json={"advance": 1})
        ).status_code in (404, 405)


async def test_client_files_are_served_with_security_headers(api: Api) -> None:
    page = await api.http.get("/")
    assert page.status_code == 200 and "<html" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-cache"
    assert (await api.http.get("/package.json")).status_code == 404


async def test_audit_entries_name_credentials_by_global_id(api: Api) -> None:
    from tests.helpers import make_user

    admin = await make_user("admin@example.com", "LEADERSHIP", "ADMIN")
    await api.login("admin@example.com")
    listed = await api.gql(
        "{ auditEntries { edges { node { action credential changes } } } }"
    )
    entry = listed.data["auditEntries"]["edges"][0]["node"]
    assert entry["action"] == "login"
    kind, _, gid = entry["credential"].partition(":")
    assert kind == "session" and not gid.isdigit() and len(gid) == 22
    assert entry["changes"] == {"email": admin.email}
