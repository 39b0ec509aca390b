"""Moving leads through the waterfall by hand: `moveLeadStage` and `closeLead`.

`server.domain.leads.stages` decides whether a move may happen; this module makes it:
entering NURTURING or RECYCLED begins a new qualification cycle (qualification
cleared, engagement restarted from activities after now), WON makes the lead a
customer, a marketing manager's move to MQL qualifies it by hand, and amount and
recurring revenue may be set from OPPORTUNITY on. Each move is one transaction:
the stage history row, ``LEAD_STAGE_CHANGED`` (and ``LEAD_QUALIFIED``), the
lead rescored and its version bumped, one audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from server.domain.core.errors import ErrorCode, refuse
from server.domain.leads.qualification import Trigger
from server.domain.leads.stages import AMOUNT_STAGES, LeadStage, Mover, Via, check_move
from server.services.core import mutations
from server.services.core.actors import Actor
from server.services.leads import store as lead_store
from server.services.leads.refresh import refresh
from server.services.leads.scoring import StageMoves, enter_stage, qualify_by_hand
from server.services.leads.store import load_lead
from server.services.waterfall import handoffs
from server.services.waterfall import store as handoff_store

MAX_AMOUNT = Decimal("1e15")


@dataclass(frozen=True)
class StageRequest:
    lead_id: str
    stage: str
    reason: str | None = None
    amount: Decimal | None = None
    recurring: bool | None = None
    expected_version: int | None = None
    via: Via = Via.MOVE


async def move_lead_stage(
    actor: Actor, request: StageRequest
) -> mutations.Outcome[lead_store.LeadRecord]:
    async def body(tx: mutations.Tx) -> lead_store.LeadRecord:
        return await _move(tx, actor, request)

    operation = "closeLead" if request.via is Via.CLOSE else "moveLeadStage"
    return await mutations.run(actor, operation, body)


async def works_lead(actor: Actor, lead: lead_store.LeadRecord) -> bool:
    """Whether the actor owns the lead or is the assignee of its open handoff."""
    if lead["owner_id"] == actor.user_id:
        return True
    handoff = await handoff_store.open_handoff(lead["id"])
    return handoff is not None and handoff.assignee_id == actor.user_id


async def _move(
    tx: mutations.Tx, actor: Actor, request: StageRequest
) -> lead_store.LeadRecord:
    lead = await load_lead(request.lead_id, request.expected_version)
    target = _target(request.stage)
    via = request.via
    if target is LeadStage.MQL and via is Via.MOVE:
        via = Via.MANUAL_QUALIFICATION
    mover = Mover(actor.team, actor.role, await works_lead(actor, lead))
    refusal = check_move(LeadStage(lead["stage"]), target, via, mover, request.reason)
    if refusal is not None:
        raise refusal.error()
    _deal(lead, target, request)
    before = lead["stage"]
    moves = StageMoves()
    reason = (request.reason or "").strip() or None
    if via is Via.MANUAL_QUALIFICATION:
        await qualify_by_hand(tx, lead, moves, reason or "")
    else:
        moves.move(tx, lead, target, via, reason)
        await enter_stage(lead, target, tx)
    if before == LeadStage.MQL and target is LeadStage.NURTURING:
        await handoffs.withdraw_open_handoff(tx, lead["id"])
    await refresh(tx, [lead], moves, Trigger.ACTIVITY)
    tx.audit(
        "Lead", lead["id"], stage={"from": before, "to": target.value}, reason=reason
    )
    return lead


def _target(stage: str) -> LeadStage:
    try:
        return LeadStage(stage)
    except ValueError:
        raise refuse(ErrorCode.INVALID_INPUT, "unknown stage", "stage") from None


def _deal(
    lead: lead_store.LeadRecord, target: LeadStage, request: StageRequest
) -> None:
    """Amount and recurring revenue, allowed from OPPORTUNITY on (a lead lost
    before it became an opportunity has no deal to record)."""
    if request.amount is None and request.recurring is None:
        return
    reached = target in AMOUNT_STAGES and (
        target is not LeadStage.LOST
        or lead["stage"] in {s.value for s in AMOUNT_STAGES}
    )
    if not reached:
        raise refuse(
            ErrorCode.INVALID_INPUT,
            "amount and recurring can be set from OPPORTUNITY on",
            "amount" if request.amount is not None else "recurring",
        )
    if request.amount is not None:
        if not Decimal(0) <= request.amount < MAX_AMOUNT:
            raise refuse(
                ErrorCode.INVALID_INPUT, "give an amount from 0 below 10^15", "amount"
            )
        lead["amount"] = request.amount.quantize(Decimal("0.01"))
    if request.recurring is not None:
        lead["recurring"] = request.recurring
