"""The demo's market: leads and their activities arriving through the CRM sync,
and marketing's weekly nurture.

The sync runs three times a day: the leads that arrived since the last one in
batches of 500 (`upsertLeads`), then the activities that happened since, in
batches of 1000 (`recordLeadActivities`). A lead a sync leaves qualified in MQL
is handed to `Sales` a little later; a recycled lead that qualifies again is
handed off again.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from server.clock import clock
from server.demo.plans.market import LeadPlan
from server.demo.plans.sales import later
from server.demo.sales import Deal, Sales
from server.demo.timeline import DemoFailed, Step, Timeline, ok
from server.services.core.actors import Actor
from server.services.leads import activities
from server.services.leads import intake as leads
from server.services.leads.store import LeadRecord
from server.services.waterfall import moves as lead_stages

T = TypeVar("T")
SYNC_EVERY = timedelta(hours=8)
NURTURE_AFTER = timedelta(days=21)
UPSERT_BATCH = 500
ACTIVITY_BATCH = 1000


@dataclass
class Market:
    timeline: Timeline
    actors: dict[str, Actor]
    plans: Sequence[LeadPlan]
    sales: Sales
    _deals: dict[int, Deal] = field(default_factory=dict)  # by lead key

    def schedule(self, begin: datetime, end: datetime) -> None:
        self._schedule_syncs(begin, end)
        self._schedule_nurture(begin, end)

    # ---- the CRM sync -------------------------------------------------------

    def _schedule_syncs(self, begin: datetime, end: datetime) -> None:
        arrived = list(self.plans)  # in order of arrival
        happened = sorted(
            (
                (at, plan.index, n, plan, kind, meta)
                for plan in self.plans
                for n, (kind, at, meta) in enumerate(plan.activities)
            ),
            key=lambda a: (a[0], a[1], a[2]),
        )
        arrival_times = [p.created_at for p in arrived]
        activity_times = [a[0] for a in happened]
        done = (0, 0)
        moment = begin
        while moment < end:
            moment = min(moment + SYNC_EVERY, end)
            upto = (
                bisect_right(arrival_times, moment),
                bisect_right(activity_times, moment),
            )
            new, acts = arrived[done[0] : upto[0]], happened[done[1] : upto[1]]
            if new or acts:
                self.timeline.at(moment, self._sync(new, acts))
            done = upto

    def _sync(self, arrived: list[LeadPlan], happened: list[Any]) -> Step:
        async def step() -> None:
            ops = self.actors["ops"]
            for batch in _chunks(arrived, UPSERT_BATCH):
                rows = [p.row for p in batch]
                done = ok(await leads.upsert_leads(ops, rows), "upsert leads")
                for plan, row in zip(batch, done.rows, strict=True):
                    if row.errors or not isinstance(row.lead_key, int):
                        raise DemoFailed(f"lead {plan.email}: {row.errors}")
                    self._deals[row.lead_key] = Deal(plan, row.lead_key)
                self._watch(done.leads)
                self.timeline.count("leads", len(batch))
            for chunk in _chunks(happened, ACTIVITY_BATCH):
                sent = [_activity_row(a) for a in chunk]
                recorded = ok(
                    await activities.record_lead_activities(ops, sent), "record"
                )
                failed = [r.errors for r in recorded.rows if r.errors]
                if failed:
                    raise DemoFailed(f"activities: {failed[0]}")
                self._watch(recorded.leads)
                self.timeline.count("activities", len(chunk))

        return step

    def _watch(self, rows: Mapping[int, LeadRecord]) -> None:
        """Note each lead's stage; hand off the ones that just qualified."""
        for deal in sorted((self._deals[k] for k in rows), key=lambda d: d.plan.index):
            deal.stage = rows[deal.key]["stage"]
            if deal.stage == "MQL" and not deal.busy:
                deal.busy = True
                rng = self.sales.rng(deal, "handoff-delay")
                when = later(rng, self.sales.calendar, clock.now(), (0.1, 3))
                self.timeline.at(when, self.sales.hand_off(deal))

    # ---- nurture --------------------------------------------------------------

    def _schedule_nurture(self, begin: datetime, end: datetime) -> None:
        """Every Monday morning marketing puts engaged leads that have not
        qualified in three weeks into the nurture programme."""
        monday = (begin + timedelta(days=7 - begin.weekday())).replace(
            hour=7, minute=0, second=0, microsecond=0
        )
        while monday <= end:
            self.timeline.at(monday, self._nurture())
            monday += timedelta(days=7)

    def _nurture(self) -> Step:
        async def step() -> None:
            now = clock.now()
            due = [
                deal
                for deal in sorted(self._deals.values(), key=lambda d: d.plan.index)
                if deal.stage == "NEW"
                and deal.plan.created_at < now - NURTURE_AFTER
                and sum(1 for a in deal.plan.activities if a[1] <= now) >= 3
            ]
            for deal in due:
                request = lead_stages.StageRequest(
                    deal.lead_id, "NURTURING", "Added to the nurture programme"
                )
                moved = ok(
                    await lead_stages.move_lead_stage(self.actors["ops"], request),
                    "nurture",
                )
                deal.stage = moved["stage"]
            self.timeline.count("nurtured", len(due))

        return step


def _chunks(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _activity_row(happened: tuple[Any, ...]) -> dict[str, Any]:
    at, index, n, plan, kind, meta = happened
    row: dict[str, Any] = {
        "leadEmail": plan.email,
        "kind": kind,
        "occurredAt": at.isoformat(),
        "externalId": f"ma-{100000 + index}-{n}",
        "source": "marketing-automation",
    }
    if meta:
        row["metadata"] = meta
    return row
