"""Live subscriptions: who hears which event, how many may listen, and the sweep.

Each WebSocket connection is `attach`ed with the caller it authenticated as.
Every event is checked against the connection's *current* caller when it is
sent: the sweep (every ``ACCORD_SWEEP_SECONDS``) reloads each connection's
credential in one query per credential type, refreshing the user's team and
role, and closes the sockets of revoked or expired sessions and tokens and of
deactivated users.

Caps (``ACCORD_MAX_SUBSCRIPTIONS_PER_CONNECTION``,
``ACCORD_MAX_SUBSCRIPTIONS_PER_USER``, counted per worker process) refuse one
more subscription with `LimitExceeded` (code ``LIMIT_EXCEEDED``).
"""

from __future__ import annotations

import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from server import metrics
from server.domain.core.outbox import EventKind
from server.domain.core.roles import Role, Scope, Team
from server.services.core.actors import Actor
from server.services.events import stream
from server.services.events.stream import EventRecord, NoticeRecord
from server.services.people.standing import standing

log = logging.getLogger("accord.subscriptions")

CLOSE_CODE = 4401  # graphql-transport-ws "Unauthorized"
# Subjects every authenticated user with READ may read (SPEC §2.1 "Reads").
READABLE_BY_ALL = frozenset(
    {
        "Lead",
        "Handoff",
        "FollowUp",
        "Agreement",
        "ContentRequest",
        "ContentAsset",
        "Meeting",
        "LeadFeedback",
    }
)
QUEUE_KINDS = frozenset(
    {
        EventKind.HANDOFF_CREATED,
        EventKind.HANDOFF_ACCEPTED,
        EventKind.HANDOFF_REJECTED,
        EventKind.HANDOFF_REASSIGNED,
        EventKind.HANDOFF_WITHDRAWN,
        EventKind.HANDOFF_ESCALATED,
        EventKind.FOLLOW_UP_RECORDED,
        EventKind.SLA_AT_RISK,
        EventKind.SLA_BREACHED,
    }
)
QUEUE_PEOPLE = ("assignee", "previousAssignee", "reassignedTo")


class LimitExceeded(Exception):
    code = "LIMIT_EXCEEDED"

    def __init__(self, message: str, limit: int) -> None:
        super().__init__(message)
        self.limit = limit


@dataclass(eq=False)
class Connection:
    """One authenticated WebSocket; ``actor`` is refreshed by the sweep."""

    actor: Actor
    close: Callable[[int, str], Awaitable[None]]
    subscriptions: int = 0
    closed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Caps:
    per_connection: int = 20
    per_user: int = 100


class Registry:
    """The worker's open connections and subscription counts."""

    def __init__(self) -> None:
        self.connections: set[Connection] = set()
        self.per_user: Counter[int] = Counter()
        self.caps = Caps()

    def configure(self, per_connection: int, per_user: int) -> None:
        self.caps = Caps(per_connection, per_user)

    def attach(
        self, actor: Actor, close: Callable[[int, str], Awaitable[None]]
    ) -> Connection:
        connection = Connection(actor, close)
        self.connections.add(connection)
        _gauges()
        return connection

    def detach(self, connection: Connection) -> None:
        self.connections.discard(connection)
        connection.closed = True
        _gauges()

    @contextlib.contextmanager
    def reserve(self, connection: Connection) -> Iterator[None]:
        """Count one subscription for the duration of the block, or refuse it."""
        user = connection.actor.user_id
        if connection.subscriptions >= self.caps.per_connection:
            raise LimitExceeded(
                f"at most {self.caps.per_connection} subscriptions per connection "
                "(ACCORD_MAX_SUBSCRIPTIONS_PER_CONNECTION); complete one first",
                self.caps.per_connection,
            )
        if self.per_user[user] >= self.caps.per_user:
            raise LimitExceeded(
                f"at most {self.caps.per_user} subscriptions per user "
                "(ACCORD_MAX_SUBSCRIPTIONS_PER_USER); complete one first",
                self.caps.per_user,
            )
        connection.subscriptions += 1
        self.per_user[user] += 1
        _gauges()
        try:
            yield
        finally:
            connection.subscriptions -= 1
            self.per_user[user] -= 1
            if self.per_user[user] <= 0:
                del self.per_user[user]
            _gauges()

    def subscription_count(self) -> int:
        return sum(self.per_user.values())

    async def sweep(self) -> int:
        """Refresh every connection's caller; close the ones no longer allowed.
        Returns how many were closed."""
        connections = [c for c in self.connections if not c.closed]
        if not connections:
            return 0
        current = await current_actors(connections)
        closed = 0
        for connection in connections:
            actor = current.get(id(connection))
            if actor is None:
                closed += 1
                self.detach(connection)
                with contextlib.suppress(Exception):
                    await connection.close(
                        CLOSE_CODE, "the connection's credential is no longer valid"
                    )
            else:
                connection.actor = actor
        if closed:
            log.info("closed %s subscription connections", closed)
        return closed


