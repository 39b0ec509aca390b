"""The outbox: events written in their change's transaction, dispatched after commit.

Consumers (notifications, e-mail, webhooks, …) register here. The dispatcher claims
a batch of undispatched events with row locks (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so each is handled by one worker), runs every consumer inside that same
transaction and marks the batch dispatched before committing: a consumer's database
effects and the "dispatched" mark commit together, so a crash anywhere leaves the
event undispatched and it is handled again after restart, never twice.
Listeners (live subscriptions) are told after the commit. On PostgreSQL the
dispatch transaction also sends one ``NOTIFY accord_events`` per event, its id as
the payload, so every worker's subscriptions hear of it when it commits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from server import db
from server.clock import clock
from server.domain.core.outbox import EventKind, backoff_seconds
from server.models.core import OutboxEvent

log = logging.getLogger("accord.events")

Consumer = Callable[[Sequence[OutboxEvent]], Awaitable[None]]
Listener = Callable[[Sequence[OutboxEvent]], None]

MAX_ATTEMPTS = 12
CHANNEL = "accord_events"  # LISTEN/NOTIFY channel: payload = one event id
_consumers: dict[str, Consumer] = {}
_listeners: list[Listener] = []


@dataclass(frozen=True)
class PendingEvent:
    kind: str
    subject_type: str
    subject_id: int
    payload: dict[str, Any]


def register_consumer(name: str, consumer: Consumer) -> None:
    """Add a consumer; it runs inside the dispatch transaction and must be idempotent
    with respect to its own side effects outside the database."""
    _consumers[name] = consumer


def unregister_consumer(name: str) -> None:
    _consumers.pop(name, None)


def register_listener(listener: Listener) -> None:
    _listeners.append(listener)


def unregister_listener(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


SEQUENCE_CHUNK = 500


async def reserve_sequences(counts: Mapping[str, int]) -> dict[str, int]:
    """Bump each subject's event counter by its count; return the first number
    reserved per subject. One upsert per 500 subjects, taken in sorted order so
    concurrent writers lock counter rows in the same order (no deadlocks)."""
    first: dict[str, int] = {}
    subjects = sorted(counts)
    for start in range(0, len(subjects), SEQUENCE_CHUNK):
        chunk = subjects[start : start + SEQUENCE_CHUNK]
        values = ", ".join("(?, ?)" for _ in chunk)
        params = [x for subject in chunk for x in (subject, counts[subject])]
        rows = await db.fetch(
            f"INSERT INTO subject_sequence (subject, last_sequence) VALUES {values} "
            "ON CONFLICT (subject) DO UPDATE SET last_sequence = "
            "subject_sequence.last_sequence + excluded.last_sequence "
            "RETURNING subject, last_sequence",
            *params,
        )
        for row in rows:
            subject = row["subject"]
            first[subject] = int(row["last_sequence"]) - counts[subject] + 1
    return first


async def write(
    pending: Sequence[PendingEvent], actor_id: int | None, now: datetime
) -> None:
    """Write events to the outbox; call inside the change's transaction.

    Statements do not grow with the number of events: the counters of all their
    subjects are bumped together, then the events are inserted in bulk."""
    counts: dict[str, int] = {}
    for event in pending:
        EventKind(event.kind)  # refuse kinds the contract does not name
        subject = f"{event.subject_type}:{event.subject_id}"
        counts[subject] = counts.get(subject, 0) + 1
    following = await reserve_sequences(counts)
    rows = []
    for event in pending:
        subject = f"{event.subject_type}:{event.subject_id}"
        sequence, following[subject] = following[subject], following[subject] + 1
        rows.append(
            OutboxEvent(
                kind=event.kind,
                subject_type=event.subject_type,
                subject_id=event.subject_id,
                sequence=sequence,
                actor_id=actor_id,
                payload=event.payload,
                created_at=now,
            )
        )
    await OutboxEvent.bulk_create(rows)


async def _claim(limit: int, now: datetime) -> list[OutboxEvent]:
    lock = "" if db.dialect() == "sqlite" else " FOR UPDATE SKIP LOCKED"
    rows = await db.fetch(
        "SELECT id FROM outbox_event WHERE dispatched_at IS NULL "
        "AND (retry_at IS NULL OR retry_at <= ?) ORDER BY id LIMIT ?" + lock,
        now,
        limit,
    )
    ids = [row["id"] for row in rows]
    if not ids:
        return []
    return await OutboxEvent.filter(id__in=ids).order_by("id")


async def _consume(batch: Sequence[OutboxEvent], now: datetime) -> None:
    for consumer in list(_consumers.values()):
        await consumer(batch)
    ids = [e.id for e in batch]
    await OutboxEvent.filter(id__in=ids).update(dispatched_at=now)
    if db.dialect() == "postgres":
        # Delivered to every listening worker when (and only if) this commits.
        await db.fetch(
            "SELECT pg_notify(?, x::text) FROM unnest(?::bigint[]) AS x", CHANNEL, ids
        )


async def dispatch_once(limit: int = 200) -> int:
    """Dispatch one batch; return how many events were handled."""
    now = clock.now()
    try:
        async with in_transaction():
            batch = await _claim(limit, now)
            if batch:
                await _consume(batch, now)
    except Exception:
        log.exception("dispatching a batch failed; retrying its events one by one")
        return await _dispatch_singly(limit, now)
    _tell_listeners(batch)
    return len(batch)


async def _dispatch_singly(limit: int, now: datetime) -> int:
    handled = 0
    for _ in range(limit):
        batch: list[OutboxEvent] = []
        try:
            async with in_transaction():
                batch = await _claim(1, now)
                if not batch:
                    break
                await _consume(batch, now)
        except Exception as exc:
            if not batch:
                raise
            await _record_failure(batch[0].id, exc, now)
            continue
        _tell_listeners(batch)
        handled += 1
    return handled


async def _record_failure(event_id: int, exc: Exception, now: datetime) -> None:
    event = await OutboxEvent.get(id=event_id)
    event.attempts += 1
    event.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if event.attempts >= MAX_ATTEMPTS:
        log.error("event %s failed %s times; giving up", event_id, event.attempts)
        event.dispatched_at = now
    else:
        event.retry_at = now + timedelta(seconds=backoff_seconds(event.attempts))
    await event.save(
        update_fields=["attempts", "last_error", "retry_at", "dispatched_at"]
    )


def _tell_listeners(batch: Sequence[OutboxEvent]) -> None:
    for listener in list(_listeners):
        try:
            listener(batch)
        except Exception:
            log.exception("an event listener failed")


class Dispatcher:
    """Background loop: woken after each commit, polling as a fallback."""

    def __init__(self, poll_seconds: float = 1.0) -> None:
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self, grace_seconds: float = 10.0) -> None:
        """Let the current batch finish: cancelling inside a transaction's start
        can leak Tortoise's SQLite connection lock, so cancel only as a last resort."""
        self._stopping = True
        self._wake.set()
        if self._task is None:
            return
        done, _ = await asyncio.wait([self._task], timeout=grace_seconds)
        if not done:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self._task = None

    async def _loop(self) -> None:
        while not self._stopping:
            # Cleared before looking, so a commit during the look is not missed.
            self._wake.clear()
            try:
                handled = await dispatch_once()
            except Exception:
                log.exception("the dispatcher failed; trying again shortly")
                handled = 0
            if handled:
                continue
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_seconds):
                    await self._wake.wait()
