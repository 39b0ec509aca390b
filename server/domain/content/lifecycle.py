"""The content-request status machine (SPEC §2.8, permissions §2.1) as one table.

`check` answers whether an action may happen to a request in a status, asked
by someone, and if not, why. Checks run in a fixed order and the first that
fails answers:

1. the actor is someone the action is for at all (else ``FORBIDDEN``): the
   permission table gives whole teams an operation, but cancel, rate, reopen
   and edit belong to *this* request's requester (or a SALES manager);
2. the action is possible from the status (else ``INVALID_TRANSITION``).

The moves:
``SUBMITTED`` → ``ACCEPTED`` (triage: assignee and committed date) or
``DECLINED`` (triage: reason); ``ACCEPTED`` → ``IN_PROGRESS`` (start);
``IN_PROGRESS`` ⇄ ``IN_REVIEW`` (submit for review / changes requested, with a
comment); ``IN_REVIEW`` → ``DELIVERED``; anything before delivery →
``CANCELLED``; ``DELIVERED`` or ``DECLINED`` → reopened, with a comment.

Where the spec is silent:
- "MARKETING" and "SALES" are those teams' members and managers; an ADMIN
  (whatever team) does not plan content work, so is never one of them;
- a reopened delivered request goes back to ``IN_PROGRESS`` (its assignee and
  committed date stay: the work continues); a reopened declined one to
  ``SUBMITTED`` (it needs triage again, so assignee and commitment are cleared);
- voting (and undoing a vote) and commenting are for open requests and closed
  ones alike, except that votes stop counting once a request is closed
  (delivered, declined, cancelled): a vote there is ``INVALID_TRANSITION``;
- rating needs a delivered request; editing (description, priority,
  requested date) a submitted one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from server.domain.core.errors import ErrorCode
from server.domain.core.roles import Role, Team
from server.domain.leads.stages import Refusal


class ContentStatus(StrEnum):
    SUBMITTED = "SUBMITTED"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    IN_PROGRESS = "IN_PROGRESS"
    IN_REVIEW = "IN_REVIEW"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"


class Action(StrEnum):
    ACCEPT = "ACCEPT"
    DECLINE = "DECLINE"
    START = "START"
    SUBMIT_FOR_REVIEW = "SUBMIT_FOR_REVIEW"
    REQUEST_CHANGES = "REQUEST_CHANGES"
    DELIVER = "DELIVER"
    CANCEL = "CANCEL"
    REOPEN = "REOPEN"
    UPDATE = "UPDATE"
    COMMENT = "COMMENT"
    VOTE = "VOTE"
    RATE = "RATE"


class Who(StrEnum):
    """Whom the table names for an action."""

    ANYONE = "anyone"
    MARKETING = "marketing users"
    OWNER = "the requester or a sales manager"
    REQUESTER = "the requester"


S = ContentStatus
OPEN = frozenset({S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS, S.IN_REVIEW})
CLOSED = frozenset({S.DELIVERED, S.DECLINED, S.CANCELLED})
BOARD_ORDER = (
    S.SUBMITTED,
    S.ACCEPTED,
    S.IN_PROGRESS,
    S.IN_REVIEW,
    S.DELIVERED,
    S.DECLINED,
    S.CANCELLED,
)


@dataclass(frozen=True)
class Rule:
    who: Who
    moves: dict[ContentStatus, ContentStatus | None]  # None: the status stays


def _stay(
    statuses: frozenset[ContentStatus] | tuple[ContentStatus, ...],
) -> dict[ContentStatus, ContentStatus | None]:
    return {s: None for s in statuses}


TABLE: dict[Action, Rule] = {
    Action.ACCEPT: Rule(Who.MARKETING, {S.SUBMITTED: S.ACCEPTED}),
    Action.DECLINE: Rule(Who.MARKETING, {S.SUBMITTED: S.DECLINED}),
    Action.START: Rule(Who.MARKETING, {S.ACCEPTED: S.IN_PROGRESS}),
    Action.SUBMIT_FOR_REVIEW: Rule(Who.MARKETING, {S.IN_PROGRESS: S.IN_REVIEW}),
    Action.REQUEST_CHANGES: Rule(Who.MARKETING, {S.IN_REVIEW: S.IN_PROGRESS}),
    Action.DELIVER: Rule(Who.MARKETING, {S.IN_REVIEW: S.DELIVERED}),
    Action.CANCEL: Rule(Who.OWNER, {s: S.CANCELLED for s in OPEN}),
    Action.REOPEN: Rule(
        Who.OWNER, {S.DELIVERED: S.IN_PROGRESS, S.DECLINED: S.SUBMITTED}
    ),
    Action.UPDATE: Rule(Who.REQUESTER, _stay((S.SUBMITTED,))),
    Action.COMMENT: Rule(Who.ANYONE, _stay(tuple(S))),
    Action.VOTE: Rule(Who.ANYONE, _stay(OPEN)),
    Action.RATE: Rule(Who.OWNER, _stay((S.DELIVERED,))),
}

# `moveContentRequest` names the status to go to; these are the moves it makes.
MOVES: dict[tuple[ContentStatus, ContentStatus], Action] = {
    (S.ACCEPTED, S.IN_PROGRESS): Action.START,
    (S.IN_PROGRESS, S.IN_REVIEW): Action.SUBMIT_FOR_REVIEW,
    (S.IN_REVIEW, S.IN_PROGRESS): Action.REQUEST_CHANGES,
}
NEEDS_COMMENT = frozenset({Action.REQUEST_CHANGES, Action.REOPEN})


@dataclass(frozen=True)
class ContentActor:
    """Someone acting on a request; ``is_requester``: they asked for it."""

    user_id: int
    team: Team
    role: Role
    is_requester: bool = False

    @property
    def is_marketing(self) -> bool:
        return self.team is Team.MARKETING and self.role is not Role.ADMIN

    @property
    def is_sales(self) -> bool:
        return self.team is Team.SALES and self.role is not Role.ADMIN

    @property
    def is_sales_manager(self) -> bool:
        return self.team is Team.SALES and self.role is Role.MANAGER


def may(actor: ContentActor, who: Who) -> bool:
    if who is Who.ANYONE:
        return True
    if who is Who.MARKETING:
        return actor.is_marketing
    if who is Who.OWNER:
        return actor.is_requester or actor.is_sales_manager
    return actor.is_requester


def check(
    action: Action, status: ContentStatus, actor: ContentActor
) -> ContentStatus | Refusal:
    """The status after the action (the same one for actions that stay), or the
    refusal (see the module docstring for the order)."""
    rule = TABLE[action]
    if not may(actor, rule.who):
        return Refusal(ErrorCode.FORBIDDEN, f"this is for {rule.who.value}")
    if status not in rule.moves:
        message = f"a {_words(status)} request cannot be {_verb(action)}"
        return Refusal(ErrorCode.INVALID_TRANSITION, message)
    after = rule.moves[status]
    return status if after is None else after


def move_action(status: ContentStatus, to: ContentStatus) -> Action | Refusal:
    """The action `moveContentRequest` makes for a move, or INVALID_TRANSITION
    (triage, delivery, cancelling and reopening have mutations of their own)."""
    found = MOVES.get((status, to))
    if found is None:
        message = f"a {_words(status)} request cannot be moved to {_words(to)}"
        return Refusal(ErrorCode.INVALID_TRANSITION, message, "to")
    return found


def allowed_actions(status: ContentStatus, actor: ContentActor) -> list[Action]:
    """Every action this actor may take on a request in this status (what a
    screen offers)."""
    return [
        action
        for action in Action
        if not isinstance(check(action, status, actor), Refusal)
    ]


def _words(status: ContentStatus) -> str:
    return status.value.lower().replace("_", " ")


_VERBS = {
    Action.ACCEPT: "accepted",
    Action.DECLINE: "declined",
    Action.START: "started",
    Action.SUBMIT_FOR_REVIEW: "put in review",
    Action.REQUEST_CHANGES: "sent back with changes",
    Action.DELIVER: "delivered",
    Action.CANCEL: "cancelled",
    Action.REOPEN: "reopened",
    Action.UPDATE: "edited",
    Action.COMMENT: "commented on",
    Action.VOTE: "voted for",
    Action.RATE: "rated",
}


def _verb(action: Action) -> str:
    return _VERBS[action]
