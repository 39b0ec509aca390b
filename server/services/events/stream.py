"""The live event stream of one worker: dispatched outbox events fanned out to feeds.

Where events come from:
- PostgreSQL: the dispatch transaction (`server.services.core.outbox`) sends
  ``NOTIFY accord_events, '<event id>'`` for each event; every worker holds one
  dedicated connection that LISTENs, and reads the rows of the ids it hears
  (a batch at a time). An event dispatched through any worker thus reaches the
  feeds of every worker, without another broker.
- SQLite (one process): the dispatcher's in-process listener hands the batch
  over after its commit.

A `Feed` is one subscription's inbox. `follow` gives a subscription its events:
opened on the live stream first, then the replay of what the outbox holds after
the subscriber's last event id, then the live events not already replayed; so
nothing committed around the seam is lost or sent twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from server import db
from server.models.core import OutboxEvent
from server.models.events import Notification
from server.services.core import outbox
from server.settings import Settings

log = logging.getLogger("accord.stream")

REPLAY_CHUNK = 500
FEED_LIMIT = 10_000  # events waiting for one slow subscriber before it is dropped
RECONNECT_SECONDS = (0.5, 1.0, 2.0, 5.0)


@dataclass(frozen=True)
class EventRecord:
    """An outbox event as subscribers see it."""

    id: int
    kind: str
    subject_type: str
    subject_id: int
    sequence: int
    actor_id: int | None
    payload: dict[str, Any]
    created_at: datetime
    # What the API layer derives from this record once for every subscriber the
    # worker sends it to (its GraphQL object, per-scope results): one record is
    # shared by all feeds of the worker.
    shared: dict[Any, Any] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    @classmethod
    def of(cls, row: OutboxEvent) -> EventRecord:
        return cls(
            id=row.id,
            kind=row.kind,
            subject_type=row.subject_type,
            subject_id=row.subject_id,
            sequence=row.sequence,
            actor_id=row.actor_id,
            payload=dict(row.payload or {}),
            created_at=row.created_at,
        )


@dataclass(frozen=True)
class NoticeRecord:
    """A notification row delivered live to its owner."""

    id: int
    user_id: int
    event_id: int | None
    row: Notification


class FeedOverflow(Exception):
    """The subscriber fell too far behind; it should reconnect with ``after``."""


class Feed:
    """One subscription's inbox: events (or notices) waiting to be sent."""

    def __init__(self, user_id: int | None = None) -> None:
        self.user_id = user_id  # set for notice feeds
        self._items: deque[Any] = deque()
        self._ready = asyncio.Event()
        self.overflowed = False

    def put(self, items: Sequence[Any]) -> None:
        if not items or self.overflowed:
            return
        if len(self._items) + len(items) > FEED_LIMIT:
            self.overflowed = True
            self._items.clear()
        else:
            self._items.extend(items)
        self._ready.set()

    async def take(self) -> list[Any]:
        """What is waiting (at least one item), in arrival order."""
        while not self._items:
            if self.overflowed:
                raise FeedOverflow("the subscriber fell behind; resubscribe with after")
            self._ready.clear()
            await self._ready.wait()
        items = list(self._items)
        self._items.clear()
        return items


