"""`recordFollowUp`: sales touches a handed-off lead (SPEC §2.4).

The follow-up belongs to the lead's latest chain. It counts for the clocks at
its ``occurredAt`` (bounded to [chain start, now]) unless it was recorded more
than an hour late, then at its recording time; the chain's ``firstTouchAt`` is
the earliest counted touch by a sales user and every one adds a touch attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from server.domain.core.errors import ErrorCode, refuse
from server.domain.core.instants import as_utc
from server.domain.core.outbox import EventKind
from server.domain.leads.stages import Refusal
from server.domain.waterfall.clocks import business_hours_taken
from server.domain.waterfall.handoffs import (
    FollowUpChannel,
    FollowUpOutcome,
    FollowUpTime,
    check_follow_up_request,
    check_follow_up_time,
)
from server.models.waterfall import FollowUp, HandoffChain
from server.services.core import mutations
from server.services.core.actors import Actor
from server.services.leads import store as lead_store
from server.services.waterfall import store
from server.services.waterfall.reads import chain_terms
from server.services.waterfall.store import decider


@dataclass(frozen=True)
class FollowUpRequest:
    lead_id: str
    channel: str
    outcome: str
    occurred_at: datetime | None = None
    note: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class Recorded:
    follow_up: FollowUp
    chain: HandoffChain


async def _load(saved: dict[str, Any]) -> Recorded:
    follow_up = await FollowUp.get(id=int(saved["followUp"]))
    return Recorded(follow_up, await HandoffChain.get(id=follow_up.chain_id))


async def record_follow_up(
    actor: Actor, request: FollowUpRequest
) -> mutations.Outcome[Recorded]:
    async def body(tx: mutations.Tx) -> Recorded:
        return await _record(tx, actor, request)

    idempotency = mutations.Idempotency(
        request.idempotency_key,
        {
            "leadId": request.lead_id,
            "channel": request.channel,
            "outcome": request.outcome,
            "occurredAt": _instant_text(request.occurred_at),
            "note": request.note,
        },
        lambda r: {"followUp": r.follow_up.id},
        _load,
    )
    return await mutations.run(actor, "recordFollowUp", body, idempotency)


def _instant_text(moment: datetime | None) -> str | None:
    """`occurredAt` as compared for idempotency: one instant, one text, whatever
    offset it was written with."""
    if moment is None or moment.utcoffset() is None:
        return None if moment is None else moment.isoformat()
    return as_utc(moment).isoformat()


async def _record(tx: mutations.Tx, actor: Actor, request: FollowUpRequest) -> Recorded:
    lead = await lead_store.load_lead(request.lead_id, None)
    chain = await store.latest_chain(lead["id"])
    open_handoff = await store.open_handoff(lead["id"])
    problem = check_follow_up_request(
        decider(actor),
        lead["owner_id"],
        open_handoff.assignee_id if open_handoff else None,
        chain is not None,
        request.note,
    )
    if problem is not None:
        raise problem.error()
    assert chain is not None
    _check_choices(request)
    timing = check_follow_up_time(request.occurred_at, chain.started_at, tx.now)
    if isinstance(timing, Refusal):
        raise timing.error()
    follow_up = await FollowUp.create(
        lead_id=lead["id"],
        chain_id=chain.id,
        user_id=actor.user_id,
        channel=request.channel,
        outcome=request.outcome,
        occurred_at=timing.occurred_at,
        recorded_at=tx.now,
        counts_at=timing.counts_at,
        note=(request.note or "").strip() or None,
    )
    await _touch(chain, timing)
    tx.emit(
        EventKind.FOLLOW_UP_RECORDED,
        "Lead",
        lead["id"],
        {
            "followUp": follow_up.id,
            "chain": chain.id,
            "channel": request.channel,
            "outcome": request.outcome,
            "countsAt": timing.counts_at.isoformat(),
        },
    )
    tx.audit("FollowUp", follow_up.id, lead=lead["id"], chain=chain.id)
    return Recorded(follow_up, chain)


def _check_choices(request: FollowUpRequest) -> None:
    if request.channel not in FollowUpChannel.__members__:
        raise refuse(ErrorCode.INVALID_INPUT, "unknown channel", "channel")
    if request.outcome not in FollowUpOutcome.__members__:
        raise refuse(ErrorCode.INVALID_INPUT, "unknown outcome", "outcome")


async def _touch(chain: HandoffChain, timing: FollowUpTime) -> None:
    chain.touch_attempts += 1
    if chain.first_touch_at is None or timing.counts_at < chain.first_touch_at:
        chain.first_touch_at = timing.counts_at
        chain.first_touch_business_hours = business_hours_taken(
            await chain_terms(chain), chain.started_at, timing.counts_at
        )
    await chain.save()
