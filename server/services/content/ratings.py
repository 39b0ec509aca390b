"""`rateContentRequest` and `rateContentAsset` (SPEC §2.8): ratings 1–5, one
per user, edited in place.

Where the spec is silent: rating a delivered request (the requester or a
SALES manager) is also the rater's rating of the asset that delivered it, so
the library's ratings include every delivery's; the request shows the latest
rating given. Assets are rated by sales users (their usefulness in the field);
marketing does not grade its own work.
"""

from __future__ import annotations

from dataclasses import dataclass

from server import db
from server.domain.content.inputs import read_rating
from server.domain.content.lifecycle import Action
from server.domain.core.errors import ErrorCode, refuse
from server.models import ContentAsset, ContentAssetRating, ContentRequest
from server.services.content import store
from server.services.core import ids, mutations
from server.services.core.actors import Actor


async def rate_content_request(
    actor: Actor, key: str, rating: int
) -> mutations.Outcome[ContentRequest]:
    async def body(tx: mutations.Tx) -> ContentRequest:
        request = await store.load_request(key)
        store.allowed(Action.RATE, request, actor)
        stars = store.taken(read_rating(rating))
        request.rating, request.rated_by_id = stars, actor.user_id
        await store.touch(request, tx)
        if request.deliverable_id is not None:
            asset = await _locked_asset(request.deliverable_id)
            await _rate(tx, asset, actor.user_id, stars)
        await store.record(tx, request, Action.RATE, request.status, rating=stars)
        return request

    return await mutations.run(actor, "rateContentRequest", body)


@dataclass(frozen=True)
class Rated:
    asset: ContentAsset
    rating: int


async def rate_content_asset(
    actor: Actor, key: str, rating: int
) -> mutations.Outcome[Rated]:
    async def body(tx: mutations.Tx) -> Rated:
        asset_id = ids.decode(key, "ContentAsset", "assetId")
        if actor.team.value != "SALES" or actor.is_admin:
            raise refuse(ErrorCode.FORBIDDEN, "assets are rated by sales users")
        found = await ContentAsset.filter(id=asset_id).exists()
        if not found:
            raise refuse(ErrorCode.NOT_FOUND, "no such asset", "assetId")
        stars = store.taken(read_rating(rating))
        asset = await _locked_asset(asset_id)
        await _rate(tx, asset, actor.user_id, stars)
        tx.audit("ContentAsset", asset.id, rating=stars)
        return Rated(asset, stars)

    return await mutations.run(actor, "rateContentAsset", body)


async def _locked_asset(key: int) -> ContentAsset:
    query = ContentAsset.filter(id=key)
    if db.dialect() != "sqlite":
        query = query.select_for_update()
    return await query.get()


async def _rate(tx: mutations.Tx, asset: ContentAsset, user: int, stars: int) -> None:
    """One rating per user and asset; the asset's sum, count and mean follow."""
    mine = await ContentAssetRating.get_or_none(asset_id=asset.id, user_id=user)
    if mine is None:
        await ContentAssetRating.create(
            asset_id=asset.id,
            user_id=user,
            rating=stars,
            created_at=tx.now,
            updated_at=tx.now,
        )
        asset.rating_count += 1
        asset.rating_sum += stars
    else:
        asset.rating_sum += stars - mine.rating
        mine.rating, mine.updated_at = stars, tx.now
        await mine.save()
    asset.rating_avg = asset.rating_sum / asset.rating_count
    await asset.save(update_fields=["rating_count", "rating_sum", "rating_avg"])
