"""Routing: which sales user a handoff without an assignee goes to (SPEC §2.4).

The routing pool is every active SALES user who accepts leads and is not out of
office (`in_routing_pool`). The SLA in force names the policy:

- ROUND_ROBIN: the pool in a stable order, by user id; the next assignee is the
  smallest id greater than the last one routed, wrapping round to the smallest.
  The turn is a pointer into the id order, not an index into today's pool, so
  it stays fair over any sequence: with the pool unchanged each member gets one
  of every len(pool) consecutive assignments, and when people join or leave,
  everyone who stayed keeps their place in the cycle (nobody is skipped, nobody
  is served twice while another stayer waits).
- LEAST_LOADED: fewest open (PENDING) handoffs; ties go in round-robin order.

`last_assigned` is the user id of the last handoff the policy routed (stored by
the caller); it need not be in the pool any more. Handoffs given to a named
assignee do not move the turn.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from server.domain.agreements.sla_terms import RoutingPolicy
from server.domain.core.errors import ErrorCode
from server.domain.core.roles import Role, Team
from server.domain.leads.stages import Refusal


@dataclass(frozen=True)
class Candidate:
    """A member of the routing pool; `open_handoffs` counts their PENDING ones."""

    user_id: int
    open_handoffs: int = 0


def in_routing_pool(
    team: Team | str, *, active: bool, accepts_leads: bool, out_of_office: bool
) -> bool:
    """Whether a user is in the pool: active, SALES, accepting leads, in office."""
    return team == Team.SALES and active and accepts_leads and not out_of_office


def check_assignee(
    team: Team | str, role: Role | str, *, active: bool, out_of_office: bool
) -> Refusal | None:
    """A named assignee (handoff or reassignment) must be an active SALES user
    in office, not an admin, who may never decide a handoff (INVALID_INPUT on
    assigneeId); `acceptsLeads` only governs the pool, so a person may still be
    chosen by name."""
    if team != Team.SALES or role == Role.ADMIN or not active:
        message = "the assignee must be an active sales user"
        return Refusal(ErrorCode.INVALID_INPUT, message, "assigneeId")
    if out_of_office:
        message = "the assignee is out of office"
        return Refusal(ErrorCode.INVALID_INPUT, message, "assigneeId")
    return None


def _turn(user_id: int, last_assigned: int | None) -> tuple[bool, int]:
    """Sorts the pool in round-robin order: ids after the last one, then the rest."""
    return (last_assigned is not None and user_id <= last_assigned, user_id)


def round_robin(pool: Sequence[Candidate], last_assigned: int | None) -> int | None:
    """The smallest id greater than `last_assigned`, else the smallest id.

    None for an empty pool; with no `last_assigned` the smallest id goes first.
    """
    if not pool:
        return None
    return min(pool, key=lambda c: _turn(c.user_id, last_assigned)).user_id


def least_loaded(pool: Sequence[Candidate], last_assigned: int | None) -> int | None:
    """The candidate with the fewest open handoffs; ties in round-robin order.

    None for an empty pool. With equal loads this is exactly `round_robin`.
    """
    if not pool:
        return None
    best = min(pool, key=lambda c: (c.open_handoffs, *_turn(c.user_id, last_assigned)))
    return best.user_id


def pick(
    policy: RoutingPolicy | str, pool: Sequence[Candidate], last_assigned: int | None
) -> int | None:
    """The assignee `policy` picks from `pool`; None when the pool is empty."""
    if RoutingPolicy(policy) is RoutingPolicy.LEAST_LOADED:
        return least_loaded(pool, last_assigned)
    return round_robin(pool, last_assigned)


def exclude(pool: Sequence[Candidate], user_ids: Collection[int]) -> list[Candidate]:
    """The pool without `user_ids` (the sweeper passes the current assignee)."""
    return [c for c in pool if c.user_id not in user_ids]
