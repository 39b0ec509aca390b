"""Whether the lead review is overdue (SPEC §2.6 `reviewOverdue`).

The last completed LEAD_REVIEW meeting belongs to the meetings capability,
which comes after metrics: it tells this module through `install_last_review`,
called from `server/wiring.py` when the app starts. Until it does, there is no
completed review and the cadence counts from the SLA's first activation, as
SPEC §2.6 says for a company that never held one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from server import db
from server.domain.agreements.lifecycle import AgreementKind
from server.domain.metrics.compliance import review_overdue
from server.services.agreements.store import terms_of
from server.services.metrics.scope import instant

LastReview = Callable[[], Awaitable[datetime | None]]


async def no_review_held() -> datetime | None:
    return None


_last_review: list[LastReview] = [no_review_held]


def install_last_review(reader: LastReview) -> None:
    """Where the completed LEAD_REVIEW meetings are read (the meetings
    capability, through `server/wiring.py`)."""
    _last_review[0] = reader


@dataclass(frozen=True)
class ReviewCadence:
    overdue: bool
    cadence_days: int | None
    last_review_at: datetime | None
    counted_from: datetime | None


async def review_cadence(now: datetime) -> ReviewCadence:
    """Two statements (the SLA in force; the reader's own)."""
    rows = await db.read(
        "SELECT a.terms, MIN(r.activated_at) AS first_active FROM agreement a "
        "JOIN agreement_revision r ON r.agreement_id = a.id "
        "WHERE a.in_force_slot = ? GROUP BY a.id, a.terms",
        AgreementKind.SERVICE_LEVEL_AGREEMENT.value,
    )
    last = await _last_review[0]()
    if not rows:
        return ReviewCadence(False, None, last, None)
    cadence = (terms_of(rows[0]["terms"]) or {}).get("reviewCadenceDays")
    activated = instant(rows[0]["first_active"])
    days = int(cadence) if cadence is not None else None
    return ReviewCadence(
        review_overdue(last, activated, days, now), days, last, last or activated
    )
