"""The viewer's notifications: the list with its unread count, and marking read."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeAlias

import strawberry

from schema.context import Context, Info
from schema.core.errors import UserError, user_errors
from schema.core.permissions import actor_of, require
from schema.core.relay import (
    Connection,
    Node,
    NodeType,
    connection,
    page_request,
)
from server.domain.events.notifications import NoticeKind
from server.services.core import ids
from server.services.events import notifications

if TYPE_CHECKING:
    from server import models

strawberry.enum(NoticeKind, name="NotificationKind")
NotificationKind: TypeAlias = NoticeKind


@strawberry.type
class Notification(Node):
    id: strawberry.ID
    kind: NotificationKind
    title: str
    body: str
    link: str = strawberry.field(description="A path of the web client, as /#/…")
    created_at: datetime
    read_at: datetime | None

    @strawberry.field
    def read(self) -> bool:
        return self.read_at is not None


def notification_type(row: models.Notification) -> Notification:
    return Notification(
        id=strawberry.ID(ids.encode("Notification", row.id)),
        kind=NoticeKind(row.kind),
        title=row.title,
        body=row.body,
        link=row.link,
        created_at=row.created_at,
        read_at=row.read_at,
    )


@strawberry.type
class NotificationConnection(Connection[Notification]):
    _unread: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="The viewer's unread notifications, all of them.")
    async def unread_count(self) -> int:
        return await self._unread()


@strawberry.type
class NotificationQueries:
    @strawberry.field(description="The viewer's own notifications, newest first.")
    async def notifications(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        unread_only: bool = False,
    ) -> NotificationConnection:
        actor = require(info, "notifications")
        page = await notifications.list_notifications(
            actor.user_id, unread_only, page_request(first, after, last, before)
        )
        made = connection(page, notification_type)
        return NotificationConnection(
            edges=made.edges,
            page_info=made.page_info,
            _count=page.count,
            _unread=lambda: notifications.unread_count(actor.user_id),
        )


@strawberry.input
class MarkNotificationsReadInput:
    ids: list[strawberry.ID] | None = None
    all: bool = strawberry.field(
        default=False, description="Mark every unread notification of the viewer."
    )


@strawberry.type
class MarkNotificationsReadPayload:
    marked: int = strawberry.field(description="How many were unread and now read.")
    unread_count: int
    user_errors: list[UserError]


@strawberry.type
class NotificationMutations:
    @strawberry.mutation
    async def mark_notifications_read(
        self, info: Info, input: MarkNotificationsReadInput
    ) -> MarkNotificationsReadPayload:
        actor = actor_of(info)
        outcome = await notifications.mark_read(
            actor, [str(i) for i in input.ids or []], input.all
        )
        return MarkNotificationsReadPayload(
            marked=outcome.result or 0,
            unread_count=await notifications.unread_count(actor.user_id),
            user_errors=user_errors(outcome.errors),
        )


async def _fetch(context: Context, keys: list[int]) -> dict[int, Any]:
    actor = context.actor
    if actor is None:
        return {}
    rows = await notifications.notifications_by_ids(actor.user_id, keys)
    return {k: notification_type(v) for k, v in rows.items()}


NODE_TYPES = {"Notification": NodeType(_fetch)}