class Hub:
    """The worker's fan-out: one per process, started with the app."""

    def __init__(self) -> None:
        self.event_feeds: set[Feed] = set()
        self.notice_feeds: set[Feed] = set()
        self._inbox: asyncio.Queue[Sequence[int] | Sequence[OutboxEvent]] | None = None
        self._pump_task: asyncio.Task[None] | None = None
        self._listen_task: asyncio.Task[None] | None = None
        self._pg: Any = None
        self._high = 0  # highest event id published (catch-up after a lost LISTEN)
        self._started = asyncio.Event()
        self._wakers: list[Callable[[], None]] = []

    # life cycle -------------------------------------------------------------

    async def start(self, settings: Settings) -> None:
        self._started = asyncio.Event()  # bound to this loop (tests run several)
        self._inbox = asyncio.Queue()
        self._pump_task = asyncio.get_running_loop().create_task(self._pump())
        if settings.is_sqlite:
            outbox.register_listener(self._on_dispatched)
            self._started.set()
        else:
            self._listen_task = asyncio.get_running_loop().create_task(
                self._listen(_asyncpg_dsn(settings.database_url))
            )
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(10):
                    await self._started.wait()

    async def stop(self) -> None:
        outbox.unregister_listener(self._on_dispatched)
        for task in (self._listen_task, self._pump_task):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self._listen_task = self._pump_task = None
        await self._close_pg()
        self._started.clear()

    @property
    def listening(self) -> bool:
        return self._started.is_set()

    # feeds --------------------------------------------------------------------

    def open_events(self) -> Feed:
        feed = Feed()
        self.event_feeds.add(feed)
        return feed

    def open_notices(self, user_id: int) -> Feed:
        feed = Feed(user_id)
        self.notice_feeds.add(feed)
        return feed

    def close(self, feed: Feed) -> None:
        self.event_feeds.discard(feed)
        self.notice_feeds.discard(feed)

    def wake_on_events(self, waker: Callable[[], None]) -> None:
        """Call ``waker`` whenever a NOTIFY says events were dispatched (by any
        worker): the webhook deliverer claims the deliveries that dispatch
        wrote at once rather than at its next poll."""
        if waker not in self._wakers:
            self._wakers.append(waker)

    def stop_waking(self, waker: Callable[[], None]) -> None:
        if waker in self._wakers:
            self._wakers.remove(waker)

    # intake -------------------------------------------------------------------

    def _on_dispatched(self, batch: Sequence[OutboxEvent]) -> None:
        if self._inbox is not None:
            self._inbox.put_nowait(list(batch))

    def _on_notify(self, connection: Any, pid: int, channel: str, payload: str) -> None:
        if self._inbox is None:
            return
        try:
            self._inbox.put_nowait([int(payload)])
        except ValueError:
            log.warning("ignored a malformed notification %r", payload)
        for waker in list(self._wakers):
            waker()

    async def _listen(self, dsn: str) -> None:
        """Hold the LISTEN connection; after losing it, reconnect and catch up."""
        import asyncpg  # only PostgreSQL deployments need it

        attempt = 0
        while True:
            lost = asyncio.Event()
            try:
                self._pg = await asyncpg.connect(dsn)
                self._pg.add_termination_listener(_setter(lost))
                await self._pg.add_listener(outbox.CHANNEL, self._on_notify)
                if attempt and self._inbox is not None:
                    self._inbox.put_nowait(await self._missed())
                attempt = 0
                self._started.set()
                await lost.wait()
                log.warning("the LISTEN connection was lost; reconnecting")
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("could not LISTEN for events; retrying")
            await self._close_pg()
            await asyncio.sleep(RECONNECT_SECONDS[min(attempt, 3)])
            attempt += 1

    async def _missed(self) -> list[OutboxEvent]:
        """Events dispatched while the LISTEN connection was down."""
        return (
            await OutboxEvent.filter(id__gt=self._high, dispatched_at__not_isnull=True)
            .order_by("id")
            .limit(FEED_LIMIT)
        )

    async def _close_pg(self) -> None:
        pg, self._pg = self._pg, None
        if pg is not None:
            with contextlib.suppress(Exception):
                await pg.close(timeout=2)

    # fan-out ------------------------------------------------------------------

    async def _pump(self) -> None:
        assert self._inbox is not None
        while True:
            first = await self._inbox.get()
            waiting: list[Any] = list(first)
            while not self._inbox.empty():  # coalesce what arrived meanwhile
                waiting.extend(self._inbox.get_nowait())
            try:
                await self._publish(waiting)
            except Exception:
                log.exception("publishing %s events failed", len(waiting))

    async def _publish(self, items: list[Any]) -> None:
        ids = sorted({i if isinstance(i, int) else i.id for i in items})
        if not ids or not (self.event_feeds or self.notice_feeds):
            self._high = max([self._high, *ids])
            return
        rows = [i for i in items if isinstance(i, OutboxEvent)]
        if len(rows) != len(ids):
            rows = await OutboxEvent.filter(id__in=ids).order_by("id")
        records = sorted({r.id: EventRecord.of(r) for r in rows}.values(), key=_id)
        self._high = max([self._high, *ids])
        for feed in list(self.event_feeds):
            feed.put(records)
        if self.notice_feeds:
            await self._publish_notices(ids)

    async def _publish_notices(self, event_ids: list[int]) -> None:
        users = {f.user_id for f in self.notice_feeds if f.user_id is not None}
        notices = await Notification.filter(
            event_id__in=event_ids, user_id__in=sorted(users)
        ).order_by("id")
        by_user: dict[int, list[NoticeRecord]] = {}
        for row in notices:
            by_user.setdefault(row.user_id, []).append(
                NoticeRecord(row.id, row.user_id, row.event_id, row)
            )
        for feed in list(self.notice_feeds):
            if feed.user_id in by_user:
                feed.put(by_user[feed.user_id])


