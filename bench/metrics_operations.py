"""The dashboard and the qualification model report (issue 22), over the
seeded leads and their stage changes.

- ``dashboard``: the whole dashboard of the 90 days to the seeded instant
  (`Sizes.now`), read in UTC. The server computes every figure whatever the
  document selects (`server.services.metrics.dashboard`, a fixed number of
  statements); the document selects the figures the floor checks: qualified
  leads, the funnel at the period's end, conversion out of MQL, and the handoff
  counts. The floor is the raw SQL for those aggregates.
- ``qualificationModelReport``: the same period, every group; its floor groups
  the leads with a chain of the period by band and grade in one statement.

- ``metricSeries``: handoffs (chains started) per UTC day over the 365 days
  to the seeded instant's day; the floor fetches the chains' start instants
  and the check buckets them.
- ``simulateQualificationModel``: the model in force with its threshold lowered
  by 5, over every lead; the check compares the leads scored and the outcomes
  (accepted or won, only rejected) with raw SQL. Seconds a request: timed at
  one connection for at least 30 s.

The handoff chains are `bench.handoff_data`'s (30,000 by default).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

from bench.datasets import Caller, Sizes
from bench.operation import Operation, Rows, Sample
from server.domain.leads.fit import Grade
from server.domain.leads.stages import LeadStage
from server.domain.metrics.model_report import BANDS, band_case

DAYS = 90


def period_of(sizes: Sizes) -> tuple[dict[str, str], datetime, datetime]:
    """The 90 local (UTC) days ending with the seeded instant's day."""
    last = sizes.now.astimezone(UTC).date() + timedelta(days=1)
    first = last - timedelta(days=DAYS)
    opens = datetime(first.year, first.month, first.day, tzinfo=UTC)
    closes = datetime(last.year, last.month, last.day, tzinfo=UTC)
    return {"from": first.isoformat(), "to": last.isoformat()}, opens, closes


DASHBOARD = """
query Dashboard($period: PeriodInput!) {
  dashboard(period: $period, timezone: "UTC") {
    qualifiedLeads { count }
    handoffs { count } accepted { count } rejected { count } acceptanceRate
    autoAccepted { count } deliveredManual { count }
    funnel { stage count }
    conversion { stage entered { count } advanced { count } }
  }
}
"""
SPINE = ("MQL", "SAL", "SQL", "OPPORTUNITY", "WON")
_SPINE_IN = ", ".join(f"'{s}'" for s in SPINE)
_LATER_FLAGS = ", ".join(
    f"MAX(CASE WHEN to_stage = '{s}' THEN 1 ELSE 0 END) OVER later AS later_{s}"
    for s in SPINE[1:]
)
_REACHED = " OR ".join(
    f"(to_stage = '{a}' AND later_{b} = 1)" for a, b in pairwise(SPINE)
)
DASHBOARD_SQL = (
    # qualifications recorded in the period
    "SELECT COUNT(DISTINCT lead_id) AS n FROM stage_change WHERE to_stage = 'MQL' "
    "AND via IN ('QUALIFICATION', 'MANUAL_QUALIFICATION') AND at >= ? AND at < ?",
    # chains created in the period and their decisions
    "SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN decision = 'ACCEPTED' THEN 1 "
    "ELSE 0 END), 0) AS accepted, COALESCE(SUM(CASE WHEN decision = 'REJECTED' "
    "THEN 1 ELSE 0 END), 0) AS rejected, "
    "COALESCE(SUM(CASE WHEN auto_accepted THEN 1 ELSE 0 END), 0) AS auto, "
    "COUNT(DISTINCT CASE WHEN withdrawn_at IS NULL AND (qualified_by IS NULL OR "
    "qualified_by = 'MANUAL') THEN lead_id END) AS manual "
    "FROM handoff_chain WHERE started_at >= ? AND started_at < ?",
    # each lead's stage at the period's end: its last change before it, the one
    # no later change of the lead follows (window functions: independent of the
    # server's DISTINCT ON / MAX, and of its lookups)
    "SELECT to_stage AS stage, COUNT(*) AS n FROM (SELECT to_stage, LEAD(id) "
    "OVER (PARTITION BY lead_id ORDER BY at, id) AS following FROM stage_change "
    "WHERE at < ?) t WHERE following IS NULL GROUP BY to_stage",
    # of the leads entering a spine stage in the period, those that reached the
    # next one later: each spine move flagged with the stages its lead moved to
    # after it (a window over the lead's later moves, not a join)
    "SELECT to_stage AS stage, COUNT(DISTINCT lead_id) AS entered, "
    f"COUNT(DISTINCT CASE WHEN {_REACHED} THEN lead_id END) AS advanced "
    f"FROM (SELECT lead_id, to_stage, at, {_LATER_FLAGS} FROM stage_change "
    f"WHERE to_stage IN ({_SPINE_IN}) WINDOW later AS (PARTITION BY lead_id "
    "ORDER BY at DESC, id DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) t "
    "WHERE to_stage IN ('MQL', 'SAL', 'SQL', 'OPPORTUNITY') AND at >= ? AND at < ? "
    "GROUP BY to_stage",
)


