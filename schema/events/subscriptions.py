"""`subscription { events, myQueue, notifications }` over graphql-transport-ws.

Resolvers only translate: the caller, the kinds and the ``after`` cursor go to
`server.services.events.subscriptions`, which replays, follows the live stream
and filters by the caller's current permissions.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Any, TypeAlias, cast

import strawberry
from strawberry.scalars import JSON

from schema.context import Info
from schema.core.permissions import require
from schema.events.notifications import Notification, notification_type
from schema.people.users import User, user_by_key
from server.domain.core.errors import InvalidArguments
from server.domain.core.outbox import EventKind as EventKindValue
from server.services.core import ids
from server.services.events import subscriptions
from server.services.events.stream import EventRecord

strawberry.enum(
    EventKindValue,
    name="EventKind",
    description="What happened (SPEC §2.9); a subscription or webhook names the "
    "kinds it wants.",
)
EventKind: TypeAlias = EventKindValue

# Payload keys holding row keys, shown as global IDs of these types.
PAYLOAD_IDS = {
    "lead": "Lead",
    "assignee": "User",
    "previousAssignee": "User",
    "reassignedTo": "User",
    "previous": "Handoff",
}


@strawberry.type(
    description="An outbox event: written in the same transaction as its change."
)
class Event:
    id: strawberry.ID = strawberry.field(
        description="The event's id, as webhooks send it (receivers deduplicate on "
        "it); pass the last one received as `after` to resume."
    )
    kind: EventKind
    sequence: int = strawberry.field(
        description="1, 2, 3, … per subject: receivers order and deduplicate by it."
    )
    occurred_at: datetime
    subject_type: str = strawberry.field(description="Lead, Handoff, Agreement, …")
    subject_id: strawberry.ID
    payload: JSON
    _actor: strawberry.Private[int | None]
    # The per-event memo of shared executions (schema/events/sharing.py).
    _shared: strawberry.Private[dict[Any, Any]]

    @strawberry.field(description="Who made the change (null for the system).")
    async def actor(self, info: Info) -> User | None:
        return await user_by_key(info, self._actor)


def event_type(record: EventRecord) -> Event:
    """The record's `Event`, made once per record: every subscriber the worker
    sends a live event to gets the same object, and with it the memo that lets
    them share one execution per permission scope (`schema.events.sharing`)."""
    made = record.shared.get(Event)
    if made is None:
        made = record.shared[Event] = _event(record)
    return cast(Event, made)


def _event(record: EventRecord) -> Event:
    return Event(
        id=strawberry.ID(str(record.id)),
        kind=EventKindValue(record.kind),
        sequence=record.sequence,
        occurred_at=record.created_at,
        subject_type=record.subject_type,
        subject_id=strawberry.ID(_global(record.subject_type, record.subject_id)),
        payload=cast(JSON, _public_payload(record.payload)),
        _actor=record.actor_id,
        _shared={},
    )


def _global(type_name: str, key: int) -> str:
    return ids.encode(type_name, key) if type_name in ids.TYPE_CODES else str(key)


def _public_payload(payload: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in payload.items():
        if key in PAYLOAD_IDS and isinstance(value, int):
            out[key] = ids.encode(PAYLOAD_IDS[key], value)
        elif key == "chain":
            continue  # an internal row: the handoff's id identifies the chain
        else:
            out[key] = value
    return out


def _connection(info: Info) -> subscriptions.Connection:
    connection = info.context.connection
    if not isinstance(connection, subscriptions.Connection):
        raise InvalidArguments("subscriptions run over graphql-transport-ws only")
    return connection


def _after_event(after: strawberry.ID | None) -> int | None:
    if after is None:
        return None
    if not str(after).isdigit():
        raise InvalidArguments("after must be an Event id")
    return int(after)


def _after(after: strawberry.ID | None, type_name: str) -> int | None:
    if after is None:
        return None
    found = ids.decode_any(after)
    if found is None or found[0] != type_name:
        raise InvalidArguments(f"after must be a {type_name} ID")
    return found[1]


@strawberry.type
class EventSubscriptions:
    @strawberry.subscription(
        description="Events whose subject you may read, as they are dispatched; "
        "with `after` (an Event id) first every later event the outbox still "
        "holds, then live, without a gap or a repeat."
    )
    async def events(
        self,
        info: Info,
        kinds: list[EventKind] | None = None,
        after: strawberry.ID | None = None,
    ) -> AsyncGenerator[Event, None]:
        require(info, "events")
        connection = _connection(info)
        wanted = frozenset(k.value for k in kinds) if kinds else None
        cursor = _after_event(after)
        async for record in subscriptions.events(connection, wanted, cursor):
            info.context.loaders.clear()  # names as they are now
            yield event_type(record)

    @strawberry.subscription(
        name="myQueue",
        description="Events that change your queue: handoffs given to you or "
        "taken away, decided, at risk or breached (a sales manager: the team's).",
    )
    async def my_queue(
        self, info: Info, after: strawberry.ID | None = None
    ) -> AsyncGenerator[Event, None]:
        require(info, "myQueue")
        connection = _connection(info)
        async for record in subscriptions.queue(connection, _after_event(after)):
            info.context.loaders.clear()
            yield event_type(record)

    @strawberry.subscription(
        description="Your new notifications as they are made; with `after` (a "
        "Notification id) first the ones made since."
    )
    async def notifications(
        self, info: Info, after: strawberry.ID | None = None
    ) -> AsyncGenerator[Notification, None]:
        require(info, "notifications")
        connection = _connection(info)
        cursor = _after(after, "Notification")
        async for notice in subscriptions.notices(connection, cursor):
            yield notification_type(notice.row)
