"""The one path every state change takes: transaction, audit, outbox, idempotency."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from server.clock import clock
from server.domain.core.errors import ErrorCode, Forbidden, refuse
from server.domain.core.roles import Role, Team
from server.models.core import AuditEntry, IdempotencyRecord, OutboxEvent
from server.models.people import User
from server.services.core import mutations
from server.services.core.actors import Actor
from tests.helpers import make_user

pytestmark = pytest.mark.usefixtures("database")


def admin_actor(user: User) -> Actor:
    return Actor(
        user.id, Team(user.team), Role(user.role), "session", 1, request_id="req-1"
    )


async def rename(tx: mutations.Tx, user_id: int, name: str) -> User:
    user = await User.get(id=user_id)
    user.name = name
    await user.save()
    tx.audit("User", user.id, name=name, password="hunter2")
    tx.emit("LEAD_UPDATED", "User", user.id, {"name": name})
    return user


async def test_a_change_its_audit_entry_and_its_event_commit_together() -> None:
    admin = await make_user("root@example.com", "LEADERSHIP", "ADMIN")

    outcome = await mutations.run(
        admin_actor(admin), "updateUser", lambda tx: rename(tx, admin.id, "Root")
    )

    assert outcome.ok and outcome.result is not None
    entry = await AuditEntry.get(action="updateUser")
    assert entry.actor_id == admin.id and entry.request_id == "req-1"
    assert entry.credential == "session:1" and entry.outcome == "OK"
    assert entry.changes == {"name": "Root", "password": "[redacted]"}
    event = await OutboxEvent.get(kind="LEAD_UPDATED")
    assert (event.subject_type, event.subject_id, event.sequence) == (
        "User",
        admin.id,
        1,
    )
    assert event.dispatched_at is None


async def test_a_failure_after_the_write_rolls_back_the_write_audit_and_event() -> None:
    admin = await make_user("root@example.com", "LEADERSHIP", "ADMIN")

    async def breaks_after_writing(tx: mutations.Tx) -> None:
        await rename(tx, admin.id, "Changed")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        await mutations.run(admin_actor(admin), "updateUser", breaks_after_writing)

    assert (await User.get(id=admin.id)).name != "Changed"
    assert await AuditEntry.all().count() == 0
    assert await OutboxEvent.all().count() == 0


async def test_a_refusal_rolls_back_and_is_audited_in_its_own_transaction() -> None:
    admin = await make_user("root@example.com", "LEADERSHIP", "ADMIN")

    async def refuses(tx: mutations.Tx) -> None:
        await rename(tx, admin.id, "Changed")
        raise refuse(ErrorCode.CONFLICT, "stale", "expectedVersion")

    outcome = await mutations.run(admin_actor(admin), "updateUser", refuses)

    assert [e.code for e in outcome.errors] == [ErrorCode.CONFLICT]
    assert outcome.errors[0].field == ("expectedVersion",)
    assert (await User.get(id=admin.id)).name != "Changed"
    refused = await AuditEntry.get(action="updateUser")
    assert refused.outcome == "CONFLICT" and refused.changes == {"reason": "stale"}
    assert await OutboxEvent.all().count() == 0


async def test_a_role_that_may_never_call_an_operation_is_refused_and_audited() -> None:
    member = await make_user("rep@example.com", "SALES", "MEMBER")

    async def never(tx: mutations.Tx) -> None:
        raise AssertionError("must not run")

    with pytest.raises(Forbidden):
        await mutations.run(admin_actor(member), "createUser", never)
    entry = await AuditEntry.get(action="createUser")
    assert entry.outcome == "FORBIDDEN" and entry.actor_id == member.id


async def test_event_sequence_numbers_count_per_subject() -> None:
    admin = await make_user("root@example.com", "LEADERSHIP", "ADMIN")
    other = await make_user("other@example.com")
    actor = admin_actor(admin)

    for user_id, name in ((admin.id, "A"), (admin.id, "B"), (other.id, "C")):
        await mutations.run(
            actor, "updateUser", lambda tx, u=user_id, n=name: rename(tx, u, n)
        )

    rows = await OutboxEvent.all().order_by("id").values_list("subject_id", "sequence")
    assert rows == [(admin.id, 1), (admin.id, 2), (other.id, 1)]


def counting_idempotency(
    key: str | None, request: dict[str, Any]
) -> mutations.Idempotency[int]:
    async def load(saved: dict[str, Any]) -> int:
        return int(saved["count"])

    return mutations.Idempotency(key, request, lambda n: {"count": n}, load)


async def test_an_idempotency_key_replays_the_first_result_for_24_hours() -> None:
    admin = await make_user("root@example.com", "LEADERSHIP", "ADMIN")
    actor = admin_actor(admin)
    calls: list[int] = []

    async def body(tx: mutations.Tx) -> int:
        calls.append(1)
        tx.audit("User", admin.id)
        return len(calls)

    first = await mutations.run(
        actor, "updateUser", body, counting_idempotency("k1", {"a": 1})
    )
    again = await mutations.run(
        actor, "updateUser", body, counting_idempotency("k1", {"a": 1})
    )
    assert (first.result, again.result, len(calls)) == (1, 1, 1)

    clashing = await mutations.run(
        actor, "updateUser", body, counting_idempotency("k1", {"a": 2})
    )
    assert [e.code for e in clashing.errors] == [ErrorCode.CONFLICT]
    assert clashing.errors[0].field == ("idempotencyKey",)

    clock.advance(timedelta(hours=24, seconds=1).total_seconds())
    later = await mutations.run(
        actor, "updateUser", body, counting_idempotency("k1", {"a": 2})
    )
    assert later.result == 2 and len(calls) == 2
    assert await IdempotencyRecord.all().count() == 1


async def test_idempotency_keys_belong_to_one_user() -> None:
    admin = await make_user("root@example.com", "LEADERSHIP", "ADMIN")
    other = await make_user("root2@example.com", "LEADERSHIP", "ADMIN")
    calls: list[int] = []

    async def body(tx: mutations.Tx) -> int:
        calls.append(1)
        return len(calls)

    await mutations.run(
        admin_actor(admin), "updateUser", body, counting_idempotency("k", {})
    )
    theirs = await mutations.run(
        admin_actor(other), "updateUser", body, counting_idempotency("k", {})
    )
    assert theirs.result == 2


@pytest.mark.only_backend("postgres")
async def test_the_same_key_fired_together_applies_once(backend: str) -> None:
    import asyncio

    admin = await make_user("root@example.com", "LEADERSHIP", "ADMIN")
    actor = admin_actor(admin)
    applied: list[int] = []

    async def body(tx: mutations.Tx) -> int:
        await asyncio.sleep(0.01)  # widen the window between lookup and insert
        applied.append(1)
        tx.audit("User", admin.id)
        return len(applied)

    for round_ in range(25):
        key = f"race-{round_}"
        outcomes = await asyncio.gather(
            *(
                mutations.run(
                    actor, "updateUser", body, counting_idempotency(key, {"r": round_})
                )
                for _ in range(3)
            )
        )
        assert all(o.ok for o in outcomes)
        assert len({o.result for o in outcomes}) == 1
        assert await IdempotencyRecord.filter(key=key).count() == 1
        # a loser's attempt rolled back: the database holds one application per key
        assert (
            await AuditEntry.filter(action="updateUser", outcome="OK").count()
            == round_ + 1
        )
