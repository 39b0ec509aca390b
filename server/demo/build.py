"""Building the demo company: people, agreements, then the 90 days replayed."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from server.clock import clock
from server.demo.agreements import agree, amend_sla, draft_next_sla, schedule_goals
from server.demo.content import schedule_content
from server.demo.market import Market
from server.demo.people import Login, hire, new_password
from server.demo.plans.company import COMPANY
from server.demo.plans.duplicates import pairs_for, with_duplicates
from server.demo.plans.market import plan_leads
from server.demo.sales import Sales
from server.demo.timeline import Timeline
from server.demo.webhooks import seed_webhooks
from server.domain.agreements.calendar import calendar_from_terms
from server.services.people import reads as user_reads

HISTORY_DAYS = 90
HIRED_BEFORE = timedelta(days=14)  # before the history starts
AGREED_AFTER_HIRING = timedelta(days=3)  # past the 24-hour rule for new roles


class DemoRefused(Exception):
    """The database is not empty: demo data would mix with real records."""


@dataclass(frozen=True)
class DemoOptions:
    now: datetime
    leads: int = 2000
    seed: int = 1
    currency: str = "USD"  # ACCORD_CURRENCY: the money goals' unit


@dataclass
class DemoReport:
    now: datetime
    logins: list[Login]
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


async def build_demo(
    options: DemoOptions, password: Callable[[], str] = new_password
) -> DemoReport:
    """Build the demo company (see the package doc); `DemoRefused` when the
    database has users already."""
    if await user_reads.count_users():
        raise DemoRefused("the database has users already")
    started = time.monotonic()
    now = options.now
    begin = now - timedelta(days=HISTORY_DAYS)
    agreed = begin - HIRED_BEFORE + AGREED_AFTER_HIRING
    try:
        cast = await hire(begin - HIRED_BEFORE, password)
        years = sorted({begin.year - 1, begin.year, now.year + 1})
        sla = await agree(cast, agreed, begin, options.leads, years)
        calendar = calendar_from_terms(sla.terms["businessCalendar"])
        timeline = Timeline()
        sales = Sales(timeline, cast.actors, calendar, options.seed)
        rng = random.Random(f"accord-demo/{options.seed}/leads")
        seconds = pairs_for(options.leads)
        plans = plan_leads(rng, options.leads - seconds, begin, now)
        plans = with_duplicates(plans, seconds, now)
        Market(timeline, cast.actors, plans, sales).schedule(begin, now)
        window = (max(agreed, begin), now)
        schedule_goals(
            timeline, cast, calendar, window, options.leads, options.currency
        )
        timeline.at(now - timedelta(days=2), lambda: amend_sla(cast, sla))
        timeline.at(now - timedelta(days=1), lambda: draft_next_sla(cast, sla, now))
        schedule_content(timeline, cast, sla.persona_ids, now)
        counts = await timeline.run(now)
        counts["webhook deliveries"] = await seed_webhooks(cast, now)
    finally:
        clock.reset()
    return DemoReport(now, cast.logins, counts, time.monotonic() - started)


def describe(report: DemoReport) -> str:
    """What the operator sees once: the company, and everyone's login."""
    counts = report.counts
    lines = [
        "",
        f"  Demo company {COMPANY}: {counts.get('leads', 0)} leads, "
        f"{counts.get('activities', 0)} activities, "
        f"{counts.get('handoffs', 0)} handoffs, "
        f"{counts.get('content requests', 0)} content requests "
        f"over {HISTORY_DAYS} days to {report.now:%Y-%m-%d %H:%M} UTC "
        f"(built in {report.seconds:.1f} s).",
        "  Sign in with any of these (passwords shown once; change them after "
        "signing in):",
        "",
    ]
    width = max(len(login.person.email) for login in report.logins)
    for login in report.logins:
        p = login.person
        lines.append(
            f"    {p.email:<{width}}  {login.password}  "
            f"{p.name} — {p.title} ({p.team} {p.role})"
        )
    return "\n".join([*lines, ""])
