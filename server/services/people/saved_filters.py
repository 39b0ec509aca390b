"""Saved filters (SPEC §2.3): each user's named filters per list screen.

`save_filter` and `delete_saved_filter` run through the mutation path (one
transaction, audited; no outbox event: a saved filter is the user's own view
of a list, nothing anyone else reacts to). Saving locks the user's row first,
so two saves at once (same name or the 50th filter) are decided one after the
other: the second replaces the first's contents, or is refused over the limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from server.domain.core.errors import ErrorCode, UserErrors, refuse
from server.domain.people.saved_filters import MAX_PER_SCREEN, check_saved_filter
from server.models.people import SavedFilter, User
from server.services.core import ids, mutations
from server.services.core.actors import Actor


@dataclass(frozen=True)
class SavedFilterRow:
    """A saved filter as the schema shows it."""

    key: int
    screen: str
    name: str
    filter: dict[str, Any]
    created_at: datetime
    updated_at: datetime


def _row(model: SavedFilter) -> SavedFilterRow:
    return SavedFilterRow(
        key=model.id,
        screen=model.screen,
        name=model.name,
        filter=dict(model.criteria or {}),
        created_at=model.created_at,
        updated_at=model.updated_at,
    )


async def saved_filters(user_id: int, screen: str) -> list[SavedFilterRow]:
    """The user's filters for one screen, by name (one statement)."""
    rows = await SavedFilter.filter(user_id=user_id, screen=screen).order_by(
        "name", "id"
    )
    return [_row(r) for r in rows]


async def saved_filters_by_ids(
    user_id: int, keys: list[int]
) -> dict[int, SavedFilterRow]:
    """The user's own filters among ``keys`` (others' are not found)."""
    rows = await SavedFilter.filter(user_id=user_id, id__in=keys)
    return {r.id: _row(r) for r in rows}


async def save_filter(
    actor: Actor, screen: str, name: str, filter_: Any
) -> mutations.Outcome[SavedFilterRow]:
    async def body(tx: mutations.Tx) -> SavedFilterRow:
        errors = check_saved_filter(screen, name, filter_)
        if errors:
            raise UserErrors(errors)
        clean = name.strip()
        await User.filter(id=actor.user_id).select_for_update().get()
        found = await SavedFilter.filter(
            user_id=actor.user_id, screen=screen, name=clean
        ).first()
        if found is None:
            count = await SavedFilter.filter(
                user_id=actor.user_id, screen=screen
            ).count()
            if count >= MAX_PER_SCREEN:
                raise refuse(
                    ErrorCode.LIMIT_EXCEEDED,
                    f"at most {MAX_PER_SCREEN} saved filters per screen; "
                    "delete one first",
                    "name",
                )
            found = await SavedFilter.create(
                user_id=actor.user_id,
                screen=screen,
                name=clean,
                criteria=filter_,
                created_at=tx.now,
                updated_at=tx.now,
            )
            replaced = False
        else:
            found.criteria = filter_
            found.updated_at = tx.now
            await found.save(update_fields=["criteria", "updated_at"])
            replaced = True
        tx.audit(
            "SavedFilter",
            found.id,
            screen=screen,
            name=clean,
            filter=filter_,
            replaced=replaced,
        )
        return _row(found)

    return await mutations.run(actor, "saveFilter", body)


async def delete_saved_filter(actor: Actor, filter_id: str) -> mutations.Outcome[str]:
    async def body(tx: mutations.Tx) -> str:
        key = ids.decode(filter_id, "SavedFilter", "id")
        found = await SavedFilter.filter(id=key, user_id=actor.user_id).first()
        if found is None:
            raise refuse(ErrorCode.NOT_FOUND, "no such saved filter of yours", "id")
        await found.delete()
        tx.audit("SavedFilter", key, screen=found.screen, name=found.name)
        return filter_id

    return await mutations.run(actor, "deleteSavedFilter", body)
