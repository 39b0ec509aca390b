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
    return today_in(info.context)


def today_in(context: Context) -> date:
    return reads.today(context.settings.reporting_timezone)


def _batch(
    context: Context,
    name: str,
    fetch: Callable[[list[int]], Awaitable[dict[int, Any]]],
    empty: Any,
) -> DataLoader[int, Any]:
    """A per-request loader built here (some need the viewer)."""
    found = context.loaders.get(name)
    if found is None:

        async def load(keys: list[int]) -> list[Any]:
            rows = await fetch(keys)
            return [rows.get(k, empty) for k in keys]

        found = context.loaders[name] = DataLoader(load_fn=load)
    return found


class _Later:
    """A relation read only when a query asks for it: awaiting it calls
    ``load(*args)``. A card's relations are plain attributes (no resolver, so
    a 300-card board does not pay a resolver call per card and field); a page
    fills them with values, a lone card with these."""

    __slots__ = ("_args", "_load")

    def __init__(self, load: Callable[..., Awaitable[Any]], *args: Any) -> None:
        self._load, self._args = load, args

    def __await__(self) -> Any:
        return self._load(*self._args).__await__()


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

        found: int | None = await _batch(
            info.context, "content_my_rating", fetch, None
        ).load(self._asset)
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


def _requested_due_state(root: ContentRequest, info: Info) -> ContentDueState:
    return due_state(info.context, root._row, root.requested_due_date)


def _committed_due_state(root: ContentRequest, info: Info) -> ContentDueState:
    return due_state(info.context, root._row, root.committed_due_date)


def _viewer_actions(root: ContentRequest, info: Info) -> list[ContentAction]:
    return viewer_actions(info.context, root)


def viewer_actions(context: Context, root: ContentRequest) -> list[ContentAction]:
    """`ContentRequest.viewerActions` (also `schema.content.compiled`)."""
    actor = context.actor
    if actor is None:
        return []
    who = lifecycle.ContentActor(
        actor.user_id,
        actor.team,
        actor.role,
        actor.user_id == root._row.requester_id,
    )
    return lifecycle.allowed_actions(root.status, who)


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

    # Declared in this order (not as methods) so the schema reads as before.
    requested_due_state: ContentDueState = strawberry.field(
        resolver=_requested_due_state,
        description="How it stands against the requested date.",
    )
    committed_due_state: ContentDueState = strawberry.field(
        resolver=_committed_due_state,
        description="How it stands against the committed date.",
    )
    viewer_actions: list[ContentAction] = strawberry.field(
        resolver=_viewer_actions, description="What the viewer may do to it now."
    )
    # Plain attributes: values on a page's cards, `_Later` on a lone card.
    viewer_has_voted: Any = strawberry.field(graphql_type=bool)
    persona: Any = strawberry.field(graphql_type=Persona | None)
    requester: Any = strawberry.field(graphql_type=User | None)
    assignee: Any = strawberry.field(graphql_type=User | None)

    @strawberry.field
    async def rated_by(self, info: Info) -> User | None:
        return await user_by_key(info, self._row.rated_by_id)

    @strawberry.field(description="The asset that delivered it.")
    async def deliverable(self, info: Info) -> ContentAsset | None:
        if self._row.deliverable_id is None:
            return None
        found = await _batch(
            info.context, "content_asset", reads.assets_by_ids, None
        ).load(self._row.deliverable_id)
        return asset_type(found) if found else None

    @strawberry.field(description="Oldest first.")
    async def comments(self, info: Info) -> list[ContentComment]:
        rows = await _batch(
            info.context, "content_comments", reads.comments_of, []
        ).load(self._row.id)
        return [comment_type(r) for r in rows]

    @strawberry.field(description="Every change, oldest first.")
    async def history(self, info: Info) -> list[ContentHistoryEntry]:
        rows = await _batch(info.context, "content_history", reads.history_of, []).load(
            self._row.id
        )
        return [history_type(r) for r in rows]

    @strawberry.field(description="Who voted for it.")
    async def voters(self, info: Info) -> list[User]:
        keys = await _batch(info.context, "content_voters", reads.voters_of, []).load(
            self._row.id
        )
        rows = await info.context.loader("user").load_many(keys)
        return [user_type(r) for r in rows if r is not None]


