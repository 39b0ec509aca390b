"""`leadFeedbackSummary` (SPEC §2.7): sales' lead-quality feedback given in a
period, grouped by the lead's persona, source, qualification-model revision
or the rep, with the reasons of the rejections decided in the period counted
once beside it (`server.domain.feedback.summary`).

Where the spec is silent: feedback counts in the period it was first given
(``created_at``; an edit keeps it there), a rejection in the period it was
decided; persona, source and model revision are the lead's now. Two
statements whatever the data; the grouping runs over the period's rows only
(feedback is typed by people, so a period holds few of them).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from server import db
from server.domain.core.instants import as_utc
from server.domain.core.periods import Period
from server.domain.feedback.summary import (
    FeedbackGroupBy,
    Given,
    Group,
    Rejected,
    summarise,
)
from server.models.feedback import LeadFeedback

LEAD_COLUMNS = {
    FeedbackGroupBy.PERSONA: "l.persona_id",
    FeedbackGroupBy.SOURCE: "l.source",
    FeedbackGroupBy.MODEL_REVISION: "l.qualified_under",
}


@dataclass(frozen=True)
class Summary:
    period: Period
    group_by: FeedbackGroupBy
    total: Group
    groups: list[Group]


def _group_column(group_by: FeedbackGroupBy, rep_column: str) -> str:
    return LEAD_COLUMNS.get(group_by, rep_column)


async def feedback_summary(period: Period, group_by: FeedbackGroupBy) -> Summary:
    opens, closes = as_utc(period.opens), as_utc(period.closes)
    given_rows = await db.fetch(
        "SELECT f.id, f.lead_id, f.user_id, f.rating, f.reasons, "
        f"{_group_column(group_by, 'f.user_id')} AS grp "
        "FROM lead_feedback f JOIN lead l ON l.id = f.lead_id "
        "WHERE f.created_at >= ? AND f.created_at < ? ORDER BY f.id",
        opens,
        closes,
    )
    rejected_rows = await db.fetch(
        "SELECT h.lead_id, h.decided_by_id, h.rejection_reason, "
        f"{_group_column(group_by, 'h.decided_by_id')} AS grp "
        "FROM handoff h JOIN lead l ON l.id = h.lead_id "
        "WHERE h.status = 'REJECTED' AND h.decided_at >= ? AND h.decided_at < ? "
        "AND h.decided_by_id IS NOT NULL AND h.rejection_reason IS NOT NULL "
        "ORDER BY h.id",
        opens,
        closes,
    )
    total, groups = summarise(
        (_given(r) for r in given_rows), (_rejected(r) for r in rejected_rows)
    )
    return Summary(period, group_by, total, groups)


def _key(raw: Any) -> Hashable:
    return raw if raw is None or isinstance(raw, (int, str)) else str(raw)


def _given(row: Mapping[str, Any]) -> Given:
    reasons = row["reasons"]
    if isinstance(reasons, (str, bytes)):
        reasons = orjson.loads(reasons)
    return Given(
        int(row["id"]),
        int(row["lead_id"]),
        int(row["user_id"]),
        int(row["rating"]),
        tuple(str(r) for r in reasons or ()),
        _key(row["grp"]),
    )


def _rejected(row: Mapping[str, Any]) -> Rejected:
    return Rejected(
        int(row["lead_id"]),
        int(row["decided_by_id"]),
        str(row["rejection_reason"]),
        _key(row["grp"]),
    )


async def feedback_entries(keys: Sequence[int]) -> list[LeadFeedback]:
    """A group's entries, in the order given (one statement)."""
    rows = {r.id: r for r in await LeadFeedback.filter(id__in=list(keys))}
    return [rows[k] for k in keys if k in rows]
