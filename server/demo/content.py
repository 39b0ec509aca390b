"""The demo's content requests: a quarter of asks from sales and what
marketing made of them, through the content use cases on the timeline.

Every state is there — submitted, accepted, in progress, in review,
delivered, declined, cancelled — with requests late against the committed
date, late against only the requested one, a declined one, reopened ones,
votes, comments, and a dozen delivered assets rated by the reps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from server.clock import clock
from server.demo.people import Cast
from server.demo.timeline import Timeline, ok
from server.services.content import ratings, requests, workflow
from server.services.core import ids

TIMEZONE = "Europe/Berlin"
ASSET_BASE = "https://content.nordlicht.example/library/"


@dataclass(frozen=True)
class Step:
    """``day``: days after the request was made (fractions for hours)."""

    day: float
    who: str
    do: str
    arg: Any = None


@dataclass(frozen=True)
class Script:
    title: str
    kind: str
    requester: str
    ago: float  # days before the demo's now
    priority: str = "MEDIUM"
    persona: int | None = None
    stage: str | None = None
    requested_in: int | None = 14
    description: str = ""
    steps: Sequence[Step] = field(default_factory=tuple)


def _delivered(
    asset: str,
    *,
    accept: int = 1,
    commit: int = 12,
    done: float = 10,
    who: str = "content",
    review: float | None = None,
) -> list[Step]:
    """Accepted, started, reviewed and delivered, ``done`` days in."""
    review_day = review if review is not None else done - 1
    return [
        Step(accept, "cmo", "accept", (who, commit)),
        Step(accept + 0.2, who, "start"),
        Step(review_day, who, "review"),
        Step(done, who, "deliver", asset),
    ]


SCRIPTS: tuple[Script, ...] = (
    # -- the library: delivered early in the quarter, rated since ---------------
    Script(
        "Battlecard: Nordlicht vs. Freightwise",
        "BATTLECARD",
        "ae_paul",
        84,
        "HIGH",
        0,
        "SQL",
        10,
        "Freightwise undercuts us on price in every logistics "
        "deal; reps need the three questions that shift the talk to total cost.",
        [
            *_delivered("Nordlicht vs. Freightwise battlecard", done=8),
            Step(9, "ae_paul", "rate", 5),
            Step(12, "ae_emma", "rate_asset", 4),
        ],
    ),
    Script(
        "Case study: Baltic Cold Chain cut spoilage 18 %",
        "CASE_STUDY",
        "ae_emma",
        80,
        "HIGH",
        0,
        "OPPORTUNITY",
        21,
        "Customer agreed to be named; interview notes are in the CRM.",
        [
            *_delivered("Baltic Cold Chain case study", commit=25, done=24),
            Step(26, "ae_emma", "rate", 4),
            Step(27, "ae_lukas", "rate_asset", 5),
        ],
    ),
    Script(
        "One-pager: OEE dashboards for plant managers",
        "ONE_PAGER",
        "ae_lukas",
        78,
        "MEDIUM",
        1,
        "MQL",
        14,
        "Something to leave behind after a plant tour.",
        [
            *_delivered("OEE dashboards one-pager", who="campaigns", commit=10, done=9),
            Step(11, "ae_lukas", "rate", 4),
        ],
    ),
    Script(
        "Email template: follow-up after a pricing-page visit",
        "EMAIL_TEMPLATE",
        "sdr_david",
        76,
        "MEDIUM",
        None,
        "MQL",
        7,
        "",
        [
            *_delivered(
                "Pricing-page follow-up email", who="campaigns", commit=6, done=5
            ),
            Step(6, "sdr_david", "rate", 3),
            Step(8, "sdr_hannah", "rate_asset", 4),
        ],
    ),
    Script(
        "Presentation: retail demand forecasting pilot",
        "PRESENTATION",
        "ae_sofia",
        72,
        "HIGH",
        2,
        "SQL",
        10,
        "For the buying committee at a fashion retailer.",
        # late against both dates
        [
            *_delivered("Retail forecasting pilot deck", commit=9, done=13),
            Step(14, "ae_sofia", "rate", 3),
        ],
    ),
    Script(
        "Whitepaper: data quality for mid-market IT",
        "WHITEPAPER",
        "team_lead",
        70,
        "LOW",
        3,
        "NURTURING",
        30,
        "A gated asset for nurture programmes.",
        [
            *_delivered("Data quality whitepaper", commit=35, done=33),
            Step(34, "team_lead", "rate", 4),
            Step(36, "ae_paul", "rate_asset", 3),
        ],
    ),
    Script(
        "Video: two-minute product tour",
        "VIDEO",
        "ae_emma",
        66,
        "MEDIUM",
        None,
        "SAL",
        20,
        "",
        # late against the requested date only: marketing committed later
        [
            *_delivered("Two-minute product tour", commit=28, done=26),
            Step(27, "ae_emma", "rate", 5),
            Step(28, "sdr_david", "rate_asset", 5),
        ],
    ),
    Script(
        "Battlecard: Nordlicht vs. spreadsheets",
        "BATTLECARD",
        "sdr_hannah",
        60,
        "URGENT",
        3,
        "SAL",
        5,
        "Half of our lost deals are 'we will keep Excel'.",
        [
            *_delivered("Nordlicht vs. spreadsheets battlecard", commit=5, done=4),
            Step(5, "sdr_hannah", "rate", 5),
            Step(6, "ae_lukas", "rate_asset", 4),
            Step(7, "ae_sofia", "rate_asset", 5),
        ],
    ),
    Script(
        "Case study: Rheinmetall Components, 9 % more uptime",
        "CASE_STUDY",
        "ae_lukas",
        55,
        "HIGH",
        1,
        "OPPORTUNITY",
        21,
        "",
        # late against the committed date, on time against the requested one
        [
            *_delivered("Rheinmetall Components case study", commit=14, done=17),
            Step(18, "ae_lukas", "rate", 4),
        ],
    ),
    Script(
        "One-pager: security and GDPR answers",
        "ONE_PAGER",
        "ae_paul",
        48,
        "HIGH",
        3,
        "SQL",
        7,
        "IT asks the same twelve questions in every deal.",
        [
            *_delivered("Security and GDPR one-pager", who="ops", commit=7, done=6),
            Step(7, "ae_paul", "rate", 2),
            Step(9, "ae_emma", "rate_asset", 3),
            Step(
                10,
                "ae_paul",
                "reopen",
                "Missing the data-residency answer; two prospects asked this week.",
            ),
            Step(12, "ops", "review"),
            Step(13, "ops", "deliver", "Security and GDPR one-pager, v2"),
            Step(14, "ae_paul", "rate", 5),
        ],
    ),
    Script(
        "Email template: re-engage a stalled opportunity",
        "EMAIL_TEMPLATE",
        "ae_sofia",
        40,
        "MEDIUM",
        None,
        "OPPORTUNITY",
        10,
        "",
        [*_delivered("Stalled-opportunity email", who="campaigns", commit=9, done=8)],
    ),
    # -- the current quarter's board ---------------------------------------------
    Script(
        "Battlecard: Nordlicht vs. Logibase for 3PL buyers",
        "BATTLECARD",
        "ae_paul",
        3,
        "URGENT",
        0,
        "SQL",
        7,
        "Logibase showed up in four 3PL deals this month. "
        "We need the landmines and the proof points.",
        [
            Step(0.1, "ae_emma", "vote"),
            Step(0.3, "sdr_david", "vote"),
            Step(
                0.5,
                "ae_emma",
                "comment",
                "Same in my Hamburg deal — happy to share notes.",
            ),
        ],
    ),
    Script(
        "Case study for the food-retail segment",
        "CASE_STUDY",
        "ae_sofia",
        2,
        "HIGH",
        2,
        "OPPORTUNITY",
        30,
        "Any retailer with perishables would do.",
        [Step(1, "ae_lukas", "vote")],
    ),
    Script(
        "ROI calculator walkthrough video",
        "VIDEO",
        "sdr_hannah",
        1,
        "LOW",
        None,
        "MQL",
        None,
        "Short, for the first call.",
    ),
    Script(
        "One-pager for the IT buyer's first meeting",
        "ONE_PAGER",
        "sdr_david",
        20,
        "MEDIUM",
        3,
        "SAL",
        10,
        "Nobody has triaged this one yet.",
        # overdue against the requested date (never committed)
        [Step(5, "sdr_david", "comment", "Any update? Two first meetings next week.")],
    ),
    Script(
        "Presentation: quarterly business review template",
        "PRESENTATION",
        "team_lead",
        6,
        "MEDIUM",
        None,
        "WON",
        21,
        "",
        [Step(1, "demand", "accept", ("demand", 16)), Step(2, "ae_paul", "vote")],
    ),
    Script(
        "Battlecard: objection handling on implementation time",
        "BATTLECARD",
        "ae_lukas",
        5,
        "HIGH",
        1,
        "SQL",
        8,
        "",
        # committed within the week
        [
            Step(1, "cmo", "accept", ("content", 5)),
            Step(1.5, "ae_emma", "vote"),
            Step(2, "sdr_hannah", "vote"),
        ],
    ),
    Script(
        "Whitepaper: predictive maintenance economics",
        "WHITEPAPER",
        "vp_sales",
        9,
        "LOW",
        1,
        "NURTURING",
        40,
        "",
        [Step(2, "cmo", "accept", ("content", 38))],
    ),
    Script(
        "Case study: Nordhafen Logistics rollout in 6 weeks",
        "CASE_STUDY",
        "ae_emma",
        30,
        "HIGH",
        0,
        "OPPORTUNITY",
        21,
        "",
        # in progress, overdue against the committed date
        [
            Step(1, "cmo", "accept", ("content", 24)),
            Step(2, "content", "start"),
            Step(3, "ae_paul", "vote"),
            Step(
                10,
                "content",
                "comment",
                "Waiting for the customer's approval of quotes.",
            ),
        ],
    ),
    Script(
        "Email sequence for trial sign-ups",
        "EMAIL_TEMPLATE",
        "sdr_hannah",
        16,
        "MEDIUM",
        None,
        "MQL",
        7,
        "",
        # in progress: late against the requested date only
        [Step(1, "demand", "accept", ("campaigns", 20)), Step(2, "campaigns", "start")],
    ),
    Script(
        "One-pager: pricing and packaging 2027",
        "ONE_PAGER",
        "ae_sofia",
        8,
        "URGENT",
        None,
        "SQL",
        12,
        "",
        [
            Step(0.5, "cmo", "accept", ("ops", 11)),
            Step(1, "ops", "start"),
            Step(1.2, "ae_paul", "vote"),
            Step(1.3, "ae_lukas", "vote"),
            Step(1.4, "sdr_david", "vote"),
        ],
    ),
    Script(
        "Demo video for manufacturing prospects",
        "VIDEO",
        "ae_lukas",
        12,
        "HIGH",
        1,
        "SAL",
        16,
        "",
        [
            Step(1, "cmo", "accept", ("content", 14)),
            Step(2, "content", "start"),
            Step(8, "content", "review"),
            Step(
                9,
                "content",
                "changes",
                "Cut the intro to 20 seconds; show the OEE view first.",
            ),
            Step(10, "content", "review"),
        ],
    ),
    Script(
        "Battlecard refresh: Freightwise's new pricing",
        "BATTLECARD",
        "ae_paul",
        7,
        "HIGH",
        0,
        "SQL",
        9,
        "They dropped list price 15 %.",
        [
            Step(1, "cmo", "accept", ("content", 8)),
            Step(1.5, "content", "start"),
            Step(5, "content", "review"),
            Step(5.5, "ae_emma", "vote"),
        ],
    ),
    Script(
        "Case study with a named automotive customer",
        "CASE_STUDY",
        "ae_lukas",
        25,
        "MEDIUM",
        1,
        "OPPORTUNITY",
        30,
        "",
        [
            Step(
                2,
                "cmo",
                "decline",
                "No automotive customer has agreed to be named "
                "yet; the Rheinmetall Components study covers the same story.",
            )
        ],
    ),
    Script(
        "Podcast episode with a logistics customer",
        "OTHER",
        "ae_emma",
        35,
        "LOW",
        0,
        "NURTURING",
        None,
        "",
        [
            Step(2, "demand", "decline", "No podcast this quarter."),
            Step(
                6,
                "vp_sales",
                "reopen",
                "Freightwise launched one; we should answer. "
                "Budget is agreed with Mara.",
            ),
            Step(8, "cmo", "accept", ("campaigns", 60)),
        ],
    ),
    Script(
        "Webinar deck for the partner channel",
        "PRESENTATION",
        "sdr_david",
        18,
        "LOW",
        None,
        "MQL",
        20,
        "",
        [Step(3, "sdr_david", "cancel", "The partner event was called off.")],
    ),
)


def schedule_content(
    timeline: Timeline, cast: Cast, personas: Sequence[str], now: datetime
) -> None:
    """Queue every script's steps on the timeline."""
    for script in SCRIPTS:
        start = now - timedelta(days=script.ago)
        made: dict[str, str] = {}
        timeline.at(start, _asker(timeline, cast, personas, script, made))
        for step in script.steps:
            when = start + timedelta(days=step.day)
            timeline.at(when, _stepper(timeline, cast, step, made))


