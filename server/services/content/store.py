"""Steps every content use case takes: load the request locked, check the
status machine, write the history entry, the audit entry and the
`CONTENT_REQUEST_CHANGED` event (one call: `record`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from server import db
from server.domain.content.lifecycle import (
    Action,
    ContentActor,
    ContentStatus,
    check,
)
from server.domain.content.timing import binding_date, date_sort, local_day
from server.domain.core.errors import ErrorCode, refuse
from server.domain.core.outbox import EventKind
from server.domain.leads.stages import LeadStage, Refusal
from server.models import Agreement, ContentHistory, ContentRequest, User
from server.services.core import ids, mutations
from server.services.core.actors import Actor

SUBJECT = "ContentRequest"


def content_actor(actor: Actor, request: ContentRequest | None = None) -> ContentActor:
    mine = request is not None and request.requester_id == actor.user_id
    return ContentActor(actor.user_id, actor.team, actor.role, mine)


async def load_request(
    key: str, expected_version: int | None = None, field: str = "requestId"
) -> ContentRequest:
    """The request an input names, locked for this transaction (PostgreSQL; an
    SQLite transaction holds the whole database already)."""
    request_id = ids.decode(key, SUBJECT, field)
    query = ContentRequest.filter(id=request_id)
    if db.dialect() != "sqlite":
        query = query.select_for_update()
    found = await query.first()
    if found is None:
        raise refuse(ErrorCode.NOT_FOUND, "no such content request", field)
    if expected_version is not None and found.version != expected_version:
        raise refuse(
            ErrorCode.CONFLICT,
            f"the request changed meanwhile (version {found.version})",
            "expectedVersion",
        )
    return found


def allowed(action: Action, request: ContentRequest, actor: Actor) -> ContentStatus:
    """The status after the action, or the refusal raised."""
    answer = check(action, ContentStatus(request.status), content_actor(actor, request))
    if isinstance(answer, Refusal):
        raise answer.error()
    return answer


def taken(value: Any | Refusal, *within: str) -> Any:
    """An input reader's value, or its refusal raised (its field under
    ``within``, a path into the input)."""
    if isinstance(value, Refusal):
        path = (*within, value.field) if value.field else within
        raise refuse(value.code, value.message, *path)
    return value


def today(tx: mutations.Tx, timezone: str) -> date:
    return local_day(tx.now, timezone)


def not_past(day: date | None, tx: mutations.Tx, timezone: str, field: str) -> None:
    if day is not None and day < today(tx, timezone):
        raise refuse(ErrorCode.INVALID_INPUT, "pick today or a later day", field)


def resort(request: ContentRequest) -> None:
    request.due_sort = date_sort(
        binding_date(request.requested_due_date, request.committed_due_date)
    )


async def persona_key(global_id: str | None, field: str) -> int | None:
    if global_id is None:
        return None
    key = ids.decode(global_id, "Persona", field)
    if not await Agreement.filter(id=key, kind="PERSONA").exists():
        raise refuse(ErrorCode.NOT_FOUND, "no such persona", field)
    return key


async def persona_keys(global_ids: Sequence[str], *field: str) -> list[int]:
    keys = sorted({ids.decode(g, "Persona", *field) for g in global_ids})
    found = await Agreement.filter(id__in=keys, kind="PERSONA").count()
    if found != len(keys):
        raise refuse(ErrorCode.NOT_FOUND, "no such persona", *field)
    return keys


def lead_stage(value: str | None, *field: str) -> str | None:
    if value is not None and value not in LeadStage.__members__:
        raise refuse(ErrorCode.INVALID_INPUT, "unknown lead stage", *field)
    return value


async def marketing_assignee(global_id: str, field: str) -> User:
    key = ids.decode(global_id, "User", field)
    found = await User.get_or_none(id=key)
    if found is None:
        raise refuse(ErrorCode.NOT_FOUND, "no such user", field)
    if not found.active or found.team != "MARKETING" or found.role == "ADMIN":
        message = "assign the request to an active marketing user"
        raise refuse(ErrorCode.INVALID_INPUT, message, field)
    return found


async def record(
    tx: mutations.Tx,
    request: ContentRequest,
    action: Action | str,
    before: str | None,
    comment: str | None = None,
    history: bool = True,
    **changes: Any,
) -> None:
    """The trace of one change: a history entry (unless it is only a vote), the
    audit entry and the event, in the caller's transaction."""
    label = action.value if isinstance(action, Action) else action
    if history:
        await ContentHistory.create(
            request_id=request.id,
            actor_id=tx.actor.user_id if tx.actor else None,
            action=label,
            from_status=before,
            to_status=request.status,
            comment=comment or None,
            at=tx.now,
        )
    tx.audit(SUBJECT, request.id, action=label, status=request.status, **changes)
    tx.emit(
        EventKind.CONTENT_REQUEST_CHANGED.value,
        SUBJECT,
        request.id,
        {
            "request": request.id,
            "requestId": ids.encode(SUBJECT, request.id),
            "title": request.title,
            "action": label,
            "from": before,
            "to": request.status,
            "requester": request.requester_id,
            "assignee": request.assignee_id,
            "comment": comment or None,
        },
    )


async def touch(request: ContentRequest, tx: mutations.Tx) -> None:
    request.version += 1
    request.updated_at = tx.now
    await request.save()
