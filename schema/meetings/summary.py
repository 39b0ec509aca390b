"""`leadFeedbackSummary(period, groupBy)` (SPEC §2.7): sales' feedback in
aggregate, each group drilling down to its feedback entries."""

from __future__ import annotations

from decimal import Decimal
from typing import TypeAlias

import strawberry

from schema.agreements.kinds import Persona, agreement_type
from schema.context import Info
from schema.core.periods import PeriodInput
from schema.core.permissions import require
from schema.feedback.ratings import LeadFeedback, feedback_type
from schema.metrics.types import ReportPeriod
from schema.people.users import User, user_by_key
from schema.waterfall.types import RejectionReason
from server.domain.feedback import summary as rules
from server.services.core import ids
from server.services.feedback.summary import feedback_entries, feedback_summary
from server.services.metrics import request

strawberry.enum(rules.FeedbackGroupBy, name="FeedbackGroupBy")
FeedbackGroupBy: TypeAlias = rules.FeedbackGroupBy


@strawberry.type
class RatingCount:
    rating: int
    count: int


@strawberry.type
class ReasonCount:
    reason: RejectionReason
    count: int = strawberry.field(
        description="Leads and reps giving it: a rejection and the same rep's "
        "feedback on that lead count once."
    )


@strawberry.type(description="Feedback of one group (or of all, as `total`).")
class FeedbackGroup:
    key: str | None = strawberry.field(
        description="The persona's or rep's global ID, the source, or the model "
        "revision; null for leads without one (and for the total)."
    )
    count: int = strawberry.field(description="Feedback entries.")
    mean_rating: float | None
    distribution: list[RatingCount]
    top_reasons: list[ReasonCount]
    rejections: int = strawberry.field(description="Rejections decided in the period.")
    _group: strawberry.Private[rules.Group]
    _by: strawberry.Private[rules.FeedbackGroupBy]

    @strawberry.field
    async def persona(self, info: Info) -> Persona | None:
        if self._by is not rules.FeedbackGroupBy.PERSONA or self._group.key is None:
            return None
        row = await info.context.loader("agreement").load(self._group.key)
        return agreement_type(row) if row else None  # type: ignore[return-value]

    @strawberry.field
    async def rep(self, info: Info) -> User | None:
        if self._by is not rules.FeedbackGroupBy.REP or self._group.key is None:
            return None
        return await user_by_key(info, int(str(self._group.key)))

    @strawberry.field(description="The feedback entries counted (drill-down).")
    async def entries(self) -> list[LeadFeedback]:
        rows = await feedback_entries(self._group.feedback_ids)
        return [feedback_type(r) for r in rows]


@strawberry.type
class LeadFeedbackSummary:
    period: ReportPeriod
    group_by: FeedbackGroupBy
    total: FeedbackGroup
    groups: list[FeedbackGroup]


def _key(group: rules.Group, by: rules.FeedbackGroupBy) -> str | None:
    if group.key is None:
        return None
    if by is rules.FeedbackGroupBy.PERSONA:
        return ids.encode("Persona", int(str(group.key)))
    if by is rules.FeedbackGroupBy.REP:
        return ids.encode("User", int(str(group.key)))
    return str(group.key)


def group_type(group: rules.Group, by: rules.FeedbackGroupBy) -> FeedbackGroup:
    mean: Decimal | None = group.mean_rating
    return FeedbackGroup(
        key=_key(group, by),
        count=group.count,
        mean_rating=float(mean) if mean is not None else None,
        distribution=[
            RatingCount(rating=r, count=n)
            for r, n in sorted(group.distribution.items())
        ],
        top_reasons=[
            ReasonCount(reason=RejectionReason(r), count=n)
            for r, n in group.top_reasons()
        ],
        rejections=group.rejections,
        _group=group,
        _by=by,
    )


@strawberry.type
class FeedbackQueries:
    @strawberry.field(
        description="Sales' feedback given in the period, grouped: count, mean "
        "rating, distribution and top reasons (rejections decided in the period "
        "add their reason, counted once with the same rep's feedback)."
    )
    async def lead_feedback_summary(
        self,
        info: Info,
        period: PeriodInput,
        group_by: FeedbackGroupBy,
        timezone: str | None = None,
    ) -> LeadFeedbackSummary:
        require(info, "leadFeedbackSummary")
        zone = request.reporting_zone(
            timezone, info.context.settings.reporting_timezone
        )
        read = request.period(period.from_, period.to, zone)
        found = await feedback_summary(read, group_by)
        return LeadFeedbackSummary(
            period=ReportPeriod(from_=read.opens, to=read.closes, timezone=zone.key),
            group_by=group_by,
            total=group_type(found.total, group_by),
            groups=[group_type(g, group_by) for g in found.groups],
        )