async def _persona(context: Context, key: int) -> Persona | None:
    row = await context.loader("agreement").load(key)
    return agreement_type(row) if row else None  # type: ignore[return-value]


async def _user(context: Context, key: int) -> User | None:
    row = await context.loader("user").load(key)
    return user_type(row) if row else None


def due_state(
    context: Context, row: models.ContentRequest, due: date | None
) -> ContentDueState:
    """How a request stands against a due date (also `schema.content.compiled`)."""
    delivered = None
    if row.delivered_at is not None:
        zone = context.settings.reporting_timezone
        delivered = timing.local_day(row.delivered_at, zone)
    return timing.judge(
        due, lifecycle.ContentStatus(row.status), delivered, today_in(context)
    )


def request_type(
    row: models.ContentRequest, context: Context, views: dict[str, Any] | None = None
) -> ContentRequest:
    """A card; its relations come from ``views`` (a page's, loaded in one
    statement each) or are loaded when asked for."""
    if views is None:
        actor = context.actor
        views = {
            "voted": _Later(_voted(context, actor.user_id).load, row.id)
            if actor is not None
            else False,
            "persona": _Later(_persona, context, row.persona_id)
            if row.persona_id is not None
            else None,
            "requester": _Later(_user, context, row.requester_id)
            if row.requester_id is not None
            else None,
            "assignee": _Later(_user, context, row.assignee_id)
            if row.assignee_id is not None
            else None,
        }
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
        viewer_has_voted=views["voted"],
        persona=views["persona"],
        requester=views["requester"],
        assignee=views["assignee"],
        _row=row,
    )


async def request_types(
    info: Info, rows: list[models.ContentRequest]
) -> dict[int, ContentRequest]:
    """A page of cards with what they show — people, personas, the viewer's
    votes, delivered assets — loaded in one statement each whatever the page
    size (none when no row has one), as plain attribute values."""
    return await cards_of(info.context, rows)


async def cards_of(
    context: Context, rows: list[models.ContentRequest]
) -> dict[int, ContentRequest]:
    """`request_types` (also `schema.content.compiled`)."""
    if not rows:
        return {}
    people = {k for r in rows for k in (r.requester_id, r.assignee_id) if k}
    persona_keys = {r.persona_id for r in rows if r.persona_id}
    assets = {r.deliverable_id for r in rows if r.deliverable_id}
    users_found = await user_reads.user_records(sorted(people))
    personas = await agreement_reads.agreement_records(sorted(persona_keys))
    if assets:
        loader = _batch(context, "content_asset", reads.assets_by_ids, None)
        loader.prime_many(await reads.assets_by_ids(assets))
    actor = context.actor
    keys = [r.id for r in rows]
    voted = await reads.voted_by(actor.user_id, keys) if actor else set()
    people_types = {k: user_type(v) for k, v in users_found.items()}
    persona_types = {k: agreement_type(v) for k, v in personas.items()}
    return {
        row.id: request_type(
            row,
            context,
            {
                "requester": people_types.get(row.requester_id),
                "assignee": people_types.get(row.assignee_id or 0),
                "persona": persona_types.get(row.persona_id or 0),
                "voted": row.id in voted,
            },
        )
        for row in rows
    }


def _voted(context: Context, user_id: int) -> DataLoader[int, bool]:
    async def fetch(keys: list[int]) -> dict[int, Any]:
        return {k: True for k in await reads.voted_by(user_id, keys)}

    return _batch(context, "content_voted", fetch, False)


async def _fetch_requests(context: Context, keys: list[int]) -> dict[int, Any]:
    if context.actor is None:
        return {}
    rows = await reads.requests_by_ids(keys)
    return {k: request_type(v, context) for k, v in rows.items()}


async def _fetch_assets(context: Context, keys: list[int]) -> dict[int, Any]:
    if context.actor is None:
        return {}
    rows = await reads.assets_by_ids(keys)
    return {k: asset_type(v) for k, v in rows.items()}


NODE_TYPES = {
    "ContentRequest": NodeType(_fetch_requests),
    "ContentAsset": NodeType(_fetch_assets),
}
