"""The content types: `ContentRequest`, `ContentAsset`, their comments,
history and ratings, and `node` for each."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeAlias

import strawberry
from strawberry.dataloader import DataLoader

from schema.agreements.kinds import Persona, agreement_type
from schema.context import Context, Info
from schema.core.relay import Node, NodeType
from schema.leads.types import LeadStage
from schema.people.users import User, user_by_key, user_type
from server.domain.content import lifecycle, timing
from server.domain.content.inputs import ContentType as DomainContentType
from server.domain.content.inputs import Priority as DomainPriority
from server.domain.leads.stages import LeadStage as DomainLeadStage
from server.services.agreements import reads as agreement_reads
from server.services.content import reads
from server.services.core import ids
from server.services.people import reads as user_reads

if TYPE_CHECKING:
    from server import models

strawberry.enum(lifecycle.ContentStatus, name="ContentStatus")
strawberry.enum(lifecycle.Action, name="ContentAction")
strawberry.enum(DomainContentType, name="ContentType")
strawberry.enum(DomainPriority, name="ContentPriority")
strawberry.enum(timing.DueState, name="ContentDueState")
ContentStatus: TypeAlias = lifecycle.ContentStatus
ContentAction: TypeAlias = lifecycle.Action
ContentType: TypeAlias = DomainContentType
ContentPriority: TypeAlias = DomainPriority
ContentDueState: TypeAlias = timing.DueState


def today(info: Info) -> date:
    return reads.today(info.context.settings.reporting_timezone)


def _batch(
    info: Info,
    name: str,
    fetch: Callable[[list[int]], Awaitable[dict[int, Any]]],
    empty: Any,
) -> DataLoader[int, Any]:
    """A per-request loader built here (some need the viewer)."""
    found = info.context.loaders.get(name)
    if found is None:

        async def load(keys: list[int]) -> list[Any]:
            rows = await fetch(keys)
            return [rows.get(k, empty) for k in keys]

        found = info.context.loaders[name] = DataLoader(load_fn=load)
    return found


@strawberry.type(description="A comment on a content request.")
class ContentComment(Node):
    id: strawberry.ID
    body: str
    created_at: datetime
    _author: strawberry.Private[int | None]

    @strawberry.field
    async def author(self, info: Info) -> User | None:
        return await user_by_key(info, self._author)


def comment_type(row: models.ContentComment) -> ContentComment:
    return ContentComment(
        id=strawberry.ID(ids.encode("ContentComment", row.id)),
        body=row.body,
        created_at=row.created_at,
        _author=row.author_id,
    )


@strawberry.type(description="One change of a request: who, when, from, to, why.")
class ContentHistoryEntry:
    action: str = strawberry.field(
        description="REQUEST, UPDATE, ACCEPT, DECLINE, START, SUBMIT_FOR_REVIEW, "
        "REQUEST_CHANGES, DELIVER, CANCEL, REOPEN or RATE."
    )
    from_status: ContentStatus | None = strawberry.field(name="from")
    to_status: ContentStatus = strawberry.field(name="to")
    comment: str | None
    at: datetime
    _actor: strawberry.Private[int | None]

    @strawberry.field
    async def actor(self, info: Info) -> User | None:
        return await user_by_key(info, self._actor)


def history_type(row: models.ContentHistory) -> ContentHistoryEntry:
    return ContentHistoryEntry(
        action=row.action,
        from_status=ContentStatus(row.from_status) if row.from_status else None,
        to_status=ContentStatus(row.to_status),
        comment=row.comment,
        at=row.at,
        _actor=row.actor_id,
    )


@strawberry.type(description="How useful sales found an asset (1–5).")
class ContentRatings:
    average: float | None
    count: int
    _asset: strawberry.Private[int]

    @strawberry.field(description="The viewer's own rating, if any.")
    async def viewer_rating(self, info: Info) -> int | None:
        actor = info.context.actor
        if actor is None:
            return None

        async def fetch(keys: list[int]) -> dict[int, Any]:
            return await reads.asset_ratings_by(actor.user_id, keys)

        found: int | None = await _batch(info, "content_my_rating", fetch, None).load(
            self._asset
        )
        return found


@strawberry.type(description="A piece of the content library.")
class ContentAsset(Node):
    id: strawberry.ID
    title: str
    url: str = strawberry.field(description="An http or https link.")
    content_type: ContentType
    lead_stages: list[LeadStage]
    ratings: ContentRatings
    created_at: datetime
    _personas: strawberry.Private[list[int]]
    _created_by: strawberry.Private[int | None]

    @strawberry.field
    async def personas(self, info: Info) -> list[Persona]:
        rows = await info.context.loader("agreement").load_many(self._personas)
        return [agreement_type(r) for r in rows if r is not None]  # type: ignore[misc]

    @strawberry.field
    async def created_by(self, info: Info) -> User | None:
        return await user_by_key(info, self._created_by)


def _keys(text: str) -> list[str]:
    return [part for part in text.split(",") if part]


def asset_type(row: models.ContentAsset) -> ContentAsset:
    return ContentAsset(
        id=strawberry.ID(ids.encode("ContentAsset", row.id)),
        title=row.title,
        url=row.url,
        content_type=ContentType(row.content_type),
        lead_stages=[DomainLeadStage(s) for s in _keys(row.lead_stage_keys)],
        ratings=ContentRatings(
            average=row.rating_avg if row.rating_count else None,
            count=row.rating_count,
            _asset=row.id,
        ),
        created_at=row.created_at,
        _personas=[int(k) for k in _keys(row.persona_keys)],
        _created_by=row.created_by_id,
    )


@strawberry.type(description="A request for content, from asking to delivery.")
class ContentRequest(Node):
    id: strawberry.ID
    title: str
    description: str
    content_type: ContentType
    lead_stage: LeadStage | None
    priority: ContentPriority
    requested_due_date: date | None = strawberry.field(
        description="The requester's date."
    )
    committed_due_date: date | None = strawberry.field(
        description="Marketing's commitment, set on acceptance; never merged with "
        "the requested date."
    )
    status: ContentStatus
    votes: int = strawberry.field(description="How many users voted for it.")
    comment_count: int
    rating: int | None = strawberry.field(
        description="The requester's (or a sales manager's) rating of the delivery."
    )
    decline_reason: str | None
    delivered_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int
    _row: strawberry.Private[Any]
    # Filled by `request_types` (a page loads them in one statement each), so
    # the fields resolve without a task per card; otherwise loaded on demand.
    _views: strawberry.Private[dict[str, Any] | None] = None

    @strawberry.field(description="How it stands against the requested date.")
    def requested_due_state(self, info: Info) -> ContentDueState:
        return _judge(info, self._row, self.requested_due_date)

    @strawberry.field(description="How it stands against the committed date.")
    def committed_due_state(self, info: Info) -> ContentDueState:
        return _judge(info, self._row, self.committed_due_date)

    @strawberry.field(description="What the viewer may do to it now.")
    def viewer_actions(self, info: Info) -> list[ContentAction]:
        actor = info.context.actor
        if actor is None:
            return []
        who = lifecycle.ContentActor(
            actor.user_id,
            actor.team,
            actor.role,
            actor.user_id == self._row.requester_id,
        )
        return lifecycle.allowed_actions(self.status, who)

    @strawberry.field(graphql_type=bool)
    def viewer_has_voted(self, info: Info) -> Any:
        if self._views is not None:
            return self._views["voted"]
        actor = info.context.actor
        if actor is None:
            return False
        return _voted(info, actor.user_id).load(self._row.id)

    @strawberry.field(graphql_type=Persona | None)
    def persona(self, info: Info) -> Any:
        if self._views is not None:
            return self._views["persona"]
        return _persona(info, self._row.persona_id)

    @strawberry.field(graphql_type=User | None)
    def requester(self, info: Info) -> Any:
        if self._views is not None:
            return self._views["requester"]
        return user_by_key(info, self._row.requester_id)

    @strawberry.field(graphql_type=User | None)
    def assignee(self, info: Info) -> Any:
        if self._views is not None:
            return self._views["assignee"]
        return user_by_key(info, self._row.assignee_id)

    @strawberry.field
    async def rated_by(self, info: Info) -> User | None:
        return await user_by_key(info, self._row.rated_by_id)

    @strawberry.field(description="The asset that delivered it.")
    async def deliverable(self, info: Info) -> ContentAsset | None:
        if self._row.deliverable_id is None:
            return None
        found = await _batch(info, "content_asset", reads.assets_by_ids, None).load(
            self._row.deliverable_id
        )
        return asset_type(found) if found else None

    @strawberry.field(description="Oldest first.")
    async def comments(self, info: Info) -> list[ContentComment]:
        rows = await _batch(info, "content_comments", reads.comments_of, []).load(
            self._row.id
        )
        return [comment_type(r) for r in rows]

    @strawberry.field(description="Every change, oldest first.")
    async def history(self, info: Info) -> list[ContentHistoryEntry]:
        rows = await _batch(info, "content_history", reads.history_of, []).load(
            self._row.id
        )
        return [history_type(r) for r in rows]

    @strawberry.field(description="Who voted for it.")
    async def voters(self, info: Info) -> list[User]:
        keys = await _batch(info, "content_voters", reads.voters_of, []).load(
            self._row.id
        )
        rows = await info.context.loader("user").load_many(keys)
        return [user_type(r) for r in rows if r is not None]


async def _persona(info: Info, key: int | None) -> Persona | None:
    if key is None:
        return None
    row = await info.context.loader("agreement").load(key)
    return agreement_type(row) if row else None  # type: ignore[return-value]


def _judge(info: Info, row: models.ContentRequest, due: date | None) -> ContentDueState:
    delivered = None
    if row.delivered_at is not None:
        zone = info.context.settings.reporting_timezone
        delivered = timing.local_day(row.delivered_at, zone)
    return timing.judge(
        due, lifecycle.ContentStatus(row.status), delivered, today(info)
    )


def request_type(row: models.ContentRequest) -> ContentRequest:
    return ContentRequest(
        id=strawberry.ID(ids.encode("ContentRequest", row.id)),
        title=row.title,
        description=row.description,
        content_type=ContentType(row.content_type),
        lead_stage=DomainLeadStage(row.lead_stage) if row.lead_stage else None,
        priority=ContentPriority(row.priority),
        requested_due_date=row.requested_due_date,
        committed_due_date=row.committed_due_date,
        status=ContentStatus(row.status),
        votes=row.votes,
        comment_count=row.comments,
        rating=row.rating,
        decline_reason=row.decline_reason,
        delivered_at=row.delivered_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
        _row=row,
    )


async def request_types(
    info: Info, rows: list[models.ContentRequest]
) -> dict[int, ContentRequest]:
    """A page of cards with what they show — people, personas, the viewer's
    votes, delivered assets — loaded in one statement each whatever the page
    size (none when no row has one), and resolved without a task per card."""
    found = {r.id: request_type(r) for r in rows}
    if not rows:
        return found
    people = {k for r in rows for k in (r.requester_id, r.assignee_id) if k}
    persona_keys = {r.persona_id for r in rows if r.persona_id}
    assets = {r.deliverable_id for r in rows if r.deliverable_id}
    users_found = await user_reads.user_records(sorted(people))
    personas = await agreement_reads.agreement_records(sorted(persona_keys))
    if assets:
        loader = _batch(info, "content_asset", reads.assets_by_ids, None)
        loader.prime_many(await reads.assets_by_ids(assets))
    actor = info.context.actor
    voted = await reads.voted_by(actor.user_id, list(found)) if actor else set()
    people_types = {k: user_type(v) for k, v in users_found.items()}
    persona_types = {k: agreement_type(v) for k, v in personas.items()}
    for row in rows:
        found[row.id]._views = {
            "requester": people_types.get(row.requester_id),
            "assignee": people_types.get(row.assignee_id or 0),
            "persona": persona_types.get(row.persona_id or 0),
            "voted": row.id in voted,
        }
    return found


def _voted(info: Info, user_id: int) -> DataLoader[int, bool]:
    async def fetch(keys: list[int]) -> dict[int, Any]:
        return {k: True for k in await reads.voted_by(user_id, keys)}

    return _batch(info, "content_voted", fetch, False)


async def _fetch_requests(context: Context, keys: list[int]) -> dict[int, Any]:
    if context.actor is None:
        return {}
    rows = await reads.requests_by_ids(keys)
    return {k: request_type(v) for k, v in rows.items()}


async def _fetch_assets(context: Context, keys: list[int]) -> dict[int, Any]:
    if context.actor is None:
        return {}
    rows = await reads.assets_by_ids(keys)
    return {k: asset_type(v) for k, v in rows.items()}


NODE_TYPES = {
    "ContentRequest": NodeType(_fetch_requests),
    "ContentAsset": NodeType(_fetch_assets),
}
