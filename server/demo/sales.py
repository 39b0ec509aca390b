"""What sales (and marketing, after handing off) do with each qualified lead.

`Sales.hand_off` is queued by the market for every lead that qualifies. The
handoff's `HandoffScript` (`server.demo.plans.sales`) then queues the rest,
each step at its own instant: a manager's reassignment, the decision (in time
or late), marketing pulling the lead back, the follow-ups (the first one in
time or late) and the moves down the waterfall to WON or LOST.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from server.clock import clock
from server.demo.plans.market import LeadPlan
from server.demo.plans.sales import (
    Clocks,
    Decision,
    HandoffScript,
    decision_time,
    first_touch_time,
    handoff_script,
    later,
)
from server.demo.timeline import Step, Timeline, ok
from server.domain.agreements.calendar import BusinessCalendar
from server.domain.leads.stages import Via
from server.services.core import ids
from server.services.core.actors import Actor
from server.services.feedback import ratings as lead_feedback
from server.services.waterfall import follow_ups, handoffs
from server.services.waterfall import moves as lead_stages

MARKETING_HANDS = ("ops", "campaigns", "content")
SALES_MANAGERS = ("team_lead", "vp_sales")
CHANNELS = ("CALL", "EMAIL", "CALL", "MEETING", "SOCIAL")
LOST_REASONS = ("Chose a competitor", "No decision: project postponed")
SAL_EXITS = {
    "RECYCLED": "No project this year; back to nurture",
    "DISQUALIFIED": "No fleet or warehouse of their own",
}


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
class Sales:
    timeline: Timeline
    actors: dict[str, Actor]
    calendar: BusinessCalendar | None
    seed: int

    def rng(self, deal: Deal, purpose: str) -> random.Random:
        """A generator of its own per lead, cycle and purpose: what happens to
        one lead never depends on the order others were handled in."""
        return random.Random(
            f"accord-demo/{self.seed}/{deal.plan.index}/{deal.handoffs}/{purpose}"
        )

    def _actor_of(self, user_id: int) -> Actor:
        return next(a for a in self.actors.values() if a.user_id == user_id)

    def hand_off(self, deal: Deal) -> Step:
        """Marketing hands the qualified lead over; its script decides the rest."""

        async def step() -> None:
            if deal.stage != "MQL":
                deal.busy = False
                return
            rng = self.rng(deal, "handoff")
            script = handoff_script(rng, deal.plan.row)
            who = self.actors[MARKETING_HANDS[deal.plan.index % len(MARKETING_HANDS)]]
            request = handoffs.HandoffRequest(deal.lead_id, note=_note(deal.plan))
            record = ok(await handoffs.handoff_lead(who, request), "hand off")
            deal.handoffs += 1
            self.timeline.count("handoffs")
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
            self.timeline.at(
                later(rng, self.calendar, now, (0.5, 3)), self._pull_back(deal)
            )
            return
        if script.decision is Decision.HOLD:
            return
        decided = decision_time(rng, self.calendar, clocks, script.late)
        if script.reassign:
            halfway = now + (decided - now) / 2
            self.timeline.at(halfway, self._reassign(deal, rng))
        self.timeline.at(decided, self._decide(deal, script, clocks, rng))

    def _pull_back(self, deal: Deal) -> Step:
        async def step() -> None:
            who = self.actors["demand"]
            request = lead_stages.StageRequest(
                deal.lead_id, "NURTURING", "Already in an open opportunity in the CRM"
            )
            moved = ok(await lead_stages.move_lead_stage(who, request), "pull back")
            deal.stage, deal.busy = moved["stage"], False
            self.timeline.count("withdrawn")

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
            self.timeline.count("reassigned")

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
                self.timeline.count("accepted")
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
            self.timeline.count("rejected")
            # the rep who rejected it says how poor the lead was
            poor = 1 + (self.rng(deal, "feedback").random() < 0.4)
            await self._feedback(
                deal, actor, poor, (rejection.reason,), rejection.comment
            )

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
            self.timeline.at(
                moment, self._follow_up(deal, n, rng.choice(CHANNELS), rng.random())
            )
        for stage in script.path:
            moment = later(rng, self.calendar, moment, (8, 80))
            self.timeline.at(
                moment, self._move(deal, stage, script, rng.choice(LOST_REASONS))
            )

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
            self.timeline.count("followUps")

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
            self.timeline.count(f"moved to {stage}")
            if stage in ("WON", "LOST"):
                # the owner rates the lead once the deal is closed
                await self._feedback(deal, owner, 5 if stage == "WON" else 3, ())

        return step

    async def _feedback(
        self,
        deal: Deal,
        actor: Actor,
        rating: int,
        reasons: tuple[str, ...],
        comment: str | None = None,
    ) -> None:
        request = lead_feedback.FeedbackRequest(deal.lead_id, rating, reasons, comment)
        ok(await lead_feedback.submit_lead_feedback(actor, request), "feedback")
        self.timeline.count("feedback")


def _note(plan: LeadPlan) -> str:
    row = plan.row
    return f"{row['jobTitle']} at {row['company']} ({row['source']})"
