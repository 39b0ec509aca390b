"""The waterfall's reads the compiler answers (`schema.core.compiled`): the
`handoffs` and `myQueue` connections, `node` for a handoff, a handoff's lead,
people and rejection, and a lead's handoffs and follow-ups.

Handoffs are the schema's own objects, built together for a page
(`handoff_types`: their chains come joined); a lead's handoffs and follow-ups
are one statement each over the page's leads, with the executor's loaders.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from schema.context import Context
from schema.core.compiled import (
    Batch,
    Joins,
    Load,
    RootPage,
    RowType,
    ToOne,
    request_of,
)
from schema.waterfall.types import follow_up_type, handoff_types, handoffs_page
from server.services.core.actors import Actor
from server.services.core.pagination import Page
from server.services.leads import reads as lead_reads
from server.services.people import reads as user_reads
from server.services.waterfall import reads as handoff_reads


def _user(key: str) -> ToOne:
    return ToOne("User", attrgetter(key), user_reads.user_records)


async def _handoff_types(rows: list[Any], context: Context) -> list[Any]:
    return await handoff_types(rows)


async def _rejections(rows: list[Any], context: Context) -> list[Any]:
    return [row.rejection for row in rows]


async def _handoffs_of(rows: list[Any], context: Context) -> list[Any]:
    loader = context.loader("lead_handoffs")
    return list(await loader.load_many([row["id"] for row in rows]))


async def _follow_ups_of(rows: list[Any], context: Context) -> list[Any]:
    loader = context.loader("lead_follow_ups")
    return list(await loader.load_many([row["id"] for row in rows]))


async def _handoffs(
    kwargs: dict[str, Any], joins: Joins, context: Context
) -> Page[Any]:
    return await handoffs_page(
        kwargs.get("filter"), kwargs.get("order_by"), request_of(kwargs)
    )


async def _queue(kwargs: dict[str, Any], joins: Joins, context: Context) -> Page[Any]:
    actor = context.caller
    assert isinstance(actor, Actor)  # the plan checked `myQueue` first
    return await handoff_reads.my_queue(actor.user_id, request_of(kwargs))


TYPES = {
    "Handoff": RowType(
        "Handoff",
        convert_all=_handoff_types,
        relations={
            "lead": ToOne("Lead", attrgetter("_lead"), lead_reads.leads_by_ids),
            "from_user": _user("_from_user"),
            "assignee": _user("_assignee"),
            "decided_by": _user("_decided_by"),
            "rejection": Batch("HandoffRejection", _rejections),
        },
    ),
    "HandoffRejection": RowType("HandoffRejection"),
    "FollowUp": RowType(
        "FollowUp", convert=follow_up_type, relations={"user": _user("_user")}
    ),
}
ROOTS = {
    "handoffs": RootPage("Handoff", "handoffs", _handoffs),
    "myQueue": RootPage("Handoff", "myQueue", _queue),
}
# What the waterfall adds to a lead, and to `node`.
RELATIONS = {
    "Lead": {
        "handoffs": Batch("Handoff", _handoffs_of, "Lead.handoffs"),
        "follow_ups": Batch("FollowUp", _follow_ups_of, "Lead.followUps"),
    }
}
NODES: dict[str, Load] = {
    "Handoff": handoff_reads.handoffs_by_ids,
    "FollowUp": handoff_reads.follow_ups_by_ids,
}
