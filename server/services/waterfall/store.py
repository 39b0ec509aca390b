"""Handoffs as rows: the open handoff of a lead, the routing pool and turn, the
SLA revision in force, and batched reads for pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from server import db
from server.domain.agreements.lifecycle import AgreementKind
from server.domain.agreements.sla_terms import AcceptTimeoutAction, RoutingPolicy
from server.domain.core.roles import Role, Team
from server.domain.waterfall.clocks import SlaTerms, sla_terms_from
from server.domain.waterfall.handoffs import Decider, HandoffStatus
from server.domain.waterfall.routing import Candidate
from server.models.people import User
from server.models.waterfall import Handoff, HandoffChain
from server.services.agreements import in_force
from server.services.core.actors import Actor

ROUTING = "handoff"
# Handoffs without an SLA sort after every deadline.
NO_DEADLINE = datetime(9999, 12, 31, tzinfo=UTC)


@dataclass(frozen=True)
class SlaInForce:
    """The SLA revision in force at an instant (None when none applies there)."""

    agreement_id: int
    revision: int
    terms: SlaTerms
    routing: RoutingPolicy
    timeout_action: AcceptTimeoutAction


def _sla(revision: in_force.Revision) -> SlaInForce:
    raw = revision.terms
    return SlaInForce(
        agreement_id=revision.agreement_id,
        revision=revision.revision,
        terms=sla_terms_from(raw),
        routing=RoutingPolicy(raw.get("routing") or RoutingPolicy.ROUND_ROBIN),
        timeout_action=AcceptTimeoutAction(
            raw.get("acceptTimeoutAction") or AcceptTimeoutAction.NOTIFY
        ),
    )


async def sla_in_force(at: datetime) -> SlaInForce | None:
    current = await in_force.one(AgreementKind.SERVICE_LEVEL_AGREEMENT, _sla)
    if current is None or not current.value.terms.applies_at(at):
        return None
    return current.value


async def routing_policy() -> RoutingPolicy:
    """The routing of the SLA in force, whatever its effective window."""
    current = await in_force.one(AgreementKind.SERVICE_LEVEL_AGREEMENT, _sla)
    return current.value.routing if current else RoutingPolicy.ROUND_ROBIN


async def open_handoff(lead_id: int) -> Handoff | None:
    return await Handoff.get_or_none(open_lead=lead_id)


async def lock_handoff(handoff_id: int) -> Handoff | None:
    """The handoff, row-locked on PostgreSQL (SQLite locks the database)."""
    query = Handoff.filter(id=handoff_id)
    if db.dialect() != "sqlite":
        query = query.select_for_update()
    return await query.first()


async def chain_of(handoff: Handoff) -> HandoffChain:
    query = HandoffChain.filter(id=handoff.chain_id)
    if db.dialect() != "sqlite":
        query = query.select_for_update()
    found = await query.first()
    assert found is not None
    return found


async def latest_chain(lead_id: int) -> HandoffChain | None:
    query = HandoffChain.filter(lead_id=lead_id).order_by("-started_at", "-id")
    if db.dialect() != "sqlite":
        query = query.select_for_update()
    return await query.first()


async def routing_pool() -> list[Candidate]:
    """Active SALES users (not admins) accepting leads and in office, with
    their open handoffs."""
    rows = await db.fetch(
        "SELECT u.id, (SELECT COUNT(*) FROM handoff h WHERE h.assignee_id = u.id "
        "AND h.status = ?) AS open_count FROM app_user u WHERE u.team = ? "
        "AND u.role <> ? AND u.active AND u.accepts_leads AND NOT u.out_of_office "
        "ORDER BY u.id",
        HandoffStatus.PENDING.value,
        Team.SALES.value,
        Role.ADMIN.value,
    )
    return [Candidate(int(r["id"]), int(r["open_count"])) for r in rows]


async def take_turn() -> int | None:
    """Lock the routing turn for this transaction; whom it served last."""
    rows = await db.fetch(
        "INSERT INTO routing_cursor (name, last_user_id) VALUES (?, NULL) "
        "ON CONFLICT (name) DO UPDATE SET name = excluded.name "
        "RETURNING last_user_id",
        ROUTING,
    )
    found = rows[0]["last_user_id"]
    return None if found is None else int(found)


async def pass_turn(user_id: int) -> None:
    await db.execute(
        "UPDATE routing_cursor SET last_user_id = ? WHERE name = ?", user_id, ROUTING
    )


async def user(key: int) -> User | None:
    return await User.get_or_none(id=key)


def decider(actor: Actor) -> Decider:
    return Decider(actor.user_id, actor.team, actor.role)
