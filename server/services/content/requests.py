"""The requester's side: `requestContent`, `updateContentRequest`,
`cancelContentRequest`, `reopenContentRequest`, and everyone's
`commentOnContentRequest` and `voteContentRequest` (SPEC §2.8).

Each is one transaction through `mutations.run`; a refusal changes nothing but
the audit log. ``requestContent`` and ``commentOnContentRequest`` take an
idempotency key (a replay within 24 h returns the first result).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tortoise.exceptions import IntegrityError

from server.domain.content.inputs import (
    ContentType,
    Priority,
    priority_rank,
    read_text,
    read_title,
)
from server.domain.content.lifecycle import Action, ContentStatus, check
from server.domain.core.errors import ErrorCode, refuse
from server.domain.leads.stages import Refusal
from server.models import ContentComment, ContentRequest, ContentVote
from server.services.content import store
from server.services.core import mutations
from server.services.core.actors import Actor


@dataclass(frozen=True)
class NewRequest:
    title: str
    content_type: str
    priority: str = Priority.MEDIUM.value
    description: str | None = None
    persona_id: str | None = None
    lead_stage: str | None = None
    requested_due_date: date | None = None
    idempotency_key: str | None = None
    timezone: str = "UTC"


async def _load(saved: dict[str, Any]) -> ContentRequest:
    return await ContentRequest.get(id=int(saved["request"]))


async def request_content(
    actor: Actor, given: NewRequest
) -> mutations.Outcome[ContentRequest]:
    async def body(tx: mutations.Tx) -> ContentRequest:
        check_may(Action.COMMENT, actor)  # any contributor may ask
        title = store.taken(read_title(given.title))
        description = store.taken(read_text(given.description, "description"))
        kind = _member(ContentType, given.content_type, "contentType")
        priority = _member(Priority, given.priority, "priority")
        persona = await store.persona_key(given.persona_id, "personaId")
        stage = store.lead_stage(given.lead_stage, "leadStage")
        store.not_past(given.requested_due_date, tx, given.timezone, "requestedDueDate")
        request = ContentRequest(
            title=title,
            description=description,
            content_type=kind,
            persona_id=persona,
            lead_stage=stage,
            priority=priority,
            priority_rank=priority_rank(priority),
            requested_due_date=given.requested_due_date,
            requester_id=actor.user_id,
            status=ContentStatus.SUBMITTED.value,
            created_at=tx.now,
            updated_at=tx.now,
        )
        store.resort(request)
        await request.save()
        await store.record(tx, request, "REQUEST", None, title=title)
        return request

    idempotency = mutations.Idempotency(
        given.idempotency_key,
        {
            "title": given.title,
            "contentType": given.content_type,
            "priority": given.priority,
            "description": given.description,
            "personaId": given.persona_id,
            "leadStage": given.lead_stage,
            "requestedDueDate": given.requested_due_date,
        },
        lambda r: {"request": r.id},
        _load,
    )
    return await mutations.run(actor, "requestContent", body, idempotency)


def check_may(action: Action, actor: Actor) -> None:
    """Who may do this to any request at all (a status where it is possible
    stands in: the question is only who)."""
    answer = check(action, ContentStatus.SUBMITTED, store.content_actor(actor))
    if isinstance(answer, Refusal) and answer.code is ErrorCode.FORBIDDEN:
        raise answer.error()


def _member(kind: Any, value: str, field: str) -> str:
    if value not in kind.__members__:
        raise refuse(ErrorCode.INVALID_INPUT, "not one of the choices", field)
    return value


@dataclass(frozen=True)
class Edit:
    id: str
    expected_version: int
    description: str | None = None
    priority: str | None = None
    requested_due_date: date | None = None
    clear_requested_due_date: bool = False
    timezone: str = "UTC"


async def update_content_request(
    actor: Actor, edit: Edit
) -> mutations.Outcome[ContentRequest]:
    async def body(tx: mutations.Tx) -> ContentRequest:
        request = await store.load_request(edit.id, field="id")
        store.allowed(Action.UPDATE, request, actor)
        if request.version != edit.expected_version:
            message = f"the request changed meanwhile (version {request.version})"
            raise refuse(ErrorCode.CONFLICT, message, "expectedVersion")
        changed: dict[str, Any] = {}
        if edit.description is not None:
            request.description = store.taken(
                read_text(edit.description, "description")
            )
            changed["description"] = request.description
        if edit.priority is not None:
            request.priority = _member(Priority, edit.priority, "priority")
            request.priority_rank = priority_rank(request.priority)
            changed["priority"] = request.priority
        if edit.requested_due_date is not None or edit.clear_requested_due_date:
            day = edit.requested_due_date
            store.not_past(day, tx, edit.timezone, "requestedDueDate")
            request.requested_due_date = day
            changed["requestedDueDate"] = day.isoformat() if day else None
        store.resort(request)
        await store.touch(request, tx)
        await store.record(tx, request, Action.UPDATE, request.status, **changed)
        return request

    return await mutations.run(actor, "updateContentRequest", body)


async def cancel_content_request(
    actor: Actor, key: str, reason: str | None
) -> mutations.Outcome[ContentRequest]:
    async def body(tx: mutations.Tx) -> ContentRequest:
        request = await store.load_request(key)
        after = store.allowed(Action.CANCEL, request, actor)
        text = store.taken(read_text(reason, "reason"))
        before, request.status = request.status, after.value
        await store.touch(request, tx)
        await store.record(tx, request, Action.CANCEL, before, text)
        return request

    return await mutations.run(actor, "cancelContentRequest", body)


async def reopen_content_request(
    actor: Actor, key: str, comment: str
) -> mutations.Outcome[ContentRequest]:
    async def body(tx: mutations.Tx) -> ContentRequest:
        request = await store.load_request(key)
        after = store.allowed(Action.REOPEN, request, actor)
        text = store.taken(read_text(comment, "comment", required=True))
        before, request.status = request.status, after.value
        if after is ContentStatus.SUBMITTED:  # declined: back to triage
            request.assignee_id = None
            request.committed_due_date = None
            request.decline_reason = None
        else:  # delivered: the work goes on; the delivery no longer stands
            request.delivered_at = None
            request.rating = None
            request.rated_by_id = None
        store.resort(request)
        await store.touch(request, tx)
        await store.record(tx, request, Action.REOPEN, before, text)
        return request

    return await mutations.run(actor, "reopenContentRequest", body)


@dataclass(frozen=True)
class Commented:
    request: ContentRequest
    comment: ContentComment


async def _load_comment(saved: dict[str, Any]) -> Commented:
    comment = await ContentComment.get(id=int(saved["comment"]))
    return Commented(await ContentRequest.get(id=comment.request_id), comment)


async def comment_on_content_request(
    actor: Actor, key: str, text: str, idempotency_key: str | None = None
) -> mutations.Outcome[Commented]:
    async def body(tx: mutations.Tx) -> Commented:
        request = await store.load_request(key)
        store.allowed(Action.COMMENT, request, actor)
        said = store.taken(read_text(text, "body", required=True))
        comment = await ContentComment.create(
            request_id=request.id, author_id=actor.user_id, body=said, created_at=tx.now
        )
        request.comments += 1
        await request.save(update_fields=["comments"])
        await store.record(
            tx,
            request,
            Action.COMMENT,
            request.status,
            said,
            history=False,
            comment_id=comment.id,
        )
        return Commented(request, comment)

    idempotency = mutations.Idempotency(
        idempotency_key,
        {"requestId": key, "body": text},
        lambda r: {"comment": r.comment.id},
        _load_comment,
    )
    return await mutations.run(actor, "commentOnContentRequest", body, idempotency)


async def vote_content_request(
    actor: Actor, key: str, vote: bool
) -> mutations.Outcome[ContentRequest]:
    """Vote (or undo one's vote). Voting twice is one vote: the request row is
    locked first, and the (request, user) pair is unique besides."""

    async def body(tx: mutations.Tx) -> ContentRequest:
        request = await store.load_request(key)
        store.allowed(Action.VOTE, request, actor)
        mine = ContentVote.filter(request_id=request.id, user_id=actor.user_id)
        had = await mine.exists()
        if vote and not had:
            try:
                await ContentVote.create(
                    request_id=request.id, user_id=actor.user_id, created_at=tx.now
                )
            except IntegrityError:  # pragma: no cover - the lock already serialises
                raise refuse(
                    ErrorCode.CONFLICT, "you already voted", "requestId"
                ) from None
            request.votes += 1
        elif had and not vote:
            await mine.delete()
            request.votes -= 1
        if had != vote:
            await request.save(update_fields=["votes"])
        await store.record(
            tx,
            request,
            "VOTE" if vote else "UNVOTE",
            request.status,
            history=False,
            votes=request.votes,
        )
        return request

    return await mutations.run(actor, "voteContentRequest", body)