def _day(days: int) -> date:
    return clock.now().date() + timedelta(days=days)


def _asker(
    timeline: Timeline,
    cast: Cast,
    personas: Sequence[str],
    script: Script,
    made: dict[str, str],
) -> Any:
    async def step() -> None:
        given = requests.NewRequest(
            title=script.title,
            content_type=script.kind,
            priority=script.priority,
            description=script.description,
            persona_id=personas[script.persona] if script.persona is not None else None,
            lead_stage=script.stage,
            requested_due_date=(
                _day(script.requested_in) if script.requested_in is not None else None
            ),
            timezone=TIMEZONE,
        )
        row = ok(
            await requests.request_content(cast.actors[script.requester], given),
            f"request {script.title}",
        )
        made["id"] = ids.encode("ContentRequest", row.id)
        timeline.count("content requests")

    return step


def _stepper(timeline: Timeline, cast: Cast, step: Step, made: dict[str, str]) -> Any:
    async def run() -> None:
        actor, key = cast.actors[step.who], made["id"]
        what = f"{step.do} {key}"
        if step.do == "accept":
            assignee, days = step.arg
            given = workflow.Triage(
                key,
                True,
                ids.encode("User", cast.actors[assignee].user_id),
                _day(days),
                timezone=TIMEZONE,
            )
            ok(await workflow.triage_content_request(actor, given), what)
        elif step.do == "decline":
            given = workflow.Triage(key, False, reason=step.arg, timezone=TIMEZONE)
            ok(await workflow.triage_content_request(actor, given), what)
        elif step.do in MOVES:
            to, comment = MOVES[step.do], step.arg
            ok(await workflow.move_content_request(actor, key, to, comment), what)
        elif step.do == "deliver":
            slug = "-".join(step.arg.lower().replace(",", "").split())
            asset = workflow.NewAsset(step.arg, f"{ASSET_BASE}{slug}")
            ok(
                await workflow.deliver_content_request(
                    actor, workflow.Delivery(key, asset=asset)
                ),
                what,
            )
            timeline.count("content assets")
        else:
            await _social(actor, key, step, what)

    return run


MOVES = {"start": "IN_PROGRESS", "review": "IN_REVIEW", "changes": "IN_PROGRESS"}


async def _social(actor: Any, key: str, step: Step, what: str) -> None:
    if step.do == "vote":
        ok(await requests.vote_content_request(actor, key, True), what)
    elif step.do == "comment":
        ok(await requests.comment_on_content_request(actor, key, step.arg), what)
    elif step.do == "rate":
        ok(await ratings.rate_content_request(actor, key, step.arg), what)
    elif step.do == "rate_asset":
        asset = await _asset_of(key)
        ok(await ratings.rate_content_asset(actor, asset, step.arg), what)
    elif step.do == "reopen":
        ok(await requests.reopen_content_request(actor, key, step.arg), what)
    elif step.do == "cancel":
        ok(await requests.cancel_content_request(actor, key, step.arg), what)
    else:  # pragma: no cover - a typo in a script
        raise ValueError(step.do)


async def _asset_of(request_key: str) -> str:
    from server.services.content import reads

    found = await reads.requests_by_ids([ids.decode(request_key, "ContentRequest")])
    row = next(iter(found.values()))
    assert row.deliverable_id is not None
    return ids.encode("ContentAsset", row.deliverable_id)
