"""The demo's 90 days, replayed in order through the use cases.

Steps wait in a queue ordered by their instant (ties in the order they were
queued, so a replay is deterministic). Before each step the service clock is
set to its instant. The CRM sync runs three times a day: leads that arrived since
the last one in batches of 500 (`upsertLeads`), then the activities that
happened since, in batches of 1000 (`recordLeadActivities`). A lead the sync
leaves qualified in MQL is handed off by marketing a little later; what sales
then does follows the lead's `HandoffScript` (`server.domain.demo_sales`),
step by step, each at its own instant: a reassignment, the decision, the
follow-ups, the moves down the waterfall. A rejected, recycled lead that
qualifies again is handed off again.
"""

from __future__ import annotations

import heapq
import random
from bisect import bisect_right
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from server.clock import clock
from server.domain.calendar import BusinessCalendar
from server.domain.demo_leads import LeadPlan
from server.domain.demo_sales import (
    Clocks,
    Decision,
    HandoffScript,
    decision_time,
    first_touch_time,
    handoff_script,
    later,
)
from server.domain.stages import Via
from server.services import activities, follow_ups, handoffs, ids, lead_stages, leads
from server.services.actors import Actor
from server.services.mutations import Outcome

T = TypeVar("T")
Step = Callable[[], Awaitable[None]]
SYNC_EVERY = timedelta(hours=8)
NURTURE_AFTER = timedelta(days=21)
UPSERT_BATCH = 500
ACTIVITY_BATCH = 1000
MARKETING_HANDS = ("ops", "campaigns", "content")
SALES_MANAGERS = ("team_lead", "vp_sales")
CHANNELS = ("CALL", "EMAIL", "CALL", "MEETING", "SOCIAL")
LOST_REASONS = ("Chose a competitor", "No decision: project postponed")
SAL_EXITS = {
    "RECYCLED": "No project this year; back to nurture",
    "DISQUALIFIED": "No fleet or warehouse of their own",
}


class DemoFailed(Exception):
    """A use case refused a step of the demo: a bug in the demo or in the use case."""


def ok(outcome: Outcome[T], what: str) -> T:
    """The result of a use case that must succeed."""
    if outcome.errors or outcome.result is None:
        problems = "; ".join(f"{e.code.value}: {e.message}" for e in outcome.errors)
        raise DemoFailed(f"{what}: {problems or 'no result'}")
    return outcome.result


@dataclass
class Deal:
    """What the demo knows of one lead as the history unfolds."""

    plan: LeadPlan
    key: int
    stage: str = "NEW"
    busy: bool = False  # handed off, or about to be, in this cycle
    handoff_id: str = ""
    assignee: int = 0
    handoffs: int = 0

    @property
    def lead_id(self) -> str:
        return ids.encode("Lead", self.key)


