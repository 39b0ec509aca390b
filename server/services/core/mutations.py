"""The one path every state change takes.

`run` checks the caller against the permission table, opens one transaction, runs
the use case, writes its audit entry and outbox events inside that transaction,
and records idempotency keys. A use case refuses by raising `UserErrors`: the
transaction rolls back and the refusal is audited in a short transaction of its own.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

import orjson
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from server.clock import clock
from server.domain.core.errors import (
    ErrorCode,
    Forbidden,
    UserError,
    UserErrors,
    refuse,
)
from server.models.core import AuditEntry, IdempotencyRecord
from server.services.core import outbox as events
from server.services.core.actors import Actor, Anonymous
from server.services.core.permissions import authorize

T = TypeVar("T")
log = logging.getLogger("accord.mutations")

IDEMPOTENCY_WINDOW = timedelta(hours=24)
SECRET_WORDS = ("password", "secret", "token", "hash")
_after_commit_hooks: list[Callable[[], None]] = []
_fault_exit_after_commit = False


@dataclass
class Tx:
    """What a use case records while it runs; written before the commit."""

    actor: Actor | None
    operation: str
    now: datetime
    entity_type: str = ""
    entity_id: int | None = None
    credential: str = ""
    changes: dict[str, Any] = field(default_factory=dict)
    events: list[events.PendingEvent] = field(default_factory=list)

    def audit(self, entity_type: str, entity_id: int | None, **changes: Any) -> None:
        self.entity_type, self.entity_id = entity_type, entity_id
        self.changes.update(changes)

    def emit(
        self,
        kind: str,
        subject_type: str,
        subject_id: int,
        payload: Mapping[str, Any] | None = None,
    ) -> None:
        self.events.append(
            events.PendingEvent(kind, subject_type, subject_id, dict(payload or {}))
        )


@dataclass(frozen=True)
class Idempotency(Generic[T]):
    """An optional client key: a replay within 24 h returns the first result."""

    key: str | None
    request: Mapping[str, Any]
    dump: Callable[[T], dict[str, Any]]
    load: Callable[[dict[str, Any]], Awaitable[T]]


@dataclass(frozen=True)
class Outcome(Generic[T]):
    result: T | None
    errors: list[UserError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def on_commit(hook: Callable[[], None]) -> None:
    """Register a callback run after every committed mutation (wakes the dispatcher)."""
    _after_commit_hooks.append(hook)


def off_commit(hook: Callable[[], None]) -> None:
    if hook in _after_commit_hooks:
        _after_commit_hooks.remove(hook)


def set_fault_exit_after_commit(enabled: bool) -> None:
    """Fault injection: exit the process right after the next commit (tests only)."""
    global _fault_exit_after_commit
    _fault_exit_after_commit = enabled


async def run(
    caller: Actor | Anonymous | None,
    operation: str,
    body: Callable[[Tx], Awaitable[T]],
    idempotency: Idempotency[T] | None = None,
) -> Outcome[T]:
    """Run one use case as one audited transaction; see the module docstring."""
    actor = caller if isinstance(caller, Actor) else None
    try:
        authorize(caller, operation)
    except Forbidden as exc:
        if actor is not None:
            await _audit_refusal(actor, operation, "FORBIDDEN", str(exc))
        raise
    try:
        outcome = await _attempt(actor, operation, body, idempotency)
    except IntegrityError:
        if idempotency is None or not idempotency.key:
            raise
        # A concurrent request with the same key won the insert: replay its result.
        outcome = await _attempt(actor, operation, body, idempotency)
    if outcome.errors and actor is not None:
        await _audit_refusal(
            actor, operation, outcome.errors[0].code.value, outcome.errors[0].message
        )
    return outcome


async def run_trusted(
    operation: str, body: Callable[[Tx], Awaitable[T]], credential: str = "system"
) -> Outcome[T]:
    """For the CLI and background jobs: nobody to authorize, still audited."""
    return await _attempt(None, operation, body, None, credential)


async def _attempt(
    actor: Actor | None,
    operation: str,
    body: Callable[[Tx], Awaitable[T]],
    idempotency: Idempotency[T] | None,
    credential: str = "",
) -> Outcome[T]:
    tx = Tx(actor, operation, clock.now(), credential=credential)
    try:
        async with in_transaction():
            if idempotency is not None and idempotency.key and actor is not None:
                replay = await _replay(actor, operation, idempotency, tx.now)
                if replay is not None:
                    return replay
            result = await body(tx)
            await _write_record(tx)
            if idempotency is not None and idempotency.key and actor is not None:
                await _remember(actor, operation, idempotency, result, tx.now)
    except UserErrors as refusal:
        return Outcome(refusal.result, refusal.errors)  # type: ignore[arg-type]
    _after_commit()
    return Outcome(result)


async def _write_record(tx: Tx) -> None:
    actor = tx.actor
    await AuditEntry.create(
        actor_id=actor.user_id if actor else None,
        credential=actor.credential_label if actor else tx.credential,
        action=tx.operation,
        outcome="OK",
        entity_type=tx.entity_type,
        entity_id=tx.entity_id,
        changes=redact(tx.changes),
        request_id=actor.request_id if actor else "",
        at=tx.now,
    )
    if tx.events:
        await events.write(tx.events, actor.user_id if actor else None, tx.now)


def _after_commit() -> None:
    for hook in _after_commit_hooks:
        hook()
    if _fault_exit_after_commit:
        log.error("fault injection: exiting right after a commit")
        logging.shutdown()
        os._exit(70)


async def _audit_refusal(actor: Actor, operation: str, code: str, why: str) -> None:
    try:
        await AuditEntry.create(
            actor_id=actor.user_id,
            credential=actor.credential_label,
            action=operation,
            outcome=code,
            changes={"reason": why},
            request_id=actor.request_id,
            at=clock.now(),
        )
    except Exception:  # the refusal itself must still reach the caller
        log.exception("could not audit a refused %s", operation)


def request_hash(operation: str, request: Mapping[str, Any]) -> str:
    body = orjson.dumps(
        {"op": operation, "input": request}, option=orjson.OPT_SORT_KEYS, default=str
    )
    return hashlib.sha256(body).hexdigest()


async def _replay(
    actor: Actor, operation: str, idem: Idempotency[T], now: datetime
) -> Outcome[T] | None:
    record = await IdempotencyRecord.get_or_none(user_id=actor.user_id, key=idem.key)
    if record is None:
        return None
    if record.created_at < now - IDEMPOTENCY_WINDOW:
        await record.delete()
        return None
    if record.operation != operation or record.request_hash != request_hash(
        operation, idem.request
    ):
        raise refuse(
            ErrorCode.CONFLICT,
            "this idempotency key was already used with a different input",
            "idempotencyKey",
        )
    return Outcome(await idem.load(record.result))


async def _remember(
    actor: Actor, operation: str, idem: Idempotency[T], result: T, now: datetime
) -> None:
    await IdempotencyRecord.create(
        user_id=actor.user_id,
        key=idem.key,
        operation=operation,
        request_hash=request_hash(operation, idem.request),
        result=idem.dump(result),
        created_at=now,
    )


def redact(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Drop secret values from what the audit log keeps."""
    clean: dict[str, Any] = {}
    for key, value in changes.items():
        if any(word in key.lower() for word in SECRET_WORDS):
            clean[key] = "[redacted]"
        elif isinstance(value, Mapping):
            clean[key] = redact(value)
        else:
            clean[key] = value
    return clean
