"""Sales' feedback in aggregate (SPEC §2.7 `leadFeedbackSummary`). Pure.

Reasons come from two places: the feedback a rep gives on a lead, and the
reason the rep gave when rejecting that lead's handoff. Both say the same
thing once: a reason counts once per lead, rep and reason, whichever of the
two (or both) carries it. Ratings come from feedback only.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from server.domain.feedback.ratings import MAX_RATING, MIN_RATING


class FeedbackGroupBy(StrEnum):
    PERSONA = "PERSONA"
    SOURCE = "SOURCE"
    MODEL_REVISION = "MODEL_REVISION"
    REP = "REP"


@dataclass(frozen=True)
class Given:
    """One feedback entry, with the group it falls in."""

    feedback_id: int
    lead_id: int
    user_id: int
    rating: int
    reasons: Sequence[str]
    group: Hashable


@dataclass(frozen=True)
class Rejected:
    """One rejected handoff's reason, with the group it falls in."""

    lead_id: int
    user_id: int
    reason: str
    group: Hashable


@dataclass
class Group:
    key: Hashable
    count: int = 0
    rating_sum: int = 0
    distribution: dict[int, int] = field(
        default_factory=lambda: dict.fromkeys(range(MIN_RATING, MAX_RATING + 1), 0)
    )
    reasons: dict[str, int] = field(default_factory=dict)
    rejections: int = 0
    feedback_ids: list[int] = field(default_factory=list)

    @property
    def mean_rating(self) -> Decimal | None:
        if not self.count:
            return None
        mean = Decimal(self.rating_sum) / Decimal(self.count)
        return mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def top_reasons(self, limit: int | None = None) -> list[tuple[str, int]]:
        ranked = sorted(self.reasons.items(), key=lambda item: (-item[1], item[0]))
        return ranked[:limit] if limit is not None else ranked


def summarise(
    given: Iterable[Given], rejected: Iterable[Rejected]
) -> tuple[Group, list[Group]]:
    """The whole and each group (largest first, then by key as text)."""
    total = Group(key=None)
    groups: dict[Hashable, Group] = {}
    counted: set[tuple[int, int, str]] = set()

    def mention(group: Group, lead: int, user: int, reason: str) -> None:
        key = (lead, user, reason)
        if key in counted:
            return
        counted.add(key)
        for target in (group, total):
            target.reasons[reason] = target.reasons.get(reason, 0) + 1

    for row in given:
        group = groups.setdefault(row.group, Group(key=row.group))
        for target in (group, total):
            target.count += 1
            target.rating_sum += row.rating
            target.distribution[row.rating] = target.distribution.get(row.rating, 0) + 1
            target.feedback_ids.append(row.feedback_id)
        for reason in dict.fromkeys(row.reasons):
            mention(group, row.lead_id, row.user_id, reason)
    for rejection in rejected:
        group = groups.setdefault(rejection.group, Group(key=rejection.group))
        group.rejections += 1
        total.rejections += 1
        mention(group, rejection.lead_id, rejection.user_id, rejection.reason)
    ordered = sorted(
        groups.values(), key=lambda g: (-g.count, -g.rejections, str(g.key))
    )
    return total, ordered