def dashboard_samples(callers: list[Caller], sizes: Sizes) -> list[Sample]:
    period, opens, closes = period_of(sizes)
    params = ((opens, closes), (opens, closes), (closes,), (opens, closes))
    return [Sample(c, {"period": period}, params) for c in callers]


def _ratio(numerator: int, denominator: int) -> float | None:
    return None if not denominator else round(numerator / denominator, 6)


def dashboard_expected(rows: list[Rows], sample: Sample) -> dict[str, Any]:
    (qualified,), (chains,) = rows[0], rows[1]
    at_end = {str(r["stage"]): int(r["n"]) for r in rows[2]}
    entered = {str(r["stage"]): r for r in rows[3]}
    accepted, rejected = int(chains["accepted"]), int(chains["rejected"])
    return {
        "dashboard": {
            "qualifiedLeads": {"count": int(qualified["n"])},
            "handoffs": {"count": int(chains["n"])},
            "accepted": {"count": accepted},
            "rejected": {"count": rejected},
            "acceptanceRate": _ratio(accepted, accepted + rejected),
            "autoAccepted": {"count": int(chains["auto"])},
            "deliveredManual": {"count": int(chains["manual"])},
            "funnel": [
                {"stage": s.value, "count": at_end.get(s.value, 0)} for s in LeadStage
            ],
            "conversion": [
                {
                    "stage": stage,
                    "entered": {"count": int(entered[stage]["entered"])}
                    if stage in entered
                    else {"count": 0},
                    "advanced": {"count": int(entered[stage]["advanced"])}
                    if stage in entered
                    else {"count": 0},
                }
                for stage in SPINE[:-1]
            ],
        }
    }


MODEL_REPORT = """
query ModelReport($period: PeriodInput!) {
  qualificationModelReport(period: $period, timezone: "UTC") {
    total { leads { count } accepted { count } rejected { count } won { count } }
    byBand { label leads { count } accepted { count } won { count } }
    byGrade { grade leads { count } rejected { count } }
    ungraded
  }
}
"""
_HANDED = (
    "EXISTS (SELECT 1 FROM handoff_chain c WHERE c.lead_id = l.id AND "
    "c.withdrawn_at IS NULL AND c.started_at >= ? AND c.started_at < ?{})"
)
_ACCEPTED = _HANDED.format(" AND c.decision = 'ACCEPTED'")
_REJECTED = _HANDED.format(" AND c.decision = 'REJECTED'")
MODEL_REPORT_SQL = (
    f"SELECT {band_case('l.score')} AS band, l.grade AS grade, COUNT(*) AS leads, "
    f"SUM(CASE WHEN {_ACCEPTED} THEN 1 ELSE 0 END) AS accepted, "
    f"SUM(CASE WHEN {_REJECTED} THEN 1 ELSE 0 END) AS rejected, "
    "SUM(CASE WHEN l.stage = 'WON' THEN 1 ELSE 0 END) AS won "
    f"FROM lead l WHERE {_HANDED.format('')} "
    f"GROUP BY {band_case('l.score')}, l.grade",
)


def model_report_samples(callers: list[Caller], sizes: Sizes) -> list[Sample]:
    period, opens, closes = period_of(sizes)
    params = ((opens, closes, opens, closes, opens, closes),)
    return [Sample(c, {"period": period}, params) for c in callers]


def model_report_expected(rows: list[Rows], sample: Sample) -> dict[str, Any]:
    names = ("leads", "accepted", "rejected", "won")
    total = dict.fromkeys(names, 0)
    bands = {b.index: dict.fromkeys(names, 0) for b in BANDS}
    grades = {g.value: dict.fromkeys(names, 0) for g in Grade}
    ungraded = 0
    for row in rows[0]:
        for name in names:
            n = int(row[name] or 0)
            total[name] += n
            bands[int(row["band"])][name] += n
            if row["grade"] is not None:
                grades[str(row["grade"])][name] += n
        if row["grade"] is None:
            ungraded += int(row["leads"])

    def counts(found: dict[str, int], *wanted: str) -> dict[str, Any]:
        return {name: {"count": found[name]} for name in wanted}

    return {
        "qualificationModelReport": {
            "total": counts(total, *names),
            "byBand": [
                {"label": b.label, **counts(bands[b.index], "leads", "accepted", "won")}
                for b in BANDS
            ],
            "byGrade": [
                {"grade": g.value, **counts(grades[g.value], "leads", "rejected")}
                for g in Grade
            ],
            "ungraded": ungraded,
        }
    }


