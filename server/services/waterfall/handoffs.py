"""Handoff: marketing's qualified lead becomes a sales user's obligation (SPEC §2.4).

`handoff_lead` opens a chain with its SLA clocks fixed from the revision in
force (`server.domain.waterfall.clocks.compute_clocks`) and a PENDING handoff to
a named or routed assignee. A decision (`accept_handoff`, `reject_handoff`)
happens exactly once: the lead row is locked first and the handoff must still be
PENDING, so concurrent deciders leave one winner and ALREADY_DECIDED for the
rest. A
reassignment closes the handoff as REASSIGNED and opens the next one of the same
chain, which keeps the chain's deadlines (a breach stays a breach). The lead's
waterfall moves out of MQL happen here (Via.HANDOFF_DECISION).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from server.domain.core.errors import ErrorCode, refuse
from server.domain.core.outbox import EventKind
from server.domain.leads.qualification import Trigger
from server.domain.leads.stages import Refusal, Via
from server.domain.waterfall.clocks import (
    NO_CLOCKS,
    business_hours_taken,
    compute_clocks,
    touch_window_end,
)
from server.domain.waterfall.handoffs import (
    HandoffPlan,
    HandoffStatus,
    ReassignCause,
    check_decision,
    check_handoff_request,
    check_reassignment,
    check_rejection,
    decision_stage,
    owner_after_decision,
)
from server.domain.waterfall.routing import check_assignee, exclude, pick
from server.models.waterfall import Handoff, HandoffChain
from server.services.core import ids, mutations
from server.services.core.actors import Actor
from server.services.leads import store as lead_store
from server.services.leads.refresh import refresh
from server.services.leads.scoring import StageMoves, enter_stage, qualify_by_hand
from server.services.waterfall import store
from server.services.waterfall.reads import chain_terms


@dataclass(frozen=True)
class HandoffRecord:
    handoff: Handoff
    chain: HandoffChain


@dataclass(frozen=True)
class HandoffRequest:
    lead_id: str
    assignee_id: str | None = None
    note: str | None = None
    override_reason: str | None = None
    idempotency_key: str | None = None


async def record_of(handoff_id: int) -> HandoffRecord:
    handoff = await Handoff.get(id=handoff_id)
    chain = await HandoffChain.get(id=handoff.chain_id)
    return HandoffRecord(handoff, chain)


def _dump(record: HandoffRecord) -> dict[str, Any]:
    return {"handoff": record.handoff.id}


async def _load(saved: dict[str, Any]) -> HandoffRecord:
    return await record_of(int(saved["handoff"]))


async def handoff_lead(
    actor: Actor, request: HandoffRequest
) -> mutations.Outcome[HandoffRecord]:
    async def body(tx: mutations.Tx) -> HandoffRecord:
        return await _hand_off(tx, actor, request)

    idempotency = mutations.Idempotency(
        request.idempotency_key,
        {
            "leadId": request.lead_id,
            "assigneeId": request.assignee_id,
            "note": request.note,
            "overrideReason": request.override_reason,
        },
        _dump,
        _load,
    )
    return await mutations.run(actor, "handoffLead", body, idempotency)


async def _hand_off(
    tx: mutations.Tx, actor: Actor, request: HandoffRequest
) -> HandoffRecord:
    lead = await lead_store.load_lead(request.lead_id, None)
    existing = await store.open_handoff(lead["id"])
    verdict = check_handoff_request(
        lead["stage"],
        lead["qualified"],
        existing is not None,
        actor.team,
        actor.role,
        request.override_reason,
    )
    if isinstance(verdict, Refusal):
        found = await record_of(existing.id) if existing is not None else None
        raise verdict.error(found)
    assignee = await _assignee(request.assignee_id, exclude_ids=())
    moves = StageMoves()
    if verdict.moves_to_mql:
        await qualify_by_hand(tx, lead, moves, request.override_reason or "")
    record = await _open_chain(tx, lead, assignee, request, verdict)
    await refresh(tx, [lead], moves, Trigger.ACTIVITY)
    _emit(tx, EventKind.HANDOFF_CREATED, record)
    tx.audit("Handoff", record.handoff.id, lead=lead["id"], assignee=assignee)
    return record


async def _assignee(given: str | None, exclude_ids: tuple[int, ...]) -> int:
    """The named assignee (who must be able to take it), or the next one the
    SLA's routing picks from the pool (empty pool: INVALID_INPUT)."""
    if given is not None:
        key = ids.decode(given, "User", "assigneeId")
        user = await store.user(key)
        if user is None:
            raise refuse(ErrorCode.NOT_FOUND, "no such user", "assigneeId")
        problem = check_assignee(
            user.team, user.role, active=user.active, out_of_office=user.out_of_office
        )
        if problem is not None:
            raise problem.error()
        return key
    chosen = await route(exclude_ids)
    if chosen is None:
        raise refuse(
            ErrorCode.INVALID_INPUT,
            "nobody is in the routing pool: name an assignee",
            "assigneeId",
        )
    return chosen


