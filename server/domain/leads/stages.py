"""The demand waterfall (SPEC §2.3) as a pure state machine.

`check_move` answers whether one stage move may happen and, when it may not,
why, as a `Refusal` the service turns into a user error. Checks run in a fixed
order, so the answer is the first that fails:

1. the move exists in the table at all (else ``INVALID_TRANSITION``);
2. it is asked for the way the table makes it (`Via`; else
   ``INVALID_TRANSITION``: an MQL reaches SAL only through the handoff decision,
   closing only ends a lead as WON or LOST, and so on);
3. the mover is someone the table names (else ``FORBIDDEN``);
4. the reason: required (non-blank) where the table says "with reason", at most
   `MAX_REASON_LENGTH` characters everywhere (else ``INVALID_INPUT`` on
   ``reason``).

Where the spec is silent:
- staying put is no move: every move changes the stage, so NURTURING →
  NURTURING is ``INVALID_TRANSITION`` although the table lists NURTURING on
  both sides;
- "MARKETING" or "SALES" means that team's members and managers: the ADMIN role
  and the LEADERSHIP team are never named, so they get ``FORBIDDEN`` for moves
  the table gives to someone (and ``INVALID_TRANSITION`` like everyone else for
  moves nobody may make);
- the system (``mover=None``) makes only automatic qualification and handoff
  decisions (a sweeper's auto-accept); a person asking for the system's
  qualification is ``FORBIDDEN``; who decides a handoff is the handoff code's
  check, so `Via.HANDOFF_DECISION` admits any mover here;
- a reason given where none is required is allowed (it is kept on the
  ``StageChange``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from itertools import pairwise

from server.domain.core.errors import ErrorCode, UserErrors, refuse
from server.domain.core.roles import Role, Team
from server.domain.leads.qualification import CYCLE_STAGES

MAX_REASON_LENGTH = 2000


class LeadStage(StrEnum):
    NEW = "NEW"
    NURTURING = "NURTURING"
    MQL = "MQL"
    SAL = "SAL"
    SQL = "SQL"
    OPPORTUNITY = "OPPORTUNITY"
    WON = "WON"
    LOST = "LOST"
    RECYCLED = "RECYCLED"
    DISQUALIFIED = "DISQUALIFIED"


# The waterfall's spine, in order: conversion measures each step along it
# (SPEC §2.6); each stage of it but the last, with the one that follows.
SPINE = (
    LeadStage.MQL,
    LeadStage.SAL,
    LeadStage.SQL,
    LeadStage.OPPORTUNITY,
    LeadStage.WON,
)
NEXT_ON_SPINE = {a.value: b.value for a, b in pairwise(SPINE)}


class Via(StrEnum):
    """How a move is asked for; the same two stages may be reached several ways."""

    CREATED = "CREATED"  # the first history row of a lead: no move to ask for
    QUALIFICATION = "QUALIFICATION"
    MANUAL_QUALIFICATION = "MANUAL_QUALIFICATION"
    MOVE = "MOVE"
    CLOSE = "CLOSE"
    HANDOFF_DECISION = "HANDOFF_DECISION"
    PULL_BACK = "PULL_BACK"
    IMPORTED = "IMPORTED"  # history brought in by a historical import
    MERGE = "MERGE"  # the duplicate of a merge was further along (`merging`)


@dataclass(frozen=True)
class Mover:
    """A person asking for a move; ``works_lead``: owner of the lead or assignee
    of its open handoff."""

    team: Team
    role: Role
    works_lead: bool


@dataclass(frozen=True)
class Refusal:
    """Why a move may not happen; ``field`` names the offending input."""

    code: ErrorCode
    message: str
    field: str | None = None

    def error(self, result: object = None) -> UserErrors:
        """The refusal as use cases raise it (``result`` rides along, e.g. the
        existing handoff with ALREADY_HANDED_OFF)."""
        fields = (self.field,) if self.field else ()
        return refuse(self.code, self.message, *fields, result=result)


S = LeadStage
# Amount and recurring revenue only mean something once there is a deal.
AMOUNT_STAGES = frozenset({S.OPPORTUNITY, S.WON, S.LOST})
QUALIFIABLE = frozenset({S.NEW, S.NURTURING, S.RECYCLED})
# What a client offers a person; the system's moves and handoff decisions
# have their own buttons (or none).
_OFFERED = frozenset({Via.MANUAL_QUALIFICATION, Via.MOVE, Via.CLOSE, Via.PULL_BACK})


class _Who(Enum):
    """Whom the table names; the value completes "only … may make this move"."""

    SYSTEM = "automatic qualification"
    ANYONE = "anyone"
    MARKETING = "marketing"
    MARKETING_MANAGER = "a marketing manager"
    MANAGER = "a marketing or sales manager"
    SALES_WORKING = "a sales manager or the sales user working the lead"


@dataclass(frozen=True)
class _Permit:
    who: _Who
    reason_required: bool = False


_MARKETING = _Permit(_Who.MARKETING)
_SALES = _Permit(_Who.SALES_WORKING)
_Rule = tuple[Iterable[LeadStage], Iterable[LeadStage], dict[Via, _Permit]]
_RULES: tuple[_Rule, ...] = (
    (
        QUALIFIABLE,
        [S.MQL],
        {
            Via.QUALIFICATION: _Permit(_Who.SYSTEM),
            Via.MANUAL_QUALIFICATION: _Permit(
                _Who.MARKETING_MANAGER, reason_required=True
            ),
        },
    ),
    ([S.NEW, S.NURTURING], [S.NURTURING, S.DISQUALIFIED], {Via.MOVE: _MARKETING}),
    (
        [S.MQL],
        [S.SAL, S.RECYCLED, S.DISQUALIFIED],
        {Via.HANDOFF_DECISION: _Permit(_Who.ANYONE)},
    ),
    ([S.MQL], [S.NURTURING], {Via.MOVE: _MARKETING, Via.PULL_BACK: _MARKETING}),
    ([S.SAL], [S.SQL, S.RECYCLED, S.DISQUALIFIED], {Via.MOVE: _SALES}),
    ([S.SQL], [S.OPPORTUNITY, S.RECYCLED], {Via.MOVE: _SALES}),
    ([S.SQL, S.OPPORTUNITY], [S.LOST], {Via.MOVE: _SALES, Via.CLOSE: _SALES}),
    ([S.OPPORTUNITY], [S.WON], {Via.MOVE: _SALES, Via.CLOSE: _SALES}),
    ([S.RECYCLED], [S.NURTURING], {Via.MOVE: _MARKETING}),
    (
        [S.LOST, S.DISQUALIFIED],
        [S.RECYCLED],
        {Via.MOVE: _Permit(_Who.MANAGER, reason_required=True)},
    ),
    (
        [S.WON],
        [S.NURTURING],
        {Via.MOVE: _Permit(_Who.MARKETING_MANAGER, reason_required=True)},
    ),
)
# Staying put is dropped here: a move must change the stage.
_TABLE: Mapping[tuple[LeadStage, LeadStage], Mapping[Via, _Permit]] = {
    (source, target): permits
    for sources, targets, permits in _RULES
    for source in sources
    for target in targets
    if source != target
}
# When the table knows only one way to make a move, asking another is refused
# with that way; otherwise with what the asked-for way is for.
_ONLY_THROUGH = {
    Via.HANDOFF_DECISION: "an MQL moves to SAL, RECYCLED or DISQUALIFIED only "
    "through the handoff decision (accept or reject)",
    Via.QUALIFICATION: "a lead becomes MQL only by qualification, automatic or "
    "by a marketing manager by hand",
}
_VIA_SCOPE = {
    Via.QUALIFICATION: "qualification only moves a lead to MQL",
    Via.MANUAL_QUALIFICATION: "qualification only moves a lead to MQL",
    Via.HANDOFF_DECISION: "a handoff decision only moves an MQL",
    Via.CLOSE: "closing a lead only ends it as WON or LOST",
    Via.PULL_BACK: "only an MQL is pulled back, to NURTURING",
}


def check_move(
    from_stage: LeadStage,
    to_stage: LeadStage,
    via: Via,
    mover: Mover | None,
    reason: str | None,
) -> Refusal | None:
    """Why ``mover`` (None: the system) may not move a lead from ``from_stage``
    to ``to_stage`` the way ``via`` says, or None when the move may happen."""
    permits = _TABLE.get((from_stage, to_stage))
    if permits is None:
        return Refusal(ErrorCode.INVALID_TRANSITION, _no_move(from_stage, to_stage))
    permit = permits.get(via)
    if permit is None:
        return Refusal(ErrorCode.INVALID_TRANSITION, _wrong_way(via, permits))
    if not _may(permit.who, mover):
        message = f"only {permit.who.value} may move a lead from {from_stage} to "
        return Refusal(ErrorCode.FORBIDDEN, message + to_stage)
    return _check_reason(reason, permit.reason_required)


def in_waterfall(from_stage: LeadStage, to_stage: LeadStage) -> bool:
    """Whether the table has a move from ``from_stage`` to ``to_stage``, made
    by anyone, any way: what an imported history is checked against."""
    return (from_stage, to_stage) in _TABLE


def needs_reason(from_stage: LeadStage, to_stage: LeadStage, via: Via) -> bool:
    """Whether the move, made this way, must give a reason (a client asks)."""
    permit = _TABLE.get((from_stage, to_stage), {}).get(via)
    return permit is not None and permit.reason_required


def allowed_moves(
    from_stage: LeadStage, mover: Mover | None
) -> list[tuple[LeadStage, Via]]:
    """The moves a client can offer ``mover`` from ``from_stage``, in stage
    order: the system's qualification and handoff decisions are left out."""
    return [
        (to_stage, via)
        for to_stage in LeadStage
        for via, permit in _TABLE.get((from_stage, to_stage), {}).items()
        if via in _OFFERED and _may(permit.who, mover)
    ]