SERIES_DAYS = 365
SERIES = """
query Series($period: PeriodInput!) {
  metricSeries(metric: HANDOFFS, period: $period, interval: DAY, timezone: "UTC") {
    from to count
  }
}
"""
SERIES_SQL = (
    "SELECT started_at FROM handoff_chain WHERE started_at >= ? AND started_at < ?",
)


def _instant(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def series_samples(callers: list[Caller], sizes: Sizes) -> list[Sample]:
    last = sizes.now.astimezone(UTC).date() + timedelta(days=1)
    first = last - timedelta(days=SERIES_DAYS)
    opens = datetime(first.year, first.month, first.day, tzinfo=UTC)
    closes = datetime(last.year, last.month, last.day, tzinfo=UTC)
    period = {"from": first.isoformat(), "to": last.isoformat()}
    return [Sample(c, {"period": period}, ((opens, closes),)) for c in callers]


def series_expected(rows: list[Rows], sample: Sample) -> dict[str, Any]:
    first = datetime.fromisoformat(sample.variables["period"]["from"])
    opens = first.replace(tzinfo=UTC)
    counts = [0] * SERIES_DAYS
    for row in rows[0]:
        counts[(_instant(row["started_at"]) - opens).days] += 1
    points = []
    for n, count in enumerate(counts):
        start = opens + timedelta(days=n)
        end = start + timedelta(days=1)
        points.append(
            {"from": start.isoformat(), "to": end.isoformat(), "count": count}
        )
    return {"metricSeries": points}


SIMULATE = """
query Simulate($terms: QualificationModelTermsInput!) {
  simulateQualificationModel(terms: $terms) {
    simulation { leads withOutcome goodLeads inForceRevision }
    userErrors { code }
  }
}
"""
_OUTCOME = (
    "CASE WHEN l.stage = 'WON' OR EXISTS (SELECT 1 FROM handoff_chain c WHERE "
    "c.lead_id = l.id AND c.decision = 'ACCEPTED') THEN 1 WHEN EXISTS (SELECT 1 "
    "FROM handoff_chain c WHERE c.lead_id = l.id AND c.decision = 'REJECTED') "
    "THEN 0 END"
)
SIMULATE_SQL = (
    f"SELECT COUNT(*) AS leads, COUNT({_OUTCOME}) AS decided, "
    f"COALESCE(SUM({_OUTCOME}), 0) AS good FROM lead l",
)


def draft_terms() -> dict[str, Any]:
    """The model in force (`bench.scoring_data.model_terms(1)`), threshold - 5."""
    from bench.scoring_data import model_terms

    terms = model_terms(1)
    return {**terms, "mqlThreshold": str(int(terms["mqlThreshold"]) - 5)}


def simulate_samples(callers: list[Caller], sizes: Sizes) -> list[Sample]:
    return [Sample(c, {"terms": draft_terms()}) for c in callers]


def simulate_expected(rows: list[Rows], sample: Sample) -> dict[str, Any]:
    (row,) = rows[0]
    return {
        "simulateQualificationModel": {
            "simulation": {
                "leads": int(row["leads"]),
                "withOutcome": int(row["decided"]),
                "goodLeads": int(row["good"]),
                "inForceRevision": 1,
            },
            "userErrors": [],
        }
    }


METRICS_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        name="dashboard",
        title="the whole dashboard, 90 days (checked: qualified, funnel, conversion, "
        "handoffs, auto-accepted, delivered by hand)",
        document=DASHBOARD,
        floor=DASHBOARD_SQL,
        expected=dashboard_expected,
        samples=dashboard_samples,
        p50_target_ms={"postgres": 250.0, "sqlite": 500.0},
    ),
    Operation(
        name="qualificationModelReport",
        title="the qualification model report, 90 days, by band and grade",
        document=MODEL_REPORT,
        floor=MODEL_REPORT_SQL,
        expected=model_report_expected,
        samples=model_report_samples,
    ),
    Operation(
        name="metricSeries",
        title="handoffs per day over 365 days",
        document=SERIES,
        floor=SERIES_SQL,
        expected=series_expected,
        samples=series_samples,
        p50_target_ms={"postgres": 150.0, "sqlite": 150.0},
    ),
    Operation(
        name="simulateQualificationModel",
        title="a draft model (the threshold lowered) over every lead",
        document=SIMULATE,
        floor=SIMULATE_SQL,
        expected=simulate_expected,
        samples=simulate_samples,
        connections=(1,),
        min_duration=30.0,
        timeout=60.0,
        p50_target_ms={"postgres": 3000.0, "sqlite": 3000.0},
    ),
)