async def route(exclude_ids: tuple[int, ...]) -> int | None:
    """Pick from the routing pool under the SLA's policy and pass the turn."""
    policy = await store.routing_policy()
    last = await store.take_turn()
    pool = exclude(await store.routing_pool(), exclude_ids)
    chosen = pick(policy, pool, last)
    if chosen is not None:
        await store.pass_turn(chosen)
    return chosen


async def _open_chain(
    tx: mutations.Tx,
    lead: lead_store.LeadRecord,
    assignee: int,
    request: HandoffRequest,
    plan: HandoffPlan,
) -> HandoffRecord:
    sla = await store.sla_in_force(tx.now)
    clocks = compute_clocks(sla.terms, tx.now) if sla else NO_CLOCKS
    chain = await HandoffChain.create(
        lead_id=lead["id"],
        started_at=tx.now,
        sla_id=sla.agreement_id if sla else None,
        sla_revision=sla.revision if sla else None,
        accept_due_at=clocks.accept_due_at,
        accept_at_risk_at=clocks.accept_at_risk_at,
        first_touch_due_at=clocks.first_touch_due_at,
        first_touch_at_risk_at=clocks.first_touch_at_risk_at,
        persona_id=lead["persona_id"],
        qualified_by=lead["qualified_by"] if lead["qualified"] else None,
    )
    handoff = await _new_handoff(
        tx,
        chain,
        lead["id"],
        assignee,
        previous=None,
        note=(request.note or "").strip() or None,
        override=request.override_reason.strip()
        if plan.override and request.override_reason
        else None,
    )
    return HandoffRecord(handoff, chain)


async def _new_handoff(
    tx: mutations.Tx,
    chain: HandoffChain,
    lead_id: int,
    assignee: int,
    *,
    previous: Handoff | None,
    note: str | None = None,
    override: str | None = None,
    cause: ReassignCause | None = None,
) -> Handoff:
    return await Handoff.create(
        chain_id=chain.id,
        lead_id=lead_id,
        previous_id=previous.id if previous else None,
        from_user_id=tx.actor.user_id if tx.actor else None,
        assignee_id=assignee,
        status=HandoffStatus.PENDING.value,
        open_lead=lead_id,
        handed_off_at=tx.now,
        sort_due_at=chain.accept_due_at or store.NO_DEADLINE,
        note=note,
        override_reason=override,
        reassign_cause=cause.value if cause else None,
    )


