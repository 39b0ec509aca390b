"""Handoffs as read: the `Handoff` type with its deadlines, statuses and chain,
`FollowUp`, `node` for both, `handoffs` and `myQueue`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeAlias

import strawberry

from schema.agreements.kinds import ServiceLevelAgreement, agreement_type
from schema.context import Context, Info
from schema.core.permissions import require
from schema.core.relay import (
    Connection,
    Node,
    NodeType,
    connection,
    page_request,
)
from schema.leads.types import Lead, lead_type
from schema.people.users import OrderDirection, User, user_by_key
from server.domain.waterfall import clocks as sla
from server.domain.waterfall import handoffs as rules
from server.services.core import ids
from server.services.core.pagination import Page, PageRequest
from server.services.waterfall import chains
from server.services.waterfall import reads as handoff_reads

if TYPE_CHECKING:
    from server import models

strawberry.enum(rules.HandoffStatus, name="HandoffStatus")
strawberry.enum(rules.RejectionReason, name="RejectionReason")
strawberry.enum(rules.Disposition, name="RejectionDisposition")
strawberry.enum(rules.FollowUpChannel, name="FollowUpChannel")
strawberry.enum(rules.FollowUpOutcome, name="FollowUpOutcome")
strawberry.enum(rules.ReassignCause, name="ReassignCause")
strawberry.enum(sla.ClockStatus, name="ClockStatus")
strawberry.enum(chains.ChainOutcome, name="ChainOutcome")
ChainOutcome: TypeAlias = chains.ChainOutcome
HandoffStatus: TypeAlias = rules.HandoffStatus
RejectionReason: TypeAlias = rules.RejectionReason
RejectionDisposition: TypeAlias = rules.Disposition
FollowUpChannel: TypeAlias = rules.FollowUpChannel
FollowUpOutcome: TypeAlias = rules.FollowUpOutcome
ReassignCause: TypeAlias = rules.ReassignCause
ClockStatus: TypeAlias = sla.ClockStatus


@strawberry.type
class HandoffRejection:
    reason: RejectionReason
    comment: str | None
    disposition: RejectionDisposition


@strawberry.type
class Handoff(Node):
    id: strawberry.ID
    status: HandoffStatus
    handed_off_at: datetime
    note: str | None
    override_reason: str | None
    reassign_cause: ReassignCause | None
    decided_at: datetime | None = strawberry.field(
        description="When this handoff was accepted or rejected."
    )
    chain_started_at: datetime
    accept_due_at: datetime | None
    accept_at_risk_at: datetime | None
    first_touch_due_at: datetime | None
    first_touch_at_risk_at: datetime | None
    auto_accepted: bool
    first_touch_at: datetime | None
    touch_attempts: int
    accept_business_hours: Decimal | None = strawberry.field(
        description="Business hours from the chain's first handoff to its decision."
    )
    first_touch_business_hours: Decimal | None
    rejection: HandoffRejection | None
    accept_status: ClockStatus
    first_touch_status: ClockStatus
    sla_status: ClockStatus
    sla_revision: int | None
    _key: strawberry.Private[int]
    _lead: strawberry.Private[int]
    _chain: strawberry.Private[int]
    _sla: strawberry.Private[int | None]
    _previous: strawberry.Private[int | None]
    _from_user: strawberry.Private[int | None]
    _assignee: strawberry.Private[int]
    _decided_by: strawberry.Private[int | None]

    @strawberry.field
    async def lead(self, info: Info) -> Lead | None:
        row = await info.context.loader("lead").load(self._lead)
        return lead_type(row) if row else None

    @strawberry.field
    async def from_user(self, info: Info) -> User | None:
        return await user_by_key(info, self._from_user)

    @strawberry.field
    async def assignee(self, info: Info) -> User | None:
        return await user_by_key(info, self._assignee)

    @strawberry.field
    async def decided_by(self, info: Info) -> User | None:
        return await user_by_key(info, self._decided_by)

    @strawberry.field(description="The SLA whose revision decided the deadlines.")
    async def sla(self, info: Info) -> ServiceLevelAgreement | None:
        if self._sla is None:
            return None
        row = await info.context.loader("agreement").load(self._sla)
        found: ServiceLevelAgreement | None = agreement_type(row) if row else None  # type: ignore[assignment]
        return found

    @strawberry.field
    async def previous(self, info: Info) -> Handoff | None:
        if self._previous is None:
            return None
        return await _one(info, self._previous)

    @strawberry.field(description="The first handoff of this chain.")
    async def chain_root(self, info: Info) -> Handoff | None:
        found = await info.context.loader("chain_handoffs").load(self._chain)
        return (await handoff_types(found[:1]))[0] if found else None

    @strawberry.field(description="Every handoff of this chain, first to last.")
    async def chain(self, info: Info) -> list[Handoff]:
        found = await info.context.loader("chain_handoffs").load(self._chain)
        return await handoff_types(found)


@strawberry.type
class FollowUp(Node):
    id: strawberry.ID
    channel: FollowUpChannel
    outcome: FollowUpOutcome
    occurred_at: datetime
    recorded_at: datetime
    counts_at: datetime = strawberry.field(
        description="When it counts for the clocks: its recording time when "
        "entered more than an hour after occurredAt."
    )
    note: str | None
    _user: strawberry.Private[int | None]

    @strawberry.field
    async def user(self, info: Info) -> User | None:
        return await user_by_key(info, self._user)


def follow_up_type(row: models.FollowUp) -> FollowUp:
    return FollowUp(
        id=strawberry.ID(ids.encode("FollowUp", row.id)),
        channel=rules.FollowUpChannel(row.channel),
        outcome=rules.FollowUpOutcome(row.outcome),
        occurred_at=row.occurred_at,
        recorded_at=row.recorded_at,
        counts_at=row.counts_at,
        note=row.note,
        _user=row.user_id,
    )


def handoff_type(
    row: models.Handoff, chain: models.HandoffChain, now: datetime
) -> Handoff:
    clocks = sla.SlaClocks(
        chain.accept_due_at,
        chain.accept_at_risk_at,
        chain.first_touch_due_at,
        chain.first_touch_at_risk_at,
    )
    accept = sla.accept_status(
        clocks,
        chain.decided_at,
        now,
        auto_accepted=chain.auto_accepted,
        withdrawn_at=chain.withdrawn_at,
    )
    touch = sla.first_touch_status(
        clocks,
        chain.first_touch_at,
        now,
        rejected_at=chain.decided_at if chain.decision == "REJECTED" else None,
        withdrawn_at=chain.withdrawn_at,
    )
    return Handoff(
        id=strawberry.ID(ids.encode("Handoff", row.id)),
        status=rules.HandoffStatus(row.status),
        handed_off_at=row.handed_off_at,
        note=row.note,
        override_reason=row.override_reason,
        reassign_cause=rules.ReassignCause(row.reassign_cause)
        if row.reassign_cause
        else None,
        decided_at=row.decided_at,
        chain_started_at=chain.started_at,
        accept_due_at=chain.accept_due_at,
        accept_at_risk_at=chain.accept_at_risk_at,
        first_touch_due_at=chain.first_touch_due_at,
        first_touch_at_risk_at=chain.first_touch_at_risk_at,
        auto_accepted=chain.auto_accepted,
        first_touch_at=chain.first_touch_at,
        touch_attempts=chain.touch_attempts,
        accept_business_hours=_hours(chain.decision_business_hours),
        first_touch_business_hours=_hours(chain.first_touch_business_hours),
        rejection=rejection_of(row),
        accept_status=accept,
        first_touch_status=touch,
        sla_status=sla.sla_status(accept, touch),
        sla_revision=chain.sla_revision,
        _key=row.id,
        _lead=row.lead_id,
        _chain=row.chain_id,
        _sla=chain.sla_id,
        _previous=row.previous_id,
        _from_user=row.from_user_id,
        _assignee=row.assignee_id,
        _decided_by=row.decided_by_id,
    )


def _hours(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.normalize()


def rejection_of(row: models.Handoff) -> HandoffRejection | None:
    if row.rejection_reason is None or row.disposition is None:
        return None
    return HandoffRejection(
        reason=rules.RejectionReason(row.rejection_reason),
        comment=row.rejection_comment,
        disposition=rules.Disposition(row.disposition),
    )


async def handoff_types(rows: Sequence[models.Handoff]) -> list[Handoff]:
    """Handoffs with their chains (joined when read; else one statement)."""
    chains = await handoff_reads.chains_of(rows)
    now = handoff_reads.now()
    return [handoff_type(row, chains[row.chain_id], now) for row in rows]


async def handoff_connection(page: Page[Any]) -> Connection[Handoff]:
    types = {t._key: t for t in await handoff_types(page.rows)}
    return connection(page, lambda row: types[row.id])


async def _one(info: Info, key: int) -> Handoff | None:
    row = await info.context.loader("handoff").load(key)
    return (await handoff_types([row]))[0] if row else None


@strawberry.enum
class HandoffOrderField(Enum):
    DUE = "DUE"
    CREATED_AT = "CREATED_AT"


@strawberry.input
class HandoffOrder:
    field: HandoffOrderField = HandoffOrderField.DUE
    direction: OrderDirection = OrderDirection.ASC


@strawberry.input
class HandoffFilter:
    status: list[HandoffStatus] | None = None
    assignee_ids: list[strawberry.ID] | None = None
    accept_status: list[ClockStatus] | None = None
    first_touch_status: list[ClockStatus] | None = None
    sla_status: list[ClockStatus] | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    due_from: datetime | None = None
    due_to: datetime | None = None
    latest_in_chain: bool | None = strawberry.field(
        default=None,
        description="Only each chain's last handoff (true): one row per chain, "
        "as the dashboard counts them.",
    )
    chain_started_from: datetime | None = None
    chain_started_to: datetime | None = None
    chain_persona_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="The lead's persona when the chain began."
    )
    chain_outcomes: list[ChainOutcome] | None = None
    auto_accepted: bool | None = None
    touched: bool | None = strawberry.field(
        default=None, description="The chain has had its first touch."
    )
    rejection_reasons: list[RejectionReason] | None = None
    first_touch_due_from: datetime | None = None
    first_touch_due_to: datetime | None = None
    touch_window_ends_from: datetime | None = strawberry.field(
        default=None,
        description="The touch-attempts window (fixed at acceptance) closes at or "
        "after this instant.",
    )
    touch_window_ends_to: datetime | None = None
    touch_attempts_met: bool | None = strawberry.field(
        default=None,
        description="The SLA's minimum touch attempts were made within the window.",
    )


def _chain_filter(f: HandoffFilter) -> chains.ChainFilter:
    return chains.ChainFilter(
        latest_in_chain=f.latest_in_chain,
        started_from=f.chain_started_from,
        started_to=f.chain_started_to,
        persona_ids=tuple(
            ids.decode(p, "Persona", "filter", "chainPersonaIds")
            for p in f.chain_persona_ids or ()
        ),
        outcomes=tuple(f.chain_outcomes or ()),
        auto_accepted=f.auto_accepted,
        touched=f.touched,
        rejection_reasons=tuple(r.value for r in f.rejection_reasons or ()),
        first_touch_due_from=f.first_touch_due_from,
        first_touch_due_to=f.first_touch_due_to,
        touch_window_ends_from=f.touch_window_ends_from,
        touch_window_ends_to=f.touch_window_ends_to,
        touch_attempts_met=f.touch_attempts_met,
    )


def _filter(f: HandoffFilter) -> handoff_reads.HandoffFilter:
    return handoff_reads.HandoffFilter(
        status=tuple(s.value for s in f.status or ()),
        assignee_ids=tuple(
            ids.decode(a, "User", "filter", "assigneeIds") for a in f.assignee_ids or ()
        ),
        accept_status=tuple(f.accept_status or ()),
        first_touch_status=tuple(f.first_touch_status or ()),
        sla_status=tuple(f.sla_status or ()),
        created_from=f.created_from,
        created_to=f.created_to,
        due_from=f.due_from,
        due_to=f.due_to,
        chain=_chain_filter(f),
    )


@strawberry.type
class HandoffQueries:
    @strawberry.field(description="Handoffs, filtered by status, assignee, clocks.")
    async def handoffs(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: HandoffFilter | None = None,
        order_by: HandoffOrder | None = None,
    ) -> Connection[Handoff]:
        require(info, "handoffs")
        page = await handoffs_page(
            filter, order_by, page_request(first, after, last, before)
        )
        return await handoff_connection(page)

    @strawberry.field(description="The viewer's open handoffs, soonest deadline first.")
    async def my_queue(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Handoff]:
        actor = require(info, "myQueue")
        page = await handoff_reads.my_queue(
            actor.user_id, page_request(first, after, last, before)
        )
        return await handoff_connection(page)


async def handoffs_page(
    filter: HandoffFilter | None, order_by: HandoffOrder | None, request: PageRequest
) -> Page[Any]:
    """The `handoffs` connection's page of rows (also `schema.waterfall.compiled`)."""
    order = order_by or HandoffOrder()
    return await handoff_reads.list_handoffs(
        _filter(filter or HandoffFilter()),
        order.field.value,
        order.direction is OrderDirection.DESC,
        request,
        handoff_reads.now(),
    )


async def _fetch_handoffs(context: Context, keys: list[int]) -> dict[int, Any]:
    if context.actor is None:
        return {}
    rows = list((await handoff_reads.handoffs_by_ids(keys)).values())
    return {t._key: t for t in await handoff_types(rows)}


async def _fetch_follow_ups(context: Context, keys: list[int]) -> dict[int, Any]:
    if context.actor is None:
        return {}
    rows = await handoff_reads.follow_ups_by_ids(keys)
    return {k: follow_up_type(v) for k, v in rows.items()}


NODE_TYPES = {
    "Handoff": NodeType(_fetch_handoffs),
    "FollowUp": NodeType(_fetch_follow_ups),
}


async def handoffs_of_lead(info: Info, lead_key: int) -> list[Handoff]:
    """`Lead.handoffs`: every handoff of the lead, oldest first."""
    rows = await info.context.loader("lead_handoffs").load(lead_key)
    return await handoff_types(rows)


async def follow_ups_of_lead(info: Info, lead_key: int) -> list[FollowUp]:
    """`Lead.followUps`: sales' follow-ups on the lead, oldest first."""
    rows = await info.context.loader("lead_follow_ups").load(lead_key)
    return [follow_up_type(r) for r in rows]