registry = Registry()


def _gauges() -> None:
    metrics.set_gauge("accord_subscriptions_open", registry.subscription_count())
    metrics.set_gauge("accord_subscription_connections_open", len(registry.connections))


async def current_actors(connections: list[Connection]) -> dict[int, Actor]:
    """Each connection's caller as the database has it now (missing: revoked,
    expired or deactivated). Two queries whatever the number of connections."""
    actors = [c.actor for c in connections]
    found = await standing(
        sorted({a.credential_id for a in actors if a.credential == "session"}),
        sorted({a.credential_id for a in actors if a.credential == "token"}),
    )
    current: dict[int, Actor] = {}
    for connection in connections:
        actor = connection.actor
        now = found.get((actor.credential, actor.credential_id))
        if now is not None:
            current[id(connection)] = replace(actor, team=now.team, role=now.role)
    return current


# who hears what ------------------------------------------------------------


def may_read(actor: Actor, event: EventRecord) -> bool:
    """Whether the caller may read the event's subject (SPEC §2.1 Reads)."""
    if Scope.READ not in actor.scopes:
        return False
    return event.subject_type in READABLE_BY_ALL or actor.role is Role.ADMIN


def concerns_queue(actor: Actor, event: EventRecord) -> bool:
    """Whether the event changes what the caller's queue screen shows: their
    own handoffs (given, taken away, decided, at risk) or, for a sales
    manager, any of the team's."""
    if event.kind not in QUEUE_KINDS or event.subject_type != "Handoff":
        return False
    if actor.team is Team.SALES and actor.role is Role.MANAGER:
        return True
    return any(event.payload.get(key) == actor.user_id for key in QUEUE_PEOPLE)


async def events(
    connection: Connection, kinds: frozenset[str] | None, after: int | None
) -> AsyncIterator[EventRecord]:
    """Events of the given kinds the caller may read, replayed after ``after``."""

    def accept(event: EventRecord) -> bool:
        return (kinds is None or event.kind in kinds) and may_read(
            connection.actor, event
        )

    async for event in _follow(
        stream.hub.open_events(), stream.replay_events, after, accept
    ):
        yield event


async def queue(
    connection: Connection, after: int | None
) -> AsyncIterator[EventRecord]:
    """Events that change the caller's queue (see `concerns_queue`)."""

    def accept(event: EventRecord) -> bool:
        actor = connection.actor
        return may_read(actor, event) and concerns_queue(actor, event)

    async for event in _follow(
        stream.hub.open_events(), stream.replay_events, after, accept
    ):
        yield event


async def notices(
    connection: Connection, after: int | None
) -> AsyncIterator[NoticeRecord]:
    """The caller's new notifications, replayed after notification ``after``."""
    user = connection.actor.user_id

    async def replay(cursor: int) -> list[NoticeRecord]:
        return await stream.replay_notices(user, cursor)

    def accept(notice: NoticeRecord) -> bool:
        return notice.user_id == user and Scope.READ in connection.actor.scopes

    async for notice in _follow(stream.hub.open_notices(user), replay, after, accept):
        yield notice


async def _follow(
    feed: stream.Feed,
    replay: Callable[[int], Awaitable[list[Any]]],
    after: int | None,
    accept: Callable[[Any], bool],
) -> AsyncIterator[Any]:
    try:
        async for item in stream.follow(feed, replay, after, accept):
            yield item
    finally:
        stream.hub.close(feed)
