"""Reading agreements: lists, the ones in force, and batched loads for a page.

Every batch function takes many agreement keys and runs a fixed number of
statements, so a page costs the same SQL whatever its size.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from server import db
from server.domain.agreements.lifecycle import AgreementKind
from server.models.agreements import (
    Agreement,
    AgreementRevision,
    AgreementSignOff,
    GoalMeasurement,
    PersonaEvidence,
)
from server.services.core import fetched
from server.services.core.pagination import Ordering, Page, PageRequest, paginate

ORDER_FIELDS = {"UPDATED_AT": "updated_at", "TITLE": "title"}


@dataclass(frozen=True)
class RevisionRecord:
    revision: AgreementRevision
    sign_offs: list[AgreementSignOff]


async def list_agreements(
    filter: dict[str, Any], order: str, descending: bool, page: PageRequest
) -> Page[Agreement]:
    """Agreements filtered by kind, status and pending state (lists of values)."""
    query = Agreement.all()
    for key, column in (("kind", "kind"), ("status", "status"), ("pending", "pending")):
        if filter.get(key):
            query = query.filter(**{f"{column}__in": filter[key]})
    ordering = Ordering(
        f"{order}:{'D' if descending else 'A'}", ((ORDER_FIELDS[order], descending),)
    )
    return await paginate(query, ordering, page)


async def agreements_by_ids(
    keys: Iterable[int], kind: AgreementKind | None = None
) -> dict[int, Agreement]:
    query = Agreement.filter(id__in=list(keys))
    if kind is not None:
        query = query.filter(kind=kind.value)
    return {row.id: row for row in await query}


async def live_sign_offs(keys: list[int]) -> dict[int, list[AgreementSignOff]]:
    """Sign-offs on each pending proposal, in signing order."""
    rows = await AgreementSignOff.filter(
        agreement_id__in=keys, live_key__isnull=False
    ).order_by("signed_at", "id")
    return fetched.group_by(rows, lambda s: s.agreement_id)


async def sign_off_history(keys: list[int]) -> dict[int, list[AgreementSignOff]]:
    """Every sign-off ever given, voided and consumed ones included."""
    rows = await AgreementSignOff.filter(agreement_id__in=keys).order_by(
        "signed_at", "id"
    )
    return fetched.group_by(rows, lambda s: s.agreement_id)


async def revisions(keys: list[int]) -> dict[int, list[RevisionRecord]]:
    """Every revision that was in force, oldest first, with its sign-offs."""
    found = await AgreementRevision.filter(agreement_id__in=keys).order_by("number")
    signed = fetched.group_by(
        await AgreementSignOff.filter(revision_id__in=[r.id for r in found]).order_by(
            "signed_at", "id"
        ),
        lambda s: s.revision_id or 0,
    )
    records = [RevisionRecord(r, signed.get(r.id, [])) for r in found]
    return fetched.group_by(records, lambda r: r.revision.agreement_id)


async def evidence(keys: list[int]) -> dict[int, list[PersonaEvidence]]:
    rows = await PersonaEvidence.filter(persona_id__in=keys).order_by("added_at", "id")
    return fetched.group_by(rows, lambda e: e.persona_id)


async def latest_measurements(keys: list[int]) -> dict[int, GoalMeasurement]:
    """Each goal's latest measurement (by ``as_of``, then by recording order)."""
    if not keys:
        return {}
    marks = ", ".join("?" for _ in keys)
    rows = await db.fetch(
        "SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY goal_id "
        "ORDER BY as_of DESC, id DESC) AS n FROM goal_measurement "
        f"WHERE goal_id IN ({marks})) AS ranked WHERE n = 1",
        *keys,
    )
    found = await GoalMeasurement.filter(id__in=[r["id"] for r in rows])
    return {m.goal_id: m for m in found}


async def agreement_records(keys: list[int]) -> dict[int, Any]:
    """Agreements read for display (attribute access like `Agreement`), one
    statement and no model objects: a page's personas."""
    if not keys:
        return {}
    rows = await db.fetch(
        f"SELECT * FROM agreement WHERE id IN ({', '.join('?' for _ in keys)})",
        *keys,
    )
    return fetched.records(Agreement, rows)
