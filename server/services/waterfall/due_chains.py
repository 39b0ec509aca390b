"""The sweeper's reads: which chains are due (one statement), and a chunk of them
locked for one transaction.

`due_chain_ids` is a UNION of one condition per kind of work, each written to
match a partial index of migration 0007 (open chains only), so a sweep reads
the chains whose clocks still run, never the whole history. `lock_chunk` locks
in the order every handoff change does (the lead first): leads with ``FOR
UPDATE SKIP LOCKED`` on PostgreSQL (a lead another worker or a person holds is
left for the next sweep), then their chains. Facts are read after the locks,
so a second sweeper that waited sees the first one's marks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from server import db
from server.domain.agreements.sla_terms import AcceptTimeoutAction
from server.domain.waterfall.clocks import SlaTerms, sla_terms_from
from server.domain.waterfall.handoffs import HandoffStatus
from server.domain.waterfall.sweeper import ChainClocks
from server.models.agreements import AgreementRevision
from server.models.people import User
from server.models.waterfall import Handoff, HandoffChain
from server.services.agreements.store import terms_of

DUE_SQL = """
SELECT id FROM handoff_chain WHERE NOT accept_breach_reported
  AND decided_at IS NULL AND withdrawn_at IS NULL AND accept_at_risk_at < ?
  AND (NOT accept_at_risk_reported OR accept_due_at < ?)
UNION
SELECT id FROM handoff_chain WHERE NOT touch_breach_reported
  AND first_touch_at IS NULL AND withdrawn_at IS NULL
  AND (decision IS NULL OR decision = 'ACCEPTED') AND first_touch_at_risk_at < ?
  AND (NOT touch_at_risk_reported OR first_touch_due_at < ?)
UNION
SELECT id FROM handoff_chain WHERE next_timeout_at IS NOT NULL
  AND decided_at IS NULL AND withdrawn_at IS NULL AND next_timeout_at <= ?
UNION
SELECT h.chain_id AS id FROM handoff h
  JOIN app_user u ON u.id = h.assignee_id
  JOIN handoff_chain c ON c.id = h.chain_id
  WHERE h.status = ? AND (NOT u.active OR u.out_of_office)
  AND (c.escalated_handoff_id IS NULL OR c.escalated_handoff_id <> h.id)
ORDER BY 1 LIMIT ?
"""


async def due_chain_ids(now: datetime, limit: int) -> list[int]:
    """Chains with a report, a timeout or an absent assignee due at `now`."""
    rows = await db.fetch(DUE_SQL, *([now] * 5), HandoffStatus.PENDING.value, limit)
    return [int(row["id"]) for row in rows]


@dataclass(frozen=True)
class Assignee:
    active: bool
    out_of_office: bool


@dataclass
class Chunk:
    """Chains locked for one transaction, with their handoffs (oldest first)
    and the assignees of those handoffs."""

    chains: list[HandoffChain]
    handoffs: dict[int, list[Handoff]] = field(default_factory=dict)
    assignees: dict[int, Assignee] = field(default_factory=dict)


async def lock_chunk(chain_ids: Sequence[int]) -> Chunk:
    leads = await _lock_leads(await _leads_of(chain_ids))
    if not leads:
        return Chunk([])
    chains = list(
        await HandoffChain.filter(id__in=list(chain_ids), lead_id__in=leads)
        .order_by("id")
        .select_for_update()
    )
    chunk = Chunk(chains)
    rows = await Handoff.filter(chain_id__in=[c.id for c in chains]).order_by("id")
    for row in rows:
        chunk.handoffs.setdefault(row.chain_id, []).append(row)
    people = await User.filter(id__in={r.assignee_id for r in rows}).only(
        "id", "active", "out_of_office"
    )
    chunk.assignees = {u.id: Assignee(u.active, u.out_of_office) for u in people}
    return chunk


async def _leads_of(chain_ids: Sequence[int]) -> list[int]:
    marks = ", ".join("?" for _ in chain_ids)
    rows = await db.fetch(
        f"SELECT DISTINCT lead_id FROM handoff_chain WHERE id IN ({marks})",
        *chain_ids,
    )
    return sorted(int(row["lead_id"]) for row in rows)


async def _lock_leads(lead_ids: list[int]) -> list[int]:
    if not lead_ids:
        return []
    marks = ", ".join("?" for _ in lead_ids)
    lock = "" if db.dialect() == "sqlite" else " FOR UPDATE SKIP LOCKED"
    rows = await db.fetch(
        f"SELECT id FROM lead WHERE id IN ({marks}) ORDER BY id{lock}", *lead_ids
    )
    return [int(row["id"]) for row in rows]


def clocks_of(chain: HandoffChain) -> ChainClocks:
    return ChainClocks(
        accept_at_risk_at=chain.accept_at_risk_at,
        accept_due_at=chain.accept_due_at,
        first_touch_at_risk_at=chain.first_touch_at_risk_at,
        first_touch_due_at=chain.first_touch_due_at,
        decided_at=chain.decided_at,
        decision=chain.decision,
        withdrawn_at=chain.withdrawn_at,
        first_touch_at=chain.first_touch_at,
        accept_at_risk_reported=chain.accept_at_risk_reported,
        accept_breach_reported=chain.accept_breach_reported,
        touch_at_risk_reported=chain.touch_at_risk_reported,
        touch_breach_reported=chain.touch_breach_reported,
    )


@dataclass(frozen=True)
class ChainSla:
    """What the chain's SLA revision says about timeouts."""

    terms: SlaTerms | None
    timeout_action: AcceptTimeoutAction


async def chain_sla(chain: HandoffChain) -> ChainSla:
    """The SLA revision the chain began under (read each time: only chains with
    a timeout or a move need it, and revisions are few)."""
    if chain.sla_id is None or chain.sla_revision is None:
        return ChainSla(None, AcceptTimeoutAction.NOTIFY)
    revision = await AgreementRevision.get(
        agreement_id=chain.sla_id, number=chain.sla_revision
    )
    raw: dict[str, Any] = terms_of(revision.terms) or {}
    action = raw.get("acceptTimeoutAction") or AcceptTimeoutAction.NOTIFY
    return ChainSla(sla_terms_from(raw), AcceptTimeoutAction(action))


REPORTED_FLAGS = (
    "accept_at_risk_reported",
    "accept_breach_reported",
    "touch_at_risk_reported",
    "touch_breach_reported",
)


async def mark_reported(flagged: dict[str, set[int]]) -> None:
    """Set each reported flag on its chains: one statement per flag."""
    for flag, chain_ids in flagged.items():
        if flag not in REPORTED_FLAGS:
            raise ValueError(flag)
        if chain_ids:
            await HandoffChain.filter(id__in=sorted(chain_ids)).update(**{flag: True})
