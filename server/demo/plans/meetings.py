"""The demo's review meetings: two lead reviews and a content review held,
with notes, decisions and action items (one of them overdue), and the next
lead review scheduled. Days are relative to the demo's now."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Item:
    description: str
    owner: str
    due_in: int  # days after the meeting
    done_after: float | None = None  # days after the meeting, or still open


@dataclass(frozen=True)
class Review:
    kind: str
    title: str
    held: float  # days before now (negative: still to come)
    reviewed_days: int
    chair: str
    attendees: Sequence[str]
    notes: str = ""
    decisions: Sequence[str] = ()
    topics: Sequence[str] = ()
    items: Sequence[Item] = field(default_factory=tuple)
    completed: bool = True


LEAD_PEOPLE = ("cmo", "demand", "vp_sales", "team_lead", "sdr_david")
REVIEWS: tuple[Review, ...] = (
    Review(
        kind="LEAD_REVIEW",
        title="Monthly lead review — pipeline quality",
        held=38,
        reviewed_days=30,
        chair="cmo",
        attendees=LEAD_PEOPLE,
        notes=(
            "Sales accepted most MQLs on time, but first touches slipped in the "
            "second half of the month. Reps say too many MQLs are analysts, not "
            "buyers, and some have no budget this year."
        ),
        decisions=(
            "Ask for the budget range on the demo-request form.",
            "Leads rejected as 'not ready' go back to nurture, not to disqualified.",
        ),
        topics=("Webinar leads: keep scoring them as hand-raises?",),
        items=(
            Item("Add a budget question to the demo-request form", "demand", 14),
            Item(
                "Move 'not ready' rejections to the nurture track",
                "ops",
                7,
                done_after=5,
            ),
        ),
    ),
    Review(
        kind="CONTENT_REVIEW",
        title="Content review — what sales is missing",
        held=16,
        reviewed_days=30,
        chair="cmo",
        attendees=("cmo", "content", "team_lead", "ae_paul", "ae_emma"),
        notes=(
            "The battlecard against the incumbent is the asset sales rates "
            "lowest; two requests for case studies are past their committed date."
        ),
        decisions=("Case studies before new one-pagers until the backlog clears.",),
        items=(
            Item("Refresh the competitor battlecard", "content", 21),
            Item("Send the two late case-study drafts for review", "content", 5, 4),
        ),
    ),
    Review(
        kind="LEAD_REVIEW",
        title="Monthly lead review — first touch and feedback",
        held=8,
        reviewed_days=30,
        chair="vp_sales",
        attendees=LEAD_PEOPLE,
        notes=(
            "Marketing is on pace for its commitment. Sales' feedback by persona "
            "shows operations directors rated well, IT buyers poorly."
        ),
        decisions=(
            "SDRs call within four business hours of acceptance.",
            "Revisit the IT-buyer persona with fresh win/loss data.",
        ),
        items=(
            Item("Coach SDRs on the four-hour first touch", "team_lead", 14),
            Item("Bring win/loss notes on IT buyers to the next review", "cmo", 12),
        ),
    ),
    Review(
        kind="LEAD_REVIEW",
        title="Monthly lead review — next",
        held=-6,
        reviewed_days=30,
        chair="cmo",
        attendees=LEAD_PEOPLE,
        topics=("Did the budget question change the rejection reasons?",),
        completed=False,
    ),
)
