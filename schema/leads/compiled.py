"""The lead reads the compiler answers (`schema.core.compiled`): the `leads`
connection and `node` for a lead, with a lead's persona, owner, activities,
score breakdown, external ids, stage history and amount with its currency.

A lead's plain fields are read from its row with `LEAD_VALUES`, the functions
`lead_type` builds the executor's objects with; the related objects are the
schema's own, built once per row loaded, with the executor's loads (one
statement per field over the page's leads: `Batch`). The later capabilities
add a lead's handoffs, follow-ups and feedback (`server.wiring`).
"""

from __future__ import annotations

from operator import attrgetter, itemgetter
from typing import Any

from schema.context import Context
from schema.core.compiled import (
    Batch,
    Joins,
    PageOf,
    RootNode,
    RootPage,
    RowType,
    ToOne,
    request_of,
)
from schema.core.money import money_in
from schema.core.relay import NODE_TYPES
from schema.leads.types import (
    LEAD_COLUMNS,
    LEAD_VALUES,
    activity_type,
    breakdown_entry,
    external_id_type,
    lead_page,
    stage_change_type,
)
from server.services.agreements import reads as agreement_reads
from server.services.core import ids
from server.services.core.pagination import Page
from server.services.leads import reads as lead_reads
from server.services.leads import scoring as lead_scoring
from server.services.people import reads as user_reads


async def _activities(row: Any, kwargs: dict[str, Any]) -> Page[Any]:
    return await lead_reads.activities_page(row["id"], request_of(kwargs))


async def _leads(
    kwargs: dict[str, Any],
    joins: Joins,
    context: Context,
    columns: frozenset[str] | None,
) -> Page[Any]:
    return await lead_page(**kwargs, joins=joins, columns=columns)


async def _breakdowns(rows: list[Any], context: Context) -> list[Any]:
    found = await lead_scoring.breakdowns([row["id"] for row in rows])
    return [[breakdown_entry(e) for e in found.get(row["id"], [])] for row in rows]


async def _external_ids(rows: list[Any], context: Context) -> list[Any]:
    found = await lead_reads.external_ids([row["id"] for row in rows])
    return [[external_id_type(r) for r in found.get(row["id"], [])] for row in rows]


async def _stage_history(rows: list[Any], context: Context) -> list[Any]:
    found = await lead_reads.stage_history([row["id"] for row in rows])
    return [[stage_change_type(r) for r in found.get(row["id"], [])] for row in rows]


async def _amounts(rows: list[Any], context: Context) -> list[Any]:
    currency = context.settings.currency
    return [money_in(currency, row["amount"]) for row in rows]


def _joined(name: str) -> Any:
    def records(rows: list[Any]) -> Any:
        return lead_reads.joined_records(rows, name)

    return records


TYPES = {
    "Lead": RowType(
        "Lead",
        leaves=LEAD_VALUES,
        columns={
            **LEAD_COLUMNS,
            "persona": ("persona_id",),
            "owner": ("owner_id",),
            "activities": ("id",),
            "score_breakdown": ("id",),
            "external_ids": ("id",),
            "stage_history": ("id",),
            "amount_money": ("amount",),
        },
        relations={
            "persona": ToOne(
                "Persona",
                itemgetter("persona_id"),
                agreement_reads.agreement_records,
                join="persona",
                joined=_joined("persona"),
            ),
            "owner": ToOne(
                "User",
                itemgetter("owner_id"),
                user_reads.user_records,
                "Lead.owner",
                join="owner",
                joined=_joined("owner"),
            ),
            "activities": PageOf("LeadActivity", _activities, "Lead.activities"),
            "score_breakdown": Batch("ScoreBreakdownEntry", _breakdowns),
            "external_ids": Batch("ExternalId", _external_ids),
            "stage_history": Batch("StageChange", _stage_history),
            "amount_money": Batch("Money", _amounts),
        },
    ),
    "ScoreBreakdownEntry": RowType("ScoreBreakdownEntry"),
    "ExternalId": RowType("ExternalId"),
    "Money": RowType("Money"),
    "StageChange": RowType(
        "StageChange",
        relations={
            "actor": ToOne(
                "User",
                attrgetter("_actor"),
                user_reads.user_records,
                "StageChange.actor",
            )
        },
    ),
    "LeadActivity": RowType("LeadActivity", convert=activity_type),
}
ROOTS: dict[str, RootPage | RootNode] = {
    "leads": RootPage("Lead", "leads", _leads, selects=True),
    "node": RootNode(
        "node", ids.decode_any, lambda: NODE_TYPES, {"Lead": lead_reads.leads_by_ids}
    ),
}
