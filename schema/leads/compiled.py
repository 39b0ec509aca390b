"""The lead reads the compiler answers (`schema.core.compiled`): the `leads`
connection and `node` for a lead, with a lead's persona, owner and activities.

A lead's plain fields are read from its row with `LEAD_VALUES`, the functions
`lead_type` builds the executor's objects with; personas, owners and
activities are the schema's own objects, built once per row loaded.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from schema.agreements.kinds import agreement_type
from schema.core.compiled import NotCompiled, PageOf, RootNode, RootPage, RowType, ToOne
from schema.core.relay import NODE_TYPES, page_request
from schema.leads.types import LEAD_VALUES, activity_type, lead_page
from schema.people.users import user_type
from server.domain.agreements.lifecycle import AgreementKind
from server.services.agreements import reads as agreement_reads
from server.services.core import ids
from server.services.core.pagination import Page
from server.services.leads import reads as lead_reads
from server.services.people import reads as user_reads


def _persona(row: Any) -> Any:
    if row.kind != AgreementKind.PERSONA.value:
        raise NotCompiled("a lead's persona is not a persona")
    return agreement_type(row)


async def _activities(row: Any, kwargs: dict[str, Any]) -> Page[Any]:
    request = page_request(
        kwargs.get("first"),
        kwargs.get("after"),
        kwargs.get("last"),
        kwargs.get("before"),
    )
    return await lead_reads.activities_page(row["id"], request)


async def _leads(kwargs: dict[str, Any], joins: frozenset[str]) -> Page[Any]:
    return await lead_page(**kwargs, joins=joins)


def _joined(name: str) -> Any:
    def records(rows: list[Any]) -> Any:
        return lead_reads.joined_records(rows, name)

    return records


async def _leads_by_ids(keys: list[int]) -> Any:
    return await lead_reads.leads_by_ids(keys)


TYPES = {
    "Lead": RowType(
        "Lead",
        leaves=LEAD_VALUES,
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
        },
    ),
    "Persona": RowType("Persona", convert=_persona),
    "User": RowType("User", convert=user_type),
    "LeadActivity": RowType("LeadActivity", convert=activity_type),
}
ROOTS: dict[str, RootPage | RootNode] = {
    "leads": RootPage("Lead", "leads", _leads),
    "node": RootNode(
        "node", ids.decode_any, lambda: NODE_TYPES, {"Lead": _leads_by_ids}
    ),
}
