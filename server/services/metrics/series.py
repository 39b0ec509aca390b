"""`metricSeries`: one figure of the dashboard per bucket of a period, each
point with its drill-down. One statement per series."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from server import db
from server.clock import clock
from server.domain.core.errors import InvalidArguments
from server.domain.core.periods import Period
from server.domain.metrics.series import Interval, TooManyBuckets, bucket_case, buckets
from server.services.metrics import chains, qualified
from server.services.metrics.drill import Drills, Filter
from server.services.metrics.scope import Scope, number


class SeriesMetric(StrEnum):
    QUALIFIED_LEADS = "QUALIFIED_LEADS"
    DELIVERED = "DELIVERED"
    DELIVERED_MANUAL = "DELIVERED_MANUAL"
    HANDOFFS = "HANDOFFS"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"


@dataclass(frozen=True)
class Point:
    period: Period
    count: int
    leads: Filter | None
    handoffs: Filter | None


# Per metric: the table, its time column, what is counted; the same
# definitions as the dashboard's (`qualified`, `chains`).
_AUTO = "c.qualified_by IN ('ACTIVITY', 'MODEL_CHANGE')"
_COUNTS = {
    SeriesMetric.QUALIFIED_LEADS: "COUNT(DISTINCT sc.lead_id)",
    SeriesMetric.DELIVERED: "COUNT(DISTINCT CASE WHEN c.withdrawn_at IS NULL "
    f"AND {_AUTO} THEN c.lead_id END)",
    SeriesMetric.DELIVERED_MANUAL: "COUNT(DISTINCT CASE WHEN c.withdrawn_at IS NULL "
    f"AND NOT ({_AUTO} AND c.qualified_by IS NOT NULL) THEN c.lead_id END)",
    SeriesMetric.HANDOFFS: "COUNT(*)",
    SeriesMetric.ACCEPTED: "SUM(CASE WHEN c.decision = 'ACCEPTED' THEN 1 ELSE 0 END)",
    SeriesMetric.REJECTED: "SUM(CASE WHEN c.decision = 'REJECTED' THEN 1 ELSE 0 END)",
}


def _drill(metric: SeriesMetric, scope: Scope) -> tuple[Filter | None, Filter | None]:
    d = Drills(scope)
    if metric is SeriesMetric.QUALIFIED_LEADS:
        return d.qualified(), None
    if metric is SeriesMetric.DELIVERED:
        return d.delivered(False), None
    if metric is SeriesMetric.DELIVERED_MANUAL:
        return d.delivered(True), None
    outcome = {SeriesMetric.ACCEPTED: "ACCEPTED", SeriesMetric.REJECTED: "REJECTED"}
    if metric in outcome:
        return None, d.chains(chainOutcomes=[outcome[metric]])
    return None, d.chains()


async def metric_series(
    metric: SeriesMetric,
    period: Period,
    interval: Interval,
    zone: ZoneInfo,
    persona_id: int | None = None,
    now: datetime | None = None,
) -> list[Point]:
    try:
        cuts = buckets(period, interval, zone)
    except TooManyBuckets as problem:
        raise InvalidArguments(f"metricSeries: {problem}; widen the interval") from None
    scope = Scope(period, persona_id, zone, now or clock.now())
    if metric is SeriesMetric.QUALIFIED_LEADS:
        where, params = qualified.conditions(scope)
        table, column = "stage_change sc", "sc.at"
    else:
        where, params = chains.conditions(scope)
        table, column = "handoff_chain c", "c.started_at"
    case, ends = bucket_case(column, [b.closes for b in cuts])
    rows = await db.read(
        f"SELECT {case} AS bucket, {_COUNTS[metric]} AS n "
        f"FROM {table} WHERE {where} GROUP BY 1",
        *ends,
        *params,
    )
    counts = {number(r["bucket"]): number(r["n"]) for r in rows}
    points = []
    for i, bucket in enumerate(cuts):
        leads, handoffs = _drill(metric, Scope(bucket, persona_id, zone, scope.now))
        points.append(Point(bucket, counts.get(i, 0), leads, handoffs))
    return points
