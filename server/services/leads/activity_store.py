"""Lead activities as rows: inserted once each, read back to rebuild tallies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from server import db
from server.domain.agreements.activity_kinds import ActivityKind
from server.domain.leads.attributes import Activity
from server.domain.leads.engagement import EngagementState, tally_activities
from server.domain.leads.qualification_model import QualificationModel
from server.models.leads import LeadActivity
from server.services.core import bulk

COLUMNS = (
    "lead_id",
    "kind",
    "occurred_at",
    "dedupe_key",
    "external_id",
    "source",
    "metadata",
    "recorded_at",
)
TYPES = (
    "bigint",
    "varchar",
    "timestamptz",
    "varchar",
    "varchar",
    "varchar",
    "jsonb",
    "timestamptz",
)
_OCCURRED = LeadActivity._meta.fields_map["occurred_at"]


async def insert_new(
    rows: Sequence[Sequence[Any]], *, imported: bool = False
) -> set[tuple[int, str]]:
    """Insert activities (values in `COLUMNS` order) that are not recorded yet;
    the (lead id, dedupe key) of those written. ``imported`` flags them as
    brought in by a historical import."""
    found = await bulk.insert(
        "lead_activity",
        (*COLUMNS, "imported") if imported else COLUMNS,
        [(*row, True) for row in rows] if imported else rows,
        conflict="ON CONFLICT (lead_id, dedupe_key) DO NOTHING",
        returning=("lead_id", "dedupe_key"),
        types=(*TYPES, "boolean") if imported else TYPES,
    )
    return {(int(r["lead_id"]), r["dedupe_key"]) for r in found}


async def activities_of(lead_ids: Sequence[int]) -> dict[int, list[Activity]]:
    keys = sorted(set(lead_ids))
    found: dict[int, list[Activity]] = {key: [] for key in keys}
    for start in range(0, len(keys), bulk.MAX_PARAMS):
        chunk = keys[start : start + bulk.MAX_PARAMS]
        rows = await db.fetch(
            "SELECT lead_id, kind, occurred_at FROM lead_activity "
            f"WHERE lead_id IN ({', '.join('?' for _ in chunk)})",
            *chunk,
        )
        for row in rows:
            found[int(row["lead_id"])].append(
                Activity(
                    ActivityKind(row["kind"]),
                    _OCCURRED.to_python_value(row["occurred_at"]),
                )
            )
    return found


async def tally_from_activities(
    cycles: Mapping[int, datetime | None], model: QualificationModel, now: datetime
) -> dict[int, EngagementState]:
    """Each lead's engagement computed from all its activities in its cycle
    (``cycles`` maps lead ids to the instant their cycle counts after)."""
    found = await activities_of(list(cycles))
    return {
        key: tally_activities(found[key], model, now, counts_after)
        for key, counts_after in cycles.items()
    }
