"""The sweeper: SLA events once per chain and clock, accept timeouts, absent
assignees (SPEC §2.4). The rules are `server.domain.waterfall.sweeper`'s.

Every worker runs `sweep` every `ACCORD_SWEEP_SECONDS` (15 by default). One
statement finds the due chains (`sweeper_store.due_chain_ids`); they are handled
in chunks of `CHUNK` per transaction, each chunk locked lead first with ``SKIP
LOCKED`` so two workers never handle the same chain at once, and its facts read
under the locks. A report flips its chain's ``*_reported`` flag in the same
transaction as its event, so no instant is announced twice, whichever worker
or pass gets there.

Within a chain, in this order: the reports owed now are planned; an absent
assignee's pending handoff is moved to the next in the pool (or escalated once
to the managers); otherwise a due accept timeout applies the SLA's action
(AUTO_ACCEPT, REASSIGN, NOTIFY). The SLA events are emitted first, naming the
assignee they were about; the accept breach carries the timeout action taken.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from server.clock import clock
from server.domain.agreements.sla_terms import AcceptTimeoutAction
from server.domain.core.outbox import EventKind
from server.domain.leads.qualification import Trigger
from server.domain.waterfall.handoffs import (
    HandoffStatus,
    ReassignCause,
    timeout_action,
)
from server.domain.waterfall.sweeper import (
    Escalation,
    Report,
    SlaClock,
    absence_cause,
    breaches_acceptance,
    escalation,
    holder_timeout_at,
    later_timeout_due,
    may_move,
    reports_due,
)
from server.models.waterfall import Handoff, HandoffChain
from server.services.core import mutations
from server.services.core.hooks import Hook
from server.services.leads import store as lead_store
from server.services.leads.refresh import refresh
from server.services.leads.scoring import StageMoves
from server.services.waterfall import due_chains as store
from server.services.waterfall import handoffs
from server.services.waterfall.handoffs import HandoffRecord

log = logging.getLogger("accord.sweeper")
CHUNK = 250
PASS_LIMIT = 5000
MAX_PASSES = 20
FLAGS = {
    (EventKind.SLA_AT_RISK, SlaClock.ACCEPT): "accept_at_risk_reported",
    (EventKind.SLA_BREACHED, SlaClock.ACCEPT): "accept_breach_reported",
    (EventKind.SLA_AT_RISK, SlaClock.FIRST_TOUCH): "touch_at_risk_reported",
    (EventKind.SLA_BREACHED, SlaClock.FIRST_TOUCH): "touch_breach_reported",
}


# Later packages' work after each sweep (connected in `server/wiring.py`): the
# reminders of overdue meeting action items.
swept: Hook[[]] = Hook("swept")


async def sweep() -> int:
    """One sweep at the clock's now; returns how many chains it handled (then
    the `swept` hook runs)."""
    handled = 0
    for _ in range(MAX_PASSES):
        found = await store.due_chain_ids(clock.now(), PASS_LIMIT)
        for start in range(0, len(found), CHUNK):
            handled += await _sweep_chunk(found[start : start + CHUNK])
        if len(found) < PASS_LIMIT:
            break
    await swept()
    return handled


async def _sweep_chunk(chain_ids: Sequence[int]) -> int:
    async def body(tx: mutations.Tx) -> int:
        chunk = await store.lock_chunk(chain_ids)
        work = _Chunk(tx, chunk)
        for chain in chunk.chains:
            await work.chain(chain)
        await work.finish()
        return len(chunk.chains)

    outcome = await mutations.run_trusted("sweepHandoffs", body, credential="sweeper")
    return outcome.result or 0


@dataclass(frozen=True)
class _Move:
    cause: ReassignCause
    to: int


@dataclass(frozen=True)
class _Escalate:
    cause: ReassignCause
    why: Escalation


@dataclass(frozen=True)
class _Timeout:
    """An accept timeout: the action taken, whether it is the chain's first
    (the accept breach, whose event carries it) and, for NOTIFY, why."""

    action: AcceptTimeoutAction
    first: bool
    why: Escalation | None = None
    to: int | None = None


_Step = _Move | _Escalate | _Timeout


@dataclass
class _Chunk:
    tx: mutations.Tx
    chunk: store.Chunk
    moves: StageMoves = field(default_factory=StageMoves)
    accepted: list[lead_store.LeadRecord] = field(default_factory=list)
    flagged: dict[str, set[int]] = field(default_factory=dict)
    done: list[dict[str, Any]] = field(default_factory=list)

    async def chain(self, chain: HandoffChain) -> None:
        rows = self.chunk.handoffs.get(chain.id, [])
        if not rows:
            return
        current = rows[-1]
        reports = reports_due(store.clocks_of(chain), self.tx.now)
        steps: list[_Step] = []
        if current.status == HandoffStatus.PENDING:
            steps = await self._plan(chain, current, reports, rows)
        timeout = next((s for s in steps if isinstance(s, _Timeout)), None)
        for report in reports:
            self._report(chain, current, report, timeout)
        for step in steps:
            await self._carry_out(chain, current, step)

    async def _plan(
        self,
        chain: HandoffChain,
        pending: Handoff,
        reports: list[Report],
        rows: list[Handoff],
    ) -> list[_Step]:
        holders = tuple(sorted({r.assignee_id for r in rows}))
        moved = chain.sweeper_reassignments
        steps: list[_Step] = []
        person = self.chunk.assignees.get(pending.assignee_id)
        cause = absence_cause(person.active, person.out_of_office) if person else None
        if cause is not None and chain.escalated_handoff_id != pending.id:
            to = await handoffs.route(holders) if may_move(moved, cause) else None
            if to is not None:
                return [_Move(cause, to)]
            steps.append(_Escalate(cause, escalation(moved, cause)))
        first = breaches_acceptance(reports)
        if first or later_timeout_due(chain.next_timeout_at, self.tx.now):
            steps.append(await self._timeout(chain, holders, first))
        return steps

    async def _timeout(
        self, chain: HandoffChain, holders: tuple[int, ...], first: bool
    ) -> _Timeout:
        configured = (await store.chain_sla(chain)).timeout_action
        moved, cause = chain.sweeper_reassignments, ReassignCause.TIMEOUT
        wants_move = configured is AcceptTimeoutAction.REASSIGN
        to = (
            await handoffs.route(holders)
            if wants_move and may_move(moved, cause)
            else None
        )
        action = timeout_action(configured, moved, pool_empty=to is None)
        if action is AcceptTimeoutAction.NOTIFY:
            return _Timeout(action, first, escalation(moved, cause, wants_move))
        return _Timeout(action, first, to=to)

    def _report(
        self,
        chain: HandoffChain,
        handoff: Handoff,
        report: Report,
        timeout: _Timeout | None,
    ) -> None:
        flag = FLAGS[(report.kind, report.clock)]
        setattr(chain, flag, True)
        self.flagged.setdefault(flag, set()).add(chain.id)
        extra: dict[str, Any] = {}
        if report.clock is SlaClock.ACCEPT and timeout is not None and timeout.first:
            extra = {"timeoutAction": timeout.action.value, "reassignedTo": timeout.to}
        self.tx.emit(
            report.kind,
            "Handoff",
            handoff.id,
            {
                "lead": handoff.lead_id,
                "chain": chain.id,
                "assignee": handoff.assignee_id,
                "clock": report.clock.value,
                "dueAt": report.due_at.isoformat(),
                "atRiskAt": _iso(report.at_risk_at),
                **extra,
            },
        )
        self.done.append({"chain": chain.id, "event": report.kind.value})

    async def _carry_out(
        self, chain: HandoffChain, pending: Handoff, step: _Step
    ) -> None:
        if isinstance(step, _Move):
            await self._move(chain, pending, step.cause, step.to)
        elif isinstance(step, _Escalate):
            chain.escalated_handoff_id = pending.id
            await chain.save(update_fields=["escalated_handoff_id"])
            self._escalate(chain, pending, step.cause, step.why)
        elif step.to is not None:
            await self._move(chain, pending, ReassignCause.TIMEOUT, step.to)
        else:
            chain.next_timeout_at = None
            await chain.save(update_fields=["next_timeout_at"])
            if step.action is AcceptTimeoutAction.AUTO_ACCEPT:
                await self._auto_accept(chain, pending)
            elif not step.first and step.why is not None:
                self._escalate(chain, pending, ReassignCause.TIMEOUT, step.why)
        self.done.append({"chain": chain.id, "step": type(step).__name__[1:]})

    async def _move(
        self, chain: HandoffChain, pending: Handoff, cause: ReassignCause, to: int
    ) -> None:
        await handoffs.move_to(self.tx, pending, chain, to, cause)
        sla = await store.chain_sla(chain)
        chain.next_timeout_at = holder_timeout_at(
            sla.terms, self.tx.now, chain.accept_due_at
        )
        await chain.save(update_fields=["next_timeout_at"])

    async def _auto_accept(self, chain: HandoffChain, pending: Handoff) -> None:
        lead = (await lead_store.load_leads([pending.lead_id]))[pending.lead_id]
        await handoffs.auto_accept(
            self.tx, lead, HandoffRecord(pending, chain), self.moves
        )
        self.accepted.append(lead)

    def _escalate(
        self,
        chain: HandoffChain,
        pending: Handoff,
        cause: ReassignCause,
        why: Escalation,
    ) -> None:
        """Ask people to act (the first timeout's NOTIFY rides on the breach)."""
        self.tx.emit(
            EventKind.HANDOFF_ESCALATED,
            "Handoff",
            pending.id,
            {
                "lead": pending.lead_id,
                "chain": chain.id,
                "assignee": pending.assignee_id,
                "cause": cause.value,
                "why": why.value,
                "acceptDueAt": _iso(chain.accept_due_at),
            },
        )

    async def finish(self) -> None:
        for flag, chain_ids in self.flagged.items():
            await store.mark_reported({flag: chain_ids})
        if self.accepted:
            await refresh(self.tx, self.accepted, self.moves, Trigger.ACTIVITY)
        if self.done:
            self.tx.audit("HandoffChain", None, swept=self.done)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
