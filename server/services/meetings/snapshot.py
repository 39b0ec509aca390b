"""The frozen snapshot of a completed meeting (SPEC §2.7): the dashboard of
the reviewed period, the feedback by persona and the agenda as they stood at
completion, written once as canonical JSON text (sorted keys, no spaces) and
never rewritten, so later data cannot change a byte of it.

The dashboard part carries the names the `Dashboard` type answers with, each
count beside the drill-down filter it had when frozen.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson

from server.services.metrics.dashboard import Dashboard
from server.services.metrics.drill import Drills, Filter

Json = dict[str, Any]


def canonical(value: Json) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _count(n: int, leads: Filter | None = None, handoffs: Filter | None = None) -> Json:
    found: Json = {"count": n}
    if leads is not None:
        found["leads"] = leads
    if handoffs is not None:
        found["handoffs"] = handoffs
    return found


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def dashboard_json(d: Dashboard) -> Json:
    drills, chains, sales = Drills(d.scope), d.chains, d.sales
    return {
        "qualifiedLeads": {
            **_count(d.qualified.total, drills.qualified()),
            "byQualifiedBy": [
                {"qualifiedBy": by, **_count(n, drills.qualified(by))}
                for by, n in d.qualified.by.items()
            ],
        },
        "delivered": _count(chains.delivered, drills.delivered(False)),
        "deliveredManual": _count(chains.delivered_manual, drills.delivered(True)),
        "handoffs": _count(chains.handoffs, handoffs=drills.chains()),
        "accepted": _count(
            chains.accepted, handoffs=drills.chains(chainOutcomes=["ACCEPTED"])
        ),
        "rejected": _count(
            chains.rejected, handoffs=drills.chains(chainOutcomes=["REJECTED"])
        ),
        "acceptanceRate": _num(chains.acceptance_rate),
        "rejectionReasons": [
            {
                "reason": reason,
                **_count(n, handoffs=drills.chains(rejectionReasons=[reason])),
            }
            for reason, n in sorted(
                d.rejection_reasons.items(), key=lambda item: (-item[1], item[0])
            )
        ],
        "timeToFirstTouch": {
            "medianHours": _num(d.first_touch.median_hours),
            "p90Hours": _num(d.first_touch.p90_hours),
            "medianBusinessHours": _num(d.first_touch.median_business_hours),
            "untouched": _count(d.first_touch.untouched, handoffs=drills.untouched()),
        },
        "slaCompliance": {
            "marketing": {
                "committed": float(d.marketing.committed),
                "delivered": _count(d.marketing.delivered, drills.delivered(False)),
                "ratio": _num(d.marketing.ratio),
            },
            "sales": {
                "due": _count(
                    sales.due, handoffs=drills.touch_clock("MET", "BREACHED")
                ),
                "met": _count(sales.met, handoffs=drills.touch_clock("MET")),
                "breached": _count(
                    sales.breached, handoffs=drills.touch_clock("BREACHED")
                ),
                "ratio": _num(sales.ratio),
                "acceptDue": _count(
                    sales.accept_due, handoffs=drills.accept_clock("MET", "BREACHED")
                ),
                "acceptOnTime": _count(
                    sales.accept_on_time, handoffs=drills.accept_clock("MET")
                ),
                "acceptOnTimeRatio": _num(sales.accept_on_time_ratio),
                "touchAttemptsMetRatio": _num(sales.touch_attempts_met_ratio),
            },
            "breaches": {"total": sales.accept_breached + sales.breached},
        },
        "funnel": [
            {"stage": stage, **_count(n, drills.funnel(stage))}
            for stage, n in d.funnel.items()
        ],
        "conversion": [
            {
                "stage": s.stage,
                "nextStage": s.next_stage,
                "entered": _count(s.entered, drills.entered(s.stage)),
                "advanced": _count(s.advanced, drills.entered(s.stage, True)),
                "rate": _num(s.rate),
            }
            for s in d.conversion
        ],
        "goals": [
            {
                "metric": g.metric,
                "current": float(g.progress.current),
                "target": float(g.progress.target),
                "ratio": float(g.progress.ratio),
                "expectedRatio": float(g.progress.expected_ratio),
                "status": str(g.progress.status),
            }
            for g in d.goals
        ],
        "reviewOverdue": d.review.overdue,
        "reviewCadence": {
            "cadenceDays": d.review.cadence_days,
            "lastReviewAt": _iso(d.review.last_review_at),
        },
    }
