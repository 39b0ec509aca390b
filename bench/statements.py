"""SQL statements per operation, counted in-process against the seeded database.

The app is built exactly as `accord serve` builds it and driven through
httpx's ASGI transport, so authentication is counted too; `server.db`'s
`count_statements()` records what Tortoise runs (transaction control excluded).
Each operation runs once to warm caches, then once counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from bench.operation import Operation, Sample
from server import db
from server.app import create_app
from server.settings import Settings


@dataclass(frozen=True)
class Counted:
    statements: list[str]

    @property
    def count(self) -> int:
        return len(self.statements)


async def _send(client: httpx.AsyncClient, op: Operation, sample: Sample) -> Any:
    response = await client.post(
        "/graphql",
        json={"query": op.document, "variables": sample.variables},
        headers={"authorization": f"Bearer {sample.caller.secret}"},
    )
    body = response.json()
    if response.status_code != 200 or "errors" in body:
        raise RuntimeError(f"{op.name} failed in-process: {body}")
    return body


async def count(
    settings: Settings, work: list[tuple[Operation, Sample]]
) -> dict[str, Counted]:
    ctx = await db.open_database(settings, global_fallback=True)
    counted: dict[str, Counted] = {}
    try:
        app = create_app(settings, manage_database=False)
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
        ):
            for op, sample in work:
                await _send(client, op, sample)
                with db.count_statements() as statements:
                    await _send(client, op, sample)
                counted[op.name] = Counted(list(statements))
    finally:
        await db.close_database(ctx)
    return counted