def _emit(
    tx: mutations.Tx, kind: EventKind, record: HandoffRecord, **extra: Any
) -> None:
    handoff, chain = record.handoff, record.chain
    tx.emit(
        kind,
        "Handoff",
        handoff.id,
        {
            "lead": handoff.lead_id,
            "chain": chain.id,
            "assignee": handoff.assignee_id,
            "acceptDueAt": _iso(chain.accept_due_at),
            "firstTouchDueAt": _iso(chain.first_touch_due_at),
            **extra,
        },
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


# ---- decisions ------------------------------------------------------------------


@dataclass(frozen=True)
class Rejection:
    reason: str
    comment: str | None
    disposition: str


async def accept_handoff(
    actor: Actor, handoff_id: str
) -> mutations.Outcome[HandoffRecord]:
    async def body(tx: mutations.Tx) -> HandoffRecord:
        return await _decide(tx, actor, handoff_id, None)

    return await mutations.run(actor, "acceptHandoff", body)


async def reject_handoff(
    actor: Actor, handoff_id: str, rejection: Rejection
) -> mutations.Outcome[HandoffRecord]:
    async def body(tx: mutations.Tx) -> HandoffRecord:
        return await _decide(tx, actor, handoff_id, rejection)

    return await mutations.run(actor, "rejectHandoff", body)


async def locked(
    handoff_id: str,
) -> tuple[lead_store.LeadRecord, Handoff, HandoffChain]:
    """The handoff, its lead and its chain, locked in that order (lead first, as
    every lead change does, so deciders queue on the lead row)."""
    key = ids.decode(handoff_id, "Handoff", "handoffId")
    found = await Handoff.get_or_none(id=key)
    if found is None:
        raise refuse(ErrorCode.NOT_FOUND, "no such handoff", "handoffId")
    lead = await lead_store.load_lead(ids.encode("Lead", found.lead_id), None)
    handoff = await store.lock_handoff(key)
    assert handoff is not None
    return lead, handoff, await store.chain_of(handoff)


async def _decide(
    tx: mutations.Tx, actor: Actor, handoff_id: str, rejection: Rejection | None
) -> HandoffRecord:
    lead, handoff, chain = await locked(handoff_id)
    problem = check_decision(handoff.status, handoff.assignee_id, store.decider(actor))
    if problem is None and rejection is not None:
        problem = check_rejection(
            rejection.reason, rejection.comment, rejection.disposition
        )
    if problem is not None:
        raise problem.error()
    accepted = rejection is None
    await close_decided(tx, handoff, chain, accepted, rejection)
    target = decision_stage(accepted, rejection.disposition if rejection else None)
    moves = StageMoves()
    moves.move(tx, lead, target, Via.HANDOFF_DECISION, _why(rejection))
    await enter_stage(lead, target, tx)
    lead["owner_id"] = owner_after_decision(
        accepted, lead["owner_id"], handoff.assignee_id
    )
    await refresh(tx, [lead], moves, Trigger.ACTIVITY)
    record = HandoffRecord(handoff, chain)
    kind = EventKind.HANDOFF_ACCEPTED if accepted else EventKind.HANDOFF_REJECTED
    _emit(tx, kind, record, **({"reason": rejection.reason} if rejection else {}))
    tx.audit("Handoff", handoff.id, status=handoff.status, lead=lead["id"])
    return record


def _why(rejection: Rejection | None) -> str | None:
    if rejection is None:
        return "handoff accepted"
    return f"handoff rejected: {rejection.reason}"


async def auto_accept(
    tx: mutations.Tx,
    lead: lead_store.LeadRecord,
    record: HandoffRecord,
    moves: StageMoves,
) -> None:
    """The sweeper's AUTO_ACCEPT at the accept deadline: accepted as
    `acceptHandoff` does (the lead to SAL, owned by the assignee) but by nobody,
    so it counts as accepted and never as on time. The lead is locked by the
    caller, which saves it with its moves (`refresh`)."""
    handoff, chain = record.handoff, record.chain
    await close_decided(tx, handoff, chain, True, None, auto=True)
    target = decision_stage(True)
    moves.move(tx, lead, target, Via.HANDOFF_DECISION, "accepted automatically")
    await enter_stage(lead, target, tx)
    lead["owner_id"] = owner_after_decision(True, lead["owner_id"], handoff.assignee_id)
    _emit(tx, EventKind.HANDOFF_ACCEPTED, record, autoAccepted=True)


async def close_decided(
    tx: mutations.Tx,
    handoff: Handoff,
    chain: HandoffChain,
    accepted: bool,
    rejection: Rejection | None,
    *,
    auto: bool = False,
) -> None:
    """Record the decision on the handoff and its chain (the chain's accept
    clock stops at its first decision)."""
    handoff.status = (
        HandoffStatus.ACCEPTED if accepted else HandoffStatus.REJECTED
    ).value
    handoff.open_lead = None
    handoff.decided_at = tx.now
    handoff.decided_by_id = tx.actor.user_id if tx.actor and not auto else None
    if rejection is not None:
        handoff.rejection_reason = rejection.reason
        handoff.rejection_comment = (rejection.comment or "").strip() or None
        handoff.disposition = rejection.disposition
    await handoff.save()
    chain.decision = handoff.status
    chain.decided_at = tx.now
    chain.auto_accepted = auto
    terms = await chain_terms(chain)
    chain.decision_business_hours = business_hours_taken(
        terms, chain.started_at, tx.now
    )
    if accepted and terms is not None:
        chain.touch_window_ends_at = touch_window_end(
            terms.calendar, tx.now, terms.touch_window_days
        )
        chain.touch_attempts_needed = terms.min_touch_attempts
    await chain.save()


# ---- reassignment -----------------------------------------------------------------


async def reassign_handoff(
    actor: Actor, handoff_id: str, assignee_id: str | None, reason: str | None
) -> mutations.Outcome[HandoffRecord]:
    async def body(tx: mutations.Tx) -> HandoffRecord:
        _, handoff, chain = await locked(handoff_id)
        chosen = await _assignee(assignee_id, exclude_ids=(handoff.assignee_id,))
        problem = check_reassignment(
            handoff.status, handoff.assignee_id, chosen, store.decider(actor)
        )
        if problem is not None:
            raise problem.error()
        record = await move_to(tx, handoff, chain, chosen, ReassignCause.MANUAL, reason)
        tx.audit("Handoff", record.handoff.id, previous=handoff.id, assignee=chosen)
        return record

    return await mutations.run(actor, "reassignHandoff", body)


async def move_to(
    tx: mutations.Tx,
    handoff: Handoff,
    chain: HandoffChain,
    assignee: int,
    cause: ReassignCause,
    note: str | None = None,
) -> HandoffRecord:
    """Close the handoff as REASSIGNED and open the next one of its chain."""
    handoff.status = HandoffStatus.REASSIGNED.value
    handoff.open_lead = None
    await handoff.save()
    if cause is not ReassignCause.MANUAL:
        chain.sweeper_reassignments += 1
        await chain.save()
    following = await _new_handoff(
        tx,
        chain,
        handoff.lead_id,
        assignee,
        previous=handoff,
        note=(note or "").strip() or None,
        cause=cause,
    )
    record = HandoffRecord(following, chain)
    _emit(
        tx,
        EventKind.HANDOFF_REASSIGNED,
        record,
        previous=handoff.id,
        previousAssignee=handoff.assignee_id,
        cause=cause.value,
    )
    return record


async def withdraw_open_handoff(tx: mutations.Tx, lead_id: int) -> None:
    """Marketing pulled the lead back: its open handoff becomes WITHDRAWN."""
    handoff = await store.open_handoff(lead_id)
    if handoff is None:
        return
    chain = await store.chain_of(handoff)
    handoff.status = HandoffStatus.WITHDRAWN.value
    handoff.open_lead = None
    await handoff.save()
    chain.withdrawn_at = tx.now
    await chain.save()
    _emit(tx, EventKind.HANDOFF_WITHDRAWN, HandoffRecord(handoff, chain))
