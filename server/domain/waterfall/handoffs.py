"""The handoff's rules (SPEC §2.1, §2.4): who may hand off, decide, reassign and
record follow-ups, and in which state. Pure: the caller loads the facts and
passes them in; each check answers a `Refusal` (a user error with its code and
input field) or None / the value the use case needs.

Checks run in one order: who may act (FORBIDDEN), then the input (INVALID_INPUT),
then the state of the lead or handoff, so a refusal never reveals more than
the caller may act on.

Where the spec is silent:
- an override of a lead in NEW, NURTURING or RECYCLED first moves it to MQL as
  a manual qualification (`HandoffPlan.moves_to_mql`); a lead past MQL is
  INVALID_TRANSITION, override or not; a qualified lead outside MQL needs one;
- a marketing manager's `overrideReason` on a qualified MQL is no override;
- ADMIN and LEADERSHIP never act on handoffs; the assignee's managers are the
  SALES managers;
- reassigning to the current assignee is INVALID_INPUT (who may be named as
  assignee at all is `routing.check_assignee`);
- a follow-up on a lead never handed off is INVALID_TRANSITION on `leadId`
  (there is no chain, so no clock to touch); a naive `occurredAt` is
  INVALID_INPUT;
- a REASSIGN timeout past the chain's limit or with an empty pool is NOTIFY.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from server.domain.agreements.sla_terms import AcceptTimeoutAction
from server.domain.core.errors import ErrorCode
from server.domain.core.instants import as_utc
from server.domain.core.roles import Role, Team
from server.domain.leads.stages import QUALIFIABLE, LeadStage, Refusal
from server.domain.waterfall.clocks import counted_touch_at

MAX_TEXT = 2000
MAX_SWEEPER_REASSIGNMENTS = 2


class HandoffStatus(StrEnum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    REASSIGNED = "REASSIGNED"
    WITHDRAWN = "WITHDRAWN"


class RejectionReason(StrEnum):
    NOT_A_FIT = "NOT_A_FIT"
    WRONG_PERSONA = "WRONG_PERSONA"
    BAD_CONTACT_DATA = "BAD_CONTACT_DATA"
    NO_BUDGET = "NO_BUDGET"
    NOT_READY = "NOT_READY"
    EXISTING_CUSTOMER = "EXISTING_CUSTOMER"
    DUPLICATE = "DUPLICATE"
    COMPETITOR = "COMPETITOR"
    OTHER = "OTHER"


class Disposition(StrEnum):
    """What a rejection does to the lead: back to marketing, or out."""

    RECYCLE = "RECYCLE"
    DISQUALIFY = "DISQUALIFY"


class FollowUpChannel(StrEnum):
    CALL = "CALL"
    EMAIL = "EMAIL"
    MEETING = "MEETING"
    SOCIAL = "SOCIAL"
    OTHER = "OTHER"


class FollowUpOutcome(StrEnum):
    ATTEMPTED = "ATTEMPTED"
    CONNECTED = "CONNECTED"


class ReassignCause(StrEnum):
    """Why a handoff moved on: a sales manager (MANUAL) or the sweeper."""

    MANUAL = "MANUAL"
    TIMEOUT = "TIMEOUT"
    OUT_OF_OFFICE = "OUT_OF_OFFICE"
    DEACTIVATED = "DEACTIVATED"


@dataclass(frozen=True)
class Decider:
    """A signed-in user acting on a handoff (users who act are active)."""

    user_id: int
    team: Team
    role: Role

    @property
    def is_sales_manager(self) -> bool:
        return self.team == Team.SALES and self.role == Role.MANAGER


def is_open(status: HandoffStatus | str) -> bool:
    """Whether a handoff still awaits a decision (only PENDING ones do)."""
    return HandoffStatus(status) is HandoffStatus.PENDING


def _text_problem(text: str | None, field: str, *, required: bool) -> Refusal | None:
    """Free text: at most MAX_TEXT characters; when required, not blank."""
    if required and not (text or "").strip():
        return Refusal(ErrorCode.INVALID_INPUT, f"{field} must not be blank", field)
    if text is not None and len(text) > MAX_TEXT:
        message = f"use at most {MAX_TEXT} characters"
        return Refusal(ErrorCode.INVALID_INPUT, message, field)
    return None


# ---- handing off ----------------------------------------------------------------


@dataclass(frozen=True)
class HandoffPlan:
    """How an allowed handoff proceeds.

    `override`: a marketing manager hands off a lead that did not qualify on
    its own (reported as `deliveredManual`, never toward the commitment).
    `moves_to_mql`: the lead is in NEW, NURTURING or RECYCLED and first moves to
    MQL by hand (`qualifiedBy: MANUAL` unless already qualified this cycle),
    with the override reason as the stage change's reason.
    """

    override: bool = False
    moves_to_mql: bool = False


def check_handoff_request(
    lead_stage: str,
    qualified: bool,
    open_handoff: bool,
    actor_team: Team,
    actor_role: Role,
    override_reason: str | None,
) -> Refusal | HandoffPlan:
    """May this actor hand this lead off now?

    Marketing hands off qualified leads in MQL with no open handoff. An
    `overrideReason` (non-blank, ≤ 2000 characters) is a marketing manager's
    alone, whatever the lead: anyone else giving one is FORBIDDEN. An open
    handoff is ALREADY_HANDED_OFF; a lead past MQL (SAL or later, LOST,
    DISQUALIFIED) is INVALID_TRANSITION. Without an override an unqualified lead
    is NOT_QUALIFIED and a qualified one outside MQL INVALID_TRANSITION; with
    one, a lead in NEW/NURTURING/RECYCLED moves to MQL first. A manager's
    reason on a lead that needs none is no override.
    """
    if actor_team != Team.MARKETING:
        return Refusal(ErrorCode.FORBIDDEN, "only marketing hands leads off")
    if override_reason is not None and actor_role != Role.MANAGER:
        message = "only a marketing manager may override qualification"
        return Refusal(ErrorCode.FORBIDDEN, message, "overrideReason")
    if override_reason is not None and (
        problem := _text_problem(override_reason, "overrideReason", required=True)
    ):
        return problem
    if open_handoff:
        message = "the lead already has an open handoff"
        return Refusal(ErrorCode.ALREADY_HANDED_OFF, message, "leadId")
    return _plan(lead_stage, qualified, override=override_reason is not None)


def _plan(stage: str, qualified: bool, *, override: bool) -> Refusal | HandoffPlan:
    in_mql = stage == LeadStage.MQL
    if not in_mql and stage not in QUALIFIABLE:
        message = f"a lead in {stage} cannot be handed off"
        return Refusal(ErrorCode.INVALID_TRANSITION, message, "leadId")
    if qualified and in_mql:
        return HandoffPlan()
    if override:
        return HandoffPlan(override=True, moves_to_mql=not in_mql)
    if not qualified:
        message = "the lead is not qualified; a marketing manager may override"
        return Refusal(ErrorCode.NOT_QUALIFIED, message, "leadId")
    message = f"a lead in {stage} must reach MQL before it is handed off"
    return Refusal(ErrorCode.INVALID_TRANSITION, message, "leadId")


# ---- deciding -------------------------------------------------------------------


def check_decision(
    status: HandoffStatus | str, assignee_id: int, decider: Decider
) -> Refusal | None:
    """Accept or reject: the assignee or a SALES manager (the assignee's managers:
    every active manager of the assignee's team, which is SALES), else FORBIDDEN;
    then only a PENDING handoff, else ALREADY_DECIDED naming its status."""
    if decider.user_id != assignee_id and not decider.is_sales_manager:
        message = (
            "only the assignee or a sales manager may accept or reject this handoff"
        )
        return Refusal(ErrorCode.FORBIDDEN, message)
    return _must_be_pending(status, "decided")


def _must_be_pending(status: HandoffStatus | str, verb: str) -> Refusal | None:
    current = HandoffStatus(status)
    if current is HandoffStatus.PENDING:
        return None
    message = f"only a PENDING handoff can be {verb}; this one is {current}"
    return Refusal(ErrorCode.ALREADY_DECIDED, message)


def check_rejection(
    reason: str, comment: str | None, disposition: str
) -> Refusal | None:
    """A known reason and disposition; OTHER needs a non-blank comment; a comment
    has at most 2000 characters."""
    if reason not in RejectionReason.__members__:
        return Refusal(ErrorCode.INVALID_INPUT, f"unknown reason {reason}", "reason")
    if disposition not in Disposition.__members__:
        message = f"unknown disposition {disposition}"
        return Refusal(ErrorCode.INVALID_INPUT, message, "disposition")
    required = reason == RejectionReason.OTHER
    return _text_problem(comment, "comment", required=required)


def decision_stage(
    accepted: bool, disposition: Disposition | str | None = None
) -> LeadStage:
    """The lead's stage after the decision: SAL, or RECYCLED / DISQUALIFIED."""
    if accepted:
        return LeadStage.SAL
    if disposition is None:
        raise ValueError("a rejection needs a disposition")
    return _REJECTED_TO[Disposition(disposition)]


def owner_after_decision(
    accepted: bool, owner_id: int | None, assignee_id: int
) -> int | None:
    """The owner becomes the assignee: accepting a handoff (by hand or
    automatically at the deadline) makes its assignee the lead's owner; a
    rejection leaves the owner as it was."""
    return assignee_id if accepted else owner_id


_REJECTED_TO = {
    Disposition.RECYCLE: LeadStage.RECYCLED,
    Disposition.DISQUALIFY: LeadStage.DISQUALIFIED,
}


# ---- reassigning ----------------------------------------------------------------


def check_reassignment(
    status: HandoffStatus | str, assignee_id: int, new_assignee_id: int, actor: Decider
) -> Refusal | None:
    """`reassignHandoff`: SALES managers only, a PENDING handoff, someone else."""
    if not actor.is_sales_manager:
        return Refusal(ErrorCode.FORBIDDEN, "only a sales manager may reassign")
    if new_assignee_id == assignee_id:
        message = "the handoff is already assigned to this user"
        return Refusal(ErrorCode.INVALID_INPUT, message, "assigneeId")
    return _must_be_pending(status, "reassigned")


def counts_toward_limit(cause: ReassignCause | str) -> bool:
    """Sweeper reassignments count toward the chain's limit; manual ones never."""
    return ReassignCause(cause) is not ReassignCause.MANUAL


def check_reassign_limit(sweeper_moves_so_far: int, cause: ReassignCause | str) -> bool:
    """Whether a reassignment for `cause` may happen on a chain that the sweeper
    has already reassigned `sweeper_moves_so_far` times (at most 2 per chain)."""
    if not counts_toward_limit(cause):
        return True
    return sweeper_moves_so_far < MAX_SWEEPER_REASSIGNMENTS


def timeout_action(
    configured: AcceptTimeoutAction | str, sweeper_moves_so_far: int, pool_empty: bool
) -> AcceptTimeoutAction:
    """What the sweeper does at the accept deadline: the SLA's action, except a
    REASSIGN past the chain's limit or with nobody to take it becomes NOTIFY."""
    action = AcceptTimeoutAction(configured)
    if action is not AcceptTimeoutAction.REASSIGN:
        return action
    allowed = check_reassign_limit(sweeper_moves_so_far, ReassignCause.TIMEOUT)
    return action if allowed and not pool_empty else AcceptTimeoutAction.NOTIFY


# ---- follow-ups -----------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpTime:
    """When a follow-up happened, and when it counts for the clocks (an entry
    recorded over an hour late counts at its recording time)."""

    occurred_at: datetime
    counts_at: datetime


def check_follow_up_time(
    occurred_at: datetime | None, chain_started_at: datetime, now: datetime
) -> Refusal | FollowUpTime:
    """`occurredAt` defaults to now and must lie in [the chain's first handoff, now];
    it counts at `sla.counted_touch_at` (instants are returned in UTC)."""
    start, now = as_utc(chain_started_at), as_utc(now)
    occurred = now if occurred_at is None else occurred_at
    if occurred.utcoffset() is None:
        message = "give occurredAt with a timezone offset"
        return Refusal(ErrorCode.INVALID_INPUT, message, "occurredAt")
    if occurred < start:
        message = f"occurredAt must not be before the lead was handed off ({start})"
        return Refusal(ErrorCode.INVALID_INPUT, message, "occurredAt")
    if occurred > now:
        message = "occurredAt must not be in the future"
        return Refusal(ErrorCode.INVALID_INPUT, message, "occurredAt")
    return FollowUpTime(as_utc(occurred), counted_touch_at(occurred, now))


def check_follow_up_request(
    actor: Decider,
    owner_id: int | None,
    open_assignee_id: int | None,
    has_chain: bool,
    note: str | None,
) -> Refusal | None:
    """`recordFollowUp`: SALES users working the lead (its owner or its open
    handoff's assignee) and SALES managers, else FORBIDDEN; a note of at most
    2000 characters; a lead never handed off has no clock to touch:
    INVALID_TRANSITION on leadId."""
    working = actor.user_id in (owner_id, open_assignee_id)
    if not (actor.is_sales_manager or (actor.team == Team.SALES and working)):
        message = "only sales users working the lead or sales managers may"
        return Refusal(ErrorCode.FORBIDDEN, f"{message} record follow-ups")
    if problem := _text_problem(note, "note", required=False):
        return problem
    if not has_chain:
        message = "the lead was never handed off; follow-ups belong to a handoff"
        return Refusal(ErrorCode.INVALID_TRANSITION, message, "leadId")
    return None
