"""The agenda a review starts from (SPEC §2.7), read from live data for the
reviewed period. Every item says what it is about, its figures (each with the
drill-down filter of the list that shows its records, as the dashboard's) and
a few records by global ID.

A lead review: both teams' SLA compliance, the top rejection reasons, sales'
feedback by persona, a sample of rejected MQLs with the feedback on them. A
content review: open, overdue and most-voted requests, turnaround, the
lowest-rated assets. Attendees' own topics follow as DISCUSSION items.

Statements: a lead review the dashboard's 13 plus 5, a content review 6,
whatever the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NotRequired, TypedDict
from zoneinfo import ZoneInfo

from server import db
from server.domain.content.lifecycle import OPEN
from server.domain.content.timing import date_sort, local_day
from server.domain.core.periods import Period
from server.domain.feedback.summary import FeedbackGroupBy
from server.domain.meetings.lifecycle import MeetingKind
from server.models import Agreement, ContentAsset, ContentRequest, LeadFeedback
from server.services.content.reads import turnaround_of
from server.services.core import ids
from server.services.feedback.summary import feedback_summary
from server.services.metrics.dashboard import Dashboard, dashboard
from server.services.metrics.drill import Drills

SAMPLE = 5
LISTED = 10
OPEN_VALUES = sorted(s.value for s in OPEN)


class AgendaFigure(TypedDict):
    label: str
    value: str
    count: NotRequired[int | None]
    ratio: NotRequired[float | None]
    leads: NotRequired[dict[str, Any]]
    handoffs: NotRequired[dict[str, Any]]
    contentRequests: NotRequired[dict[str, Any]]


class AgendaRecord(TypedDict):
    id: str
    type: str
    label: str
    detail: str


class AgendaItem(TypedDict):
    topic: str
    title: str
    summary: str
    figures: list[AgendaFigure]
    records: list[AgendaRecord]


@dataclass(frozen=True)
class Review:
    """What an agenda is read for."""

    kind: MeetingKind
    period: Period
    zone: ZoneInfo
    now: datetime
    topics: Sequence[str] = ()


def _percent(ratio: Any) -> str:
    return "—" if ratio is None else f"{float(ratio) * 100:.0f} %"


def _of(kept: int, due: int | float, ratio: Any) -> str:
    shown = f"{due:g}" if isinstance(due, float) else str(due)
    return f"{kept} of {shown} ({_percent(ratio)})"


def _ratio(value: Any) -> float | None:
    return None if value is None else float(value)


async def agenda(review: Review, figures: Dashboard | None = None) -> list[AgendaItem]:
    """The live agenda; ``figures`` is the period's dashboard when the caller
    has it already (completion reads it once for the snapshot too)."""
    if review.kind is MeetingKind.LEAD_REVIEW:
        if figures is None:
            figures = await dashboard(review.period, None, review.zone, review.now)
        items = await lead_review(review, figures)
    else:
        items = await content_review(review)
    return items + [discussion(topic) for topic in review.topics]


def discussion(topic: str) -> AgendaItem:
    return AgendaItem(
        topic="DISCUSSION", title=topic, summary="", figures=[], records=[]
    )


# ---- lead reviews -----------------------------------------------------------


async def lead_review(review: Review, d: Dashboard) -> list[AgendaItem]:
    drills = Drills(d.scope)
    return [
        _compliance(d, drills),
        _reasons(d, drills),
        await _feedback_by_persona(review),
        await _rejected_sample(review, d, drills),
    ]


def _compliance(d: Dashboard, drills: Drills) -> AgendaItem:
    m, s = d.marketing, d.sales
    committed = float(m.committed)
    figures = [
        AgendaFigure(
            label="Marketing: qualified leads delivered of committed",
            value=_of(m.delivered, round(committed, 1), m.ratio),
            count=m.delivered,
            ratio=_ratio(m.ratio),
            leads=drills.delivered(False),
        ),
        AgendaFigure(
            label="Sales: handoffs accepted on time",
            value=_of(s.accept_on_time, s.accept_due, s.accept_on_time_ratio),
            count=s.accept_on_time,
            ratio=_ratio(s.accept_on_time_ratio),
            handoffs=drills.accept_clock("MET", "BREACHED"),
        ),
        AgendaFigure(
            label="Sales: first touches on time",
            value=_of(s.met, s.due, s.ratio),
            count=s.met,
            ratio=_ratio(s.ratio),
            handoffs=drills.touch_clock("MET", "BREACHED"),
        ),
        AgendaFigure(
            label="Breached accept deadlines",
            value=str(s.accept_breached),
            count=s.accept_breached,
            handoffs=drills.accept_clock("BREACHED"),
        ),
        AgendaFigure(
            label="Breached first-touch deadlines",
            value=str(s.breached),
            count=s.breached,
            handoffs=drills.touch_clock("BREACHED"),
        ),
    ]
    summary = (
        f"Marketing delivered {_percent(m.ratio)} of its commitment; sales met "
        f"{_percent(s.ratio)} of first-touch deadlines."
    )
    return AgendaItem(
        topic="SLA_COMPLIANCE",
        title="SLA compliance of both teams",
        summary=summary,
        figures=figures,
        records=[],
    )


def _reasons(d: Dashboard, drills: Drills) -> AgendaItem:
    ranked = sorted(d.rejection_reasons.items(), key=lambda i: (-i[1], i[0]))
    figures = [
        AgendaFigure(
            label=_words(reason),
            value=str(n),
            count=n,
            handoffs=drills.chains(rejectionReasons=[reason]),
        )
        for reason, n in ranked[:SAMPLE]
    ]
    summary = (
        f"{d.chains.rejected} of {d.chains.handoffs} handoffs rejected."
        if d.chains.handoffs
        else "No handoffs in the period."
    )
    return AgendaItem(
        topic="REJECTION_REASONS",
        title="Top rejection reasons",
        summary=summary,
        figures=figures,
        records=[],
    )


def _words(code: str) -> str:
    return code.replace("_", " ").capitalize()


async def _feedback_by_persona(review: Review) -> AgendaItem:
    found = await feedback_summary(review.period, FeedbackGroupBy.PERSONA)
    keys = [g.key for g in found.groups if isinstance(g.key, int)]
    names = dict(await Agreement.filter(id__in=keys).values_list("id", "title"))
    figures: list[AgendaFigure] = []
    for group in found.groups:
        name = (
            names.get(group.key, "No persona")
            if group.key is not None
            else "No persona"
        )
        top = ", ".join(_words(r) for r, _ in group.top_reasons(2)) or "no reasons"
        mean = group.mean_rating
        value = f"{mean} / 5 from {group.count}" if mean is not None else "no ratings"
        figure = AgendaFigure(
            label=str(name),
            value=f"{value}; {top}",
            count=group.count,
            ratio=float(mean) if mean is not None else None,
        )
        if isinstance(group.key, int):
            figure["leads"] = {"personaIds": [ids.encode("Persona", group.key)]}
        figures.append(figure)
    total = found.total
    summary = (
        f"{total.count} feedback entries, mean rating {total.mean_rating} / 5."
        if total.count
        else "No feedback given in the period."
    )
    return AgendaItem(
        topic="FEEDBACK_BY_PERSONA",
        title="Sales' feedback by persona",
        summary=summary,
        figures=figures,
        records=[],
    )


async def _rejected_sample(review: Review, d: Dashboard, drills: Drills) -> AgendaItem:
    scope = d.scope
    rows = await db.fetch(
        "SELECT c.lead_id, l.first_name, l.last_name, l.company, l.email, "
        "h.rejection_reason, h.rejection_comment FROM handoff_chain c "
        "JOIN lead l ON l.id = c.lead_id "
        "JOIN handoff h ON h.chain_id = c.id AND h.status = 'REJECTED' "
        "WHERE c.decision = 'REJECTED' AND c.started_at >= ? AND c.started_at < ? "
        "ORDER BY c.decided_at DESC, c.id DESC LIMIT ?",
        scope.opens,
        scope.closes,
        SAMPLE,
    )
    leads = [int(r["lead_id"]) for r in rows]
    feedback = await LeadFeedback.filter(lead_id__in=leads).order_by("id")
    records = [
        _rejected_record(r, [f for f in feedback if f.lead_id == r["lead_id"]])
        for r in rows
    ]
    return AgendaItem(
        topic="REJECTED_SAMPLE",
        title="Rejected MQLs and sales' feedback on them",
        summary=f"The {len(records)} latest of {d.chains.rejected} rejected.",
        figures=[
            AgendaFigure(
                label="Rejected handoffs",
                value=str(d.chains.rejected),
                count=d.chains.rejected,
                handoffs=drills.chains(chainOutcomes=["REJECTED"]),
            )
        ],
        records=records,
    )


def _rejected_record(row: dict[str, Any], feedback: list[LeadFeedback]) -> AgendaRecord:
    name = (
        " ".join(p for p in (row["first_name"], row["last_name"]) if p) or row["email"]
    )
    label = f"{name} ({row['company']})" if row["company"] else name
    said = f"Rejected: {_words(str(row['rejection_reason']))}"
    if row["rejection_comment"]:
        said += f" — {row['rejection_comment']}"
    for f in feedback:
        reasons = ", ".join(_words(r) for r in f.reasons) or "no reasons"
        said += f". Feedback {f.rating}/5 ({reasons})"
        if f.comment:
            said += f": {f.comment}"
    return AgendaRecord(
        id=ids.encode("Lead", int(row["lead_id"])),
        type="Lead",
        label=label,
        detail=said,
    )


# ---- content reviews ----------------------------------------------------------


async def content_review(review: Review) -> list[AgendaItem]:
    today = local_day(review.now, review.zone.key)
    open_rows = (
        await ContentRequest.filter(status__in=OPEN_VALUES)
        .order_by("created_at", "id")
        .values("id", "title", "status", "votes", "due_sort", "created_at")
    )
    late = [r for r in open_rows if r["due_sort"] < date_sort(today)]
    voted = sorted(
        (r for r in open_rows if r["votes"] > 0), key=lambda r: (-r["votes"], r["id"])
    )
    return [
        _requests_item(
            "OPEN_REQUESTS", "Open requests", open_rows, {"statuses": OPEN_VALUES}
        ),
        _requests_item("OVERDUE_REQUESTS", "Overdue requests", late, {"overdue": True}),
        _requests_item(
            "MOST_VOTED_REQUESTS",
            "Most-voted open requests",
            voted[:SAMPLE],
            {"statuses": OPEN_VALUES, "orderBy": "VOTES"},
        ),
        await _turnaround(review),
        await _lowest_rated(),
    ]


def _requests_item(
    topic: str, title: str, rows: list[dict[str, Any]], drill: dict[str, Any]
) -> AgendaItem:
    records = [
        AgendaRecord(
            id=ids.encode("ContentRequest", int(r["id"])),
            type="ContentRequest",
            label=str(r["title"]),
            detail=f"{_words(str(r['status']))}, {r['votes']} vote(s)",
        )
        for r in rows[:LISTED]
    ]
    return AgendaItem(
        topic=topic,
        title=title,
        summary=f"{len(rows)} request(s).",
        figures=[
            AgendaFigure(
                label=title,
                value=str(len(rows)),
                count=len(rows),
                contentRequests=drill,
            )
        ],
        records=records,
    )


async def _turnaround(review: Review) -> AgendaItem:
    whole, _ = await turnaround_of(
        review.period.opens, review.period.closes, review.zone.key
    )
    median = whole.median_hours
    figures = [
        AgendaFigure(
            label="Delivered", value=str(whole.delivered), count=whole.delivered
        ),
        AgendaFigure(
            label="Median request to delivery",
            value="—" if median is None else f"{median:.0f} h",
        ),
        AgendaFigure(
            label="On time against the requested date",
            value=_percent(whole.on_time_requested_share),
            ratio=whole.on_time_requested_share,
        ),
        AgendaFigure(
            label="On time against the committed date",
            value=_percent(whole.on_time_committed_share),
            ratio=whole.on_time_committed_share,
        ),
    ]
    return AgendaItem(
        topic="TURNAROUND",
        title="Turnaround",
        summary=f"{whole.delivered} request(s) delivered in the period.",
        figures=figures,
        records=[],
    )


async def _lowest_rated() -> AgendaItem:
    rows = (
        await ContentAsset.filter(rating_count__gt=0)
        .order_by("rating_avg", "id")
        .limit(SAMPLE)
        .values("id", "title", "rating_avg", "rating_count")
    )
    records = [
        AgendaRecord(
            id=ids.encode("ContentAsset", int(r["id"])),
            type="ContentAsset",
            label=str(r["title"]),
            detail=f"{float(r['rating_avg']):.1f} / 5, {r['rating_count']} rating(s)",
        )
        for r in rows
    ]
    return AgendaItem(
        topic="LOWEST_RATED_ASSETS",
        title="Lowest-rated assets",
        summary=f"The {len(records)} assets sales rated lowest.",
        figures=[],
        records=records,
    )
