"""Marketing's side: `triageContentRequest`, `moveContentRequest` and
`deliverContentRequest` (SPEC §2.8). The request row is locked first, so of
two triages at once one wins and the other finds it triaged
(``INVALID_TRANSITION``).

Where the spec is silent:
- accepting without an assignee assigns the one who accepts; the committed
  date is required and may not lie in the past (reporting timezone);
- a changes-requested move (``IN_REVIEW`` → ``IN_PROGRESS``) needs a comment;
  the other moves take one optionally, kept in the history;
- delivering names an existing asset or describes a new one (exactly one of
  the two); a new asset takes the request's type, persona and lead stage
  unless given others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from server.domain.content.inputs import ContentType, read_text, read_title, read_url
from server.domain.content.lifecycle import (
    NEEDS_COMMENT,
    Action,
    ContentStatus,
    move_action,
)
from server.domain.core.errors import ErrorCode, refuse
from server.models import ContentAsset, ContentRequest
from server.services.content import store
from server.services.core import ids, mutations
from server.services.core.actors import Actor


@dataclass(frozen=True)
class Triage:
    id: str
    accept: bool
    assignee_id: str | None = None
    committed_due_date: date | None = None
    reason: str | None = None
    timezone: str = "UTC"


async def triage_content_request(
    actor: Actor, given: Triage
) -> mutations.Outcome[ContentRequest]:
    async def body(tx: mutations.Tx) -> ContentRequest:
        request = await store.load_request(given.id)
        action = Action.ACCEPT if given.accept else Action.DECLINE
        after = store.allowed(action, request, actor)
        comment: str | None = None
        if given.accept:
            await _accept(tx, request, given, actor)
        else:
            comment = store.taken(read_text(given.reason, "reason", required=True))
            request.decline_reason = comment
        before, request.status = request.status, after.value
        store.resort(request)
        await store.touch(request, tx)
        await store.record(
            tx,
            request,
            action,
            before,
            comment,
            assignee=request.assignee_id,
            committedDueDate=_iso(request.committed_due_date),
        )
        return request

    return await mutations.run(actor, "triageContentRequest", body)


async def _accept(
    tx: mutations.Tx, request: ContentRequest, given: Triage, actor: Actor
) -> None:
    if given.committed_due_date is None:
        message = "commit to a due date"
        raise refuse(ErrorCode.INVALID_INPUT, message, "committedDueDate")
    store.not_past(given.committed_due_date, tx, given.timezone, "committedDueDate")
    assignee = actor.user_id
    if given.assignee_id is not None:
        assignee = (await store.marketing_assignee(given.assignee_id, "assigneeId")).id
    request.assignee_id = assignee
    request.committed_due_date = given.committed_due_date


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


async def move_content_request(
    actor: Actor, key: str, to: str, comment: str | None
) -> mutations.Outcome[ContentRequest]:
    async def body(tx: mutations.Tx) -> ContentRequest:
        request = await store.load_request(key)
        if not _marketing(actor, request):
            raise refuse(ErrorCode.FORBIDDEN, "moves are for marketing users")
        action = move_action(ContentStatus(request.status), ContentStatus(to))
        if not isinstance(action, Action):
            raise action.error()
        after = store.allowed(action, request, actor)
        required = action in NEEDS_COMMENT
        text = store.taken(read_text(comment, "comment", required=required))
        before, request.status = request.status, after.value
        await store.touch(request, tx)
        await store.record(tx, request, action, before, text)
        return request

    return await mutations.run(actor, "moveContentRequest", body)


def _marketing(actor: Actor, request: ContentRequest) -> bool:
    return store.content_actor(actor, request).is_marketing


@dataclass(frozen=True)
class NewAsset:
    title: str
    url: str
    content_type: str | None = None
    persona_ids: Sequence[str] | None = None
    lead_stages: Sequence[str] | None = None


@dataclass(frozen=True)
class Delivery:
    id: str
    asset_id: str | None = None
    asset: NewAsset | None = None
    comment: str | None = None


@dataclass(frozen=True)
class Delivered:
    request: ContentRequest
    asset: ContentAsset


async def deliver_content_request(
    actor: Actor, given: Delivery
) -> mutations.Outcome[Delivered]:
    async def body(tx: mutations.Tx) -> Delivered:
        request = await store.load_request(given.id)
        after = store.allowed(Action.DELIVER, request, actor)
        if (given.asset_id is None) == (given.asset is None):
            message = "name an existing asset or describe a new one (not both)"
            raise refuse(ErrorCode.INVALID_INPUT, message, "assetId")
        text = store.taken(read_text(given.comment, "comment"))
        if given.asset_id is not None:
            asset = await _existing(given.asset_id)
        else:
            assert given.asset is not None
            asset = await _create(tx, request, given.asset, actor)
        before, request.status = request.status, after.value
        request.deliverable_id = asset.id
        request.delivered_at = tx.now
        await store.touch(request, tx)
        await store.record(tx, request, Action.DELIVER, before, text, asset=asset.id)
        return Delivered(request, asset)

    return await mutations.run(actor, "deliverContentRequest", body)


async def _existing(key: str) -> ContentAsset:
    found = await ContentAsset.get_or_none(
        id=ids.decode(key, "ContentAsset", "assetId")
    )
    if found is None:
        raise refuse(ErrorCode.NOT_FOUND, "no such asset", "assetId")
    return found


async def _create(
    tx: mutations.Tx, request: ContentRequest, given: NewAsset, actor: Actor
) -> ContentAsset:
    title = store.taken(read_title(given.title), "asset")
    url = store.taken(read_url(given.url), "asset")
    kind = given.content_type or request.content_type
    if kind not in ContentType.__members__:
        raise refuse(
            ErrorCode.INVALID_INPUT, "not a content type", "asset", "contentType"
        )
    if given.persona_ids is None:
        personas = [request.persona_id] if request.persona_id else []
    else:
        personas = await store.persona_keys(given.persona_ids, "asset", "personaIds")
    if given.lead_stages is None:
        stages = [request.lead_stage] if request.lead_stage else []
    else:
        stages = [
            store.lead_stage(s, "asset", "leadStages") or "" for s in given.lead_stages
        ]
    return await ContentAsset.create(
        title=title,
        url=url,
        content_type=kind,
        persona_keys=keyed(personas),
        lead_stage_keys=keyed(sorted(set(stages))),
        created_by_id=actor.user_id,
        created_at=tx.now,
    )


def keyed(values: Sequence[object]) -> str:
    """A list as delimited text that one LIKE '%,x,%' searches."""
    return "," + "".join(f"{v}," for v in values)