@dataclass
class History:
    actors: dict[str, Actor]
    plans: Sequence[LeadPlan]
    calendar: BusinessCalendar | None
    seed: int
    counts: dict[str, int] = field(default_factory=dict)
    _queue: list[tuple[datetime, int, Step]] = field(default_factory=list)
    _queued: int = 0
    _deals: dict[int, Deal] = field(default_factory=dict)  # by lead key

    def at(self, when: datetime, step: Step) -> None:
        heapq.heappush(self._queue, (when, self._queued, step))
        self._queued += 1

    async def run(self, begin: datetime, end: datetime) -> dict[str, int]:
        """Replay every step from `begin` up to `end`; later ones are dropped
        (their handoffs are still waiting at `end`)."""
        self._schedule_syncs(begin, end)
        self._schedule_nurture(begin, end)
        while self._queue and self._queue[0][0] <= end:
            when, _, step = heapq.heappop(self._queue)
            clock.freeze(when)
            await step()
        return self.counts

    def _count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    def _actor_of(self, user_id: int) -> Actor:
        return next(a for a in self.actors.values() if a.user_id == user_id)

    def _rng(self, deal: Deal, purpose: str) -> random.Random:
        return random.Random(
            f"accord-demo/{self.seed}/{deal.plan.index}/{deal.handoffs}/{purpose}"
        )

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
                self.at(moment, self._sync(new, acts))
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
                self._count("leads", len(batch))
            for chunk in _chunks(happened, ACTIVITY_BATCH):
                sent = [_activity_row(a) for a in chunk]
                recorded = ok(
                    await activities.record_lead_activities(ops, sent), "record"
                )
                failed = [r.errors for r in recorded.rows if r.errors]
                if failed:
                    raise DemoFailed(f"activities: {failed[0]}")
                self._watch(recorded.leads)
                self._count("activities", len(chunk))

        return step

    def _watch(self, rows: dict[int, dict[str, Any]]) -> None:
        """Note each lead's stage; hand off the ones that just qualified."""
        for deal in sorted((self._deals[k] for k in rows), key=lambda d: d.plan.index):
            deal.stage = rows[deal.key]["stage"]
            if deal.stage == "MQL" and not deal.busy:
                deal.busy = True
                rng = self._rng(deal, "handoff-delay")
                when = later(rng, self.calendar, clock.now(), (0.1, 3))
                self.at(when, self._hand_off(deal))

    # ---- nurture --------------------------------------------------------------

    def _schedule_nurture(self, begin: datetime, end: datetime) -> None:
        """Every Monday morning marketing puts engaged leads that have not
        qualified in three weeks into the nurture programme."""
        monday = (begin + timedelta(days=7 - begin.weekday())).replace(
            hour=7, minute=0, second=0, microsecond=0
        )
        while monday <= end:
            self.at(monday, self._nurture())
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
            self._count("nurtured", len(due))

        return step

    # ---- handoffs -----------------------------------------------------------

    def _hand_off(self, deal: Deal) -> Step:
        async def step() -> None:
            if deal.stage != "MQL":
                deal.busy = False
                return
            rng = self._rng(deal, "handoff")
            script = handoff_script(rng, deal.plan.row)
            who = self.actors[MARKETING_HANDS[deal.plan.index % len(MARKETING_HANDS)]]
            request = handoffs.HandoffRequest(deal.lead_id, note=_note(deal.plan))
            record = ok(await handoffs.handoff_lead(who, request), "hand off")
            deal.handoffs += 1
            self._count("handoffs")
            self._opened(deal, record)
            chain = record.chain
            clocks = Clocks(
                chain.started_at, chain.accept_due_at, chain.first_touch_due_at
            )
            self._plan_decision(deal, script, clocks, rng)

        return step

    def _opened(self, deal: Deal, record: handoffs.HandoffRecord) -> None:
        deal.handoff_id = ids.encode("Handoff", record.handoff.id)
        deal.assignee = record.handoff.assignee_id

    def _plan_decision(
        self, deal: Deal, script: HandoffScript, clocks: Clocks, rng: random.Random
    ) -> None:
        now = clock.now()
        if script.decision is Decision.WITHDRAW:
            self.at(later(rng, self.calendar, now, (0.5, 3)), self._pull_back(deal))
            return
        if script.decision is Decision.HOLD:
            return
        decided = decision_time(rng, self.calendar, clocks, script.late)
        if script.reassign:
            halfway = now + (decided - now) / 2
            self.at(halfway, self._reassign(deal, rng))
        self.at(decided, self._decide(deal, script, clocks, rng))

    def _pull_back(self, deal: Deal) -> Step:
        async def step() -> None:
            who = self.actors["demand"]
            request = lead_stages.StageRequest(
                deal.lead_id, "NURTURING", "Already in an open opportunity in the CRM"
            )
            moved = ok(await lead_stages.move_lead_stage(who, request), "pull back")
            deal.stage, deal.busy = moved["stage"], False
            self._count("withdrawn")

        return step

    def _reassign(self, deal: Deal, rng: random.Random) -> Step:
        async def step() -> None:
            manager = self.actors[rng.choice(SALES_MANAGERS)]
            reason = "At a customer workshop all day"
            record = ok(
                await handoffs.reassign_handoff(manager, deal.handoff_id, None, reason),
                "reassign",
            )
            self._opened(deal, record)
            self._count("reassigned")

        return step

    def _decide(
        self, deal: Deal, script: HandoffScript, clocks: Clocks, rng: random.Random
    ) -> Step:
        async def step() -> None:
            actor = self._actor_of(deal.assignee)
            rejection = script.rejection
            if rejection is None:
                ok(await handoffs.accept_handoff(actor, deal.handoff_id), "accept")
                deal.stage, deal.busy = "SAL", False
                self._count("accepted")
                self._plan_work(deal, script, clocks, rng)
                return
            why = handoffs.Rejection(
                rejection.reason, rejection.comment, rejection.disposition
            )
            ok(await handoffs.reject_handoff(actor, deal.handoff_id, why), "reject")
            deal.stage = (
                "RECYCLED" if rejection.disposition == "RECYCLE" else "DISQUALIFIED"
            )
            deal.busy = False
            self._count("rejected")

        return step

    # ---- after acceptance ---------------------------------------------------

    def _plan_work(
        self, deal: Deal, script: HandoffScript, clocks: Clocks, rng: random.Random
    ) -> None:
        """Follow-ups, then the moves down the waterfall, each a while later."""
        moment = clock.now()
        for n in range(script.touches):
            if n == 0:
                moment = first_touch_time(
                    rng, self.calendar, clocks, moment, script.first_touch_late
                )
            else:
                moment = later(rng, self.calendar, moment, (3, 20))
            self.at(
                moment, self._follow_up(deal, n, rng.choice(CHANNELS), rng.random())
            )
        for stage in script.path:
            moment = later(rng, self.calendar, moment, (8, 80))
            self.at(moment, self._move(deal, stage, script, rng.choice(LOST_REASONS)))

    def _follow_up(self, deal: Deal, n: int, channel: str, luck: float) -> Step:
        async def step() -> None:
            outcome = "CONNECTED" if luck < 0.35 + 0.15 * n else "ATTEMPTED"
            request = follow_ups.FollowUpRequest(
                deal.lead_id, channel, outcome, occurred_at=clock.now()
            )
            ok(
                await follow_ups.record_follow_up(
                    self._actor_of(deal.assignee), request
                ),
                "follow up",
            )
            self._count("followUps")

        return step

    def _move(self, deal: Deal, stage: str, script: HandoffScript, lost: str) -> Step:
        async def step() -> None:
            reason = SAL_EXITS.get(stage) or (lost if stage == "LOST" else None)
            opportunity = stage == "OPPORTUNITY"
            request = lead_stages.StageRequest(
                deal.lead_id,
                stage,
                reason,
                amount=script.amount if opportunity else None,
                recurring=script.recurring if opportunity else None,
                via=Via.CLOSE if stage in ("WON", "LOST") else Via.MOVE,
            )
            owner = self._actor_of(deal.assignee)
            moved = ok(await lead_stages.move_lead_stage(owner, request), f"to {stage}")
            deal.stage = moved["stage"]
            self._count(f"moved to {stage}")

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


def _note(plan: LeadPlan) -> str:
    row = plan.row
    return f"{row['jobTitle']} at {row['company']} ({row['source']})"