def starts_cycle(to_stage: LeadStage) -> bool:
    """Whether entering ``to_stage`` begins a new qualification cycle (every
    allowed move changes the stage, so the target alone decides)."""
    return to_stage in CYCLE_STAGES


def sets_customer(to_stage: LeadStage) -> bool:
    """Whether entering ``to_stage`` makes the lead a customer."""
    return to_stage == S.WON


def _may(who: _Who, mover: Mover | None) -> bool:
    if who is _Who.ANYONE:
        return True
    if mover is None or who is _Who.SYSTEM:
        return mover is None and who is _Who.SYSTEM
    if mover.role == Role.ADMIN:
        return False
    manager = mover.role == Role.MANAGER
    if who is _Who.MARKETING:
        return mover.team == Team.MARKETING
    if who is _Who.MARKETING_MANAGER:
        return mover.team == Team.MARKETING and manager
    if who is _Who.MANAGER:
        return mover.team in (Team.MARKETING, Team.SALES) and manager
    return mover.team == Team.SALES and (manager or mover.works_lead)


def _no_move(from_stage: LeadStage, to_stage: LeadStage) -> str:
    if from_stage == to_stage:
        return f"the lead is already {from_stage}: a move must change the stage"
    return f"a lead cannot move from {from_stage} to {to_stage}"


def _wrong_way(via: Via, permits: Mapping[Via, _Permit]) -> str:
    for only, message in _ONLY_THROUGH.items():
        if only in permits:
            return message
    return _VIA_SCOPE.get(via, f"this move is not made through {via}")


def _check_reason(reason: str | None, required: bool) -> Refusal | None:
    if reason is not None and len(reason) > MAX_REASON_LENGTH:
        message = f"use at most {MAX_REASON_LENGTH} characters"
        return Refusal(ErrorCode.INVALID_INPUT, message, "reason")
    if required and not (reason or "").strip():
        return Refusal(ErrorCode.INVALID_INPUT, "give a reason for this move", "reason")
    return None