def _setter(event: asyncio.Event) -> Callable[[Any], None]:
    return lambda _connection: event.set()


def _id(record: EventRecord) -> int:
    return record.id


def _asyncpg_dsn(database_url: str) -> str:
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(scheme="postgresql", query=""))


hub = Hub()


async def replay_events(after: int, limit: int = REPLAY_CHUNK) -> list[EventRecord]:
    """Dispatched events after ``after``, oldest first.

    Only dispatched ones: a subscriber receives an event only once it is
    dispatched (live or replayed), so the event it names in ``after``, and any
    it received before, can never come round live again on the new feed."""
    rows = (
        await OutboxEvent.filter(id__gt=after, dispatched_at__not_isnull=True)
        .order_by("id")
        .limit(limit)
    )
    return [EventRecord.of(r) for r in rows]


async def replay_notices(
    user_id: int, after: int, limit: int = REPLAY_CHUNK
) -> list[NoticeRecord]:
    rows = (
        await Notification.filter(user_id=user_id, id__gt=after)
        .order_by("id")
        .limit(limit)
    )
    return [NoticeRecord(r.id, r.user_id, r.event_id, r) for r in rows]


async def follow(
    feed: Feed,
    replay: Callable[[int], Any] | None,
    after: int | None,
    accept: Callable[[Any], bool],
) -> AsyncIterator[Any]:
    """The items for one subscription: the replay after ``after``, then live.

    ``feed`` is already open, so an item committed while the replay runs is in
    it; items the replay sent are skipped when they come round live."""
    sent = _Recent()
    if after is not None and replay is not None:
        cursor = after
        while True:
            chunk = await replay(cursor)
            for item in chunk:
                if accept(item):
                    sent.add(item.id)
                    yield item
            if len(chunk) < REPLAY_CHUNK:
                break
            cursor = chunk[-1].id
    while True:
        for item in await feed.take():
            if item.id in sent:
                continue
            sent.add(item.id)
            if accept(item):
                yield item


class _Recent:
    """The ids sent lately (a bounded set): what the seam and a LISTEN catch-up
    could otherwise send twice."""

    LIMIT = 20_000

    def __init__(self) -> None:
        self._ids: dict[int, None] = {}

    def __contains__(self, key: int) -> bool:
        return key in self._ids

    def add(self, key: int) -> None:
        self._ids[key] = None
        if len(self._ids) > self.LIMIT:
            del self._ids[next(iter(self._ids))]


def open_count() -> int:
    return len(hub.event_feeds) + len(hub.notice_feeds)


async def pg_connected() -> bool:
    """Whether the PostgreSQL LISTEN connection is up (tests)."""
    return hub.listening and (db.dialect() == "sqlite" or hub._pg is not None)
