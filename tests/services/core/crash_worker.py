"""Run in a child process by test_crash_recovery: commits, then dies on purpose.

Modes:
  commit   — run one mutation with ACCORD_FAULT_EXIT_AFTER_COMMIT=1 set: the process
             exits (status 70) right after the commit, before any dispatch.
  consume  — dispatch with a consumer that writes a marker row and then kills the
             process before the dispatch transaction commits (status 71).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Sequence

from server import db
from server.clock import clock
from server.domain.core.roles import Role, Team
from server.models.core import AuditEntry, OutboxEvent
from server.models.people import User
from server.services.core import mutations
from server.services.core import outbox as events
from server.services.core.actors import Actor
from server.settings import load_settings
from server.wiring import wire


async def commit_then_die() -> None:
    now = clock.now()
    user = await User.create(
        email="crash@example.com",
        name="Crash",
        team="SALES",
        role="ADMIN",
        created_at=now,
        updated_at=now,
    )
    actor = Actor(user.id, Team.SALES, Role.ADMIN, "session", 1)

    async def body(tx: mutations.Tx) -> None:
        tx.audit("User", user.id)
        tx.emit("LEAD_UPDATED", "User", user.id, {"why": "crash test"})

    await mutations.run(actor, "updateUser", body)
    sys.exit("the fault injection did not stop the process")


async def consume_then_die() -> None:
    async def marker_then_die(batch: Sequence[OutboxEvent]) -> None:
        await AuditEntry.create(
            action="marker", at=clock.now(), changes={"n": len(batch)}
        )
        os._exit(71)

    events.register_consumer("marker", marker_then_die)
    await events.dispatch_once()
    sys.exit("the consumer did not run")


async def main(mode: str) -> None:
    settings = load_settings()
    wire(settings)
    ctx = await db.open_database(settings, global_fallback=False)
    try:
        await (commit_then_die() if mode == "commit" else consume_then_die())
    finally:
        await db.close_database(ctx)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
