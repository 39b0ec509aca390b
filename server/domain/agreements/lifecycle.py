"""Agreements: one lifecycle for goals, personas, qualification models and SLAs.

SPEC §2.2 tracks two things separately. ``status`` says whether a revision is in
force (``DRAFT`` never was, ``ACTIVE`` is, ``RETIRED`` was, ``DISCARDED`` was given
up before it ever was); ``pending`` says what is being negotiated (``NONE``,
editable ``DRAFT`` changes, a frozen ``PROPOSED`` revision, or a
``RETIREMENT_PROPOSED``). Nothing here ever moves an ``ACTIVE`` agreement out of
force except a countersigned retirement (or, in the service, being superseded by
another model or SLA): rejecting, editing or discarding an amendment only touches
``pending``.

`decide` is the whole state machine: given the state, an action and who acts, it
returns the next state or raises a `UserErrors` refusal. The content hash that
both teams sign is `server.domain.agreements.canonical`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from server.domain.core.errors import ErrorCode, UserErrors, refuse
from server.domain.core.roles import Role, Team


class AgreementKind(StrEnum):
    GOAL = "GOAL"
    PERSONA = "PERSONA"
    QUALIFICATION_MODEL = "QUALIFICATION_MODEL"
    SERVICE_LEVEL_AGREEMENT = "SERVICE_LEVEL_AGREEMENT"


# At most one agreement of these kinds is in force at a time.
SINGLE_IN_FORCE = frozenset(
    {AgreementKind.QUALIFICATION_MODEL, AgreementKind.SERVICE_LEVEL_AGREEMENT}
)


class AgreementStatus(StrEnum):
    DRAFT = "DRAFT"
    ACTIVE = "ACTIVE"
    RETIRED = "RETIRED"
    DISCARDED = "DISCARDED"


class PendingState(StrEnum):
    NONE = "NONE"
    DRAFT = "DRAFT"
    PROPOSED = "PROPOSED"
    RETIREMENT_PROPOSED = "RETIREMENT_PROPOSED"


class Action(StrEnum):
    EDIT = "EDIT"
    DISCARD = "DISCARD"
    PROPOSE = "PROPOSE"
    PROPOSE_RETIREMENT = "PROPOSE_RETIREMENT"
    SIGN = "SIGN"
    REJECT = "REJECT"
    WITHDRAW = "WITHDRAW"


class SignOffAction(StrEnum):
    ACTIVATE = "ACTIVATE"
    RETIRE = "RETIRE"


class VoidReason(StrEnum):
    """Why a sign-off stopped counting (it is kept for the record)."""

    WITHDRAWN = "WITHDRAWN"
    EDITED = "EDITED"
    REJECTED = "REJECTED"
    DISCARDED = "DISCARDED"
    ROLE_CHANGED = "ROLE_CHANGED"
    DEACTIVATED = "DEACTIVATED"
    SUPERSEDED = "SUPERSEDED"


class Effect(StrEnum):
    """What a step does to the revision in force."""

    NONE = "NONE"
    ACTIVATE = "ACTIVATE"
    RETIRE = "RETIRE"


SIGNING_TEAMS = frozenset({Team.MARKETING, Team.SALES})
TERMINAL = frozenset({AgreementStatus.RETIRED, AgreementStatus.DISCARDED})
NEGOTIATING = frozenset({PendingState.PROPOSED, PendingState.RETIREMENT_PROPOSED})
# The (status, pending) pairs an agreement can be in; any other is refused.
REACHABLE = frozenset(
    {
        (AgreementStatus.DRAFT, PendingState.DRAFT),
        (AgreementStatus.DRAFT, PendingState.PROPOSED),
        (AgreementStatus.ACTIVE, PendingState.NONE),
        (AgreementStatus.ACTIVE, PendingState.DRAFT),
        (AgreementStatus.ACTIVE, PendingState.PROPOSED),
        (AgreementStatus.ACTIVE, PendingState.RETIREMENT_PROPOSED),
        (AgreementStatus.RETIRED, PendingState.NONE),
        (AgreementStatus.DISCARDED, PendingState.NONE),
    }
)


@dataclass(frozen=True)
class Party:
    """Who acts, as the lifecycle sees them.

    ``granted_recently`` is true while an admin's grant of the user's role, or an
    admin-issued credential, is less than 24 hours old: such a user cannot sign.
    """

    user_id: int
    team: Team
    role: Role
    in_session: bool
    granted_recently: bool = False


# How long after an admin's grant of a role, or an admin-issued credential, its
# holder may not sign.
SIGNING_COOLDOWN = timedelta(hours=24)


def granted_recently(
    now: datetime, *grants: tuple[int | None, datetime | None]
) -> bool:
    """Whether any grant (who granted, when) is an admin's of less than
    `SIGNING_COOLDOWN` ago (a grant nobody made, at sign-up, does not count)."""
    since = now - SIGNING_COOLDOWN
    return any(by is not None and at is not None and at > since for by, at in grants)


def check_draft_changes(terms_in_force: str | None, draft: str | None) -> None:
    """An identical draft cannot be proposed: a draft whose canonical terms are
    those in force would have both teams sign nothing new (INVALID_TRANSITION;
    discard the draft instead)."""
    if terms_in_force is not None and terms_in_force == draft:
        raise refuse(
            ErrorCode.INVALID_TRANSITION,
            "the draft is the same as the terms in force; discard it instead",
            "agreementId",
        )


@dataclass(frozen=True)
class State:
    status: AgreementStatus
    pending: PendingState
    content_hash: str | None = None
    # Live sign-offs on the pending proposal: team → the signer's user id.
    signers: Mapping[Team, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """The next state, plus what the service must do to the sign-offs and revision.

    Sign-offs that were live before and are missing from ``state.signers`` are
    voided with ``void_reason``, unless ``effect`` is not NONE: then every live
    sign-off, the new one included, is consumed into the revision it decided.
    """

    state: State
    effect: Effect = Effect.NONE
    void_reason: VoidReason | None = None


def decide(state: State, action: Action, party: Party, offered_hash: str = "") -> Step:
    """Apply one action; raise `UserErrors` (FORBIDDEN, INVALID_TRANSITION,
    CONTENT_CHANGED or ALREADY_SIGNED) when it is not allowed."""
    _check_party(action, party)
    if (state.status, state.pending) not in REACHABLE or state.status in TERMINAL:
        raise _invalid(f"a {state.status.value.lower()} agreement cannot change")
    if action is Action.SIGN:
        return _sign(state, party, offered_hash)
    return _STEPS[action](state, party)


def may_negotiate(party: Party) -> bool:
    """Draft, propose, discard and reject: managers of marketing or sales, admins."""
    return party.role is Role.ADMIN or _signing_manager(party)


def _signing_manager(party: Party) -> bool:
    return party.role is Role.MANAGER and party.team in SIGNING_TEAMS


def _check_party(action: Action, party: Party) -> None:
    if action in (Action.SIGN, Action.WITHDRAW):
        if not _signing_manager(party):
            raise _forbidden("only managers of marketing or sales sign")
        if not party.in_session:
            raise _forbidden("signing needs a signed-in session, not an API token")
        if action is Action.SIGN and party.granted_recently:
            raise _forbidden(
                "an admin granted your role or issued your credentials less than "
                "24 hours ago; you can sign after that"
            )
    elif not may_negotiate(party):
        raise _forbidden("only managers of marketing or sales, and admins, may do this")
    elif action is Action.REJECT and not party.in_session:
        raise _forbidden("rejecting needs a signed-in session, not an API token")


def _edit(state: State, party: Party) -> Step:
    if state.pending is PendingState.RETIREMENT_PROPOSED:
        raise _invalid("a retirement is proposed; reject it before editing")
    voided = VoidReason.EDITED if state.signers else None
    return Step(_pending(state, PendingState.DRAFT), void_reason=voided)


def _discard(state: State, party: Party) -> Step:
    if state.pending is PendingState.NONE:
        raise _invalid("there are no pending changes to discard")
    voided = VoidReason.DISCARDED if state.signers else None
    if state.status is AgreementStatus.DRAFT:
        discarded = replace(
            _pending(state, PendingState.NONE), status=AgreementStatus.DISCARDED
        )
        return Step(discarded, void_reason=voided)
    return Step(_pending(state, PendingState.NONE), void_reason=voided)


def _propose(state: State, party: Party) -> Step:
    if state.pending is not PendingState.DRAFT:
        raise _invalid("only a draft can be proposed")
    return Step(_pending(state, PendingState.PROPOSED))


def _propose_retirement(state: State, party: Party) -> Step:
    if (state.status, state.pending) != (AgreementStatus.ACTIVE, PendingState.NONE):
        raise _invalid(
            "only an agreement in force with nothing pending can be proposed "
            "for retirement"
        )
    return Step(_pending(state, PendingState.RETIREMENT_PROPOSED))


def _reject(state: State, party: Party) -> Step:
    if state.pending not in NEGOTIATING:
        raise _invalid("there is no proposal to reject")
    after = (
        PendingState.DRAFT
        if state.pending is PendingState.PROPOSED
        else PendingState.NONE
    )
    voided = VoidReason.REJECTED if state.signers else None
    return Step(_pending(state, after), void_reason=voided)


def _withdraw(state: State, party: Party) -> Step:
    if state.pending not in NEGOTIATING:
        raise _invalid("there is no proposal to withdraw a sign-off from")
    signer = state.signers.get(party.team)
    if signer is None:
        raise _invalid("your team has not signed this proposal")
    if signer != party.user_id:
        raise _forbidden("only the manager who signed can withdraw the sign-off")
    rest = {t: u for t, u in state.signers.items() if t is not party.team}
    return Step(replace(state, signers=rest), void_reason=VoidReason.WITHDRAWN)


def _sign(state: State, party: Party, offered_hash: str) -> Step:
    if state.pending not in NEGOTIATING:
        raise _invalid("there is no proposal to sign")
    if offered_hash != state.content_hash:
        raise refuse(
            ErrorCode.CONTENT_CHANGED,
            "the proposal is not the content you signed; reload it and sign again",
            "contentHash",
        )
    if party.team in state.signers:
        raise refuse(
            ErrorCode.ALREADY_SIGNED,
            f"{party.team.value.lower()} has already signed this proposal",
            "agreementId",
        )
    signers = {**state.signers, party.team: party.user_id}
    if set(signers) < SIGNING_TEAMS:
        return Step(replace(state, signers=signers))
    if state.pending is PendingState.PROPOSED:
        done = State(AgreementStatus.ACTIVE, PendingState.NONE)
        return Step(done, effect=Effect.ACTIVATE)
    return Step(State(AgreementStatus.RETIRED, PendingState.NONE), effect=Effect.RETIRE)


def _pending(state: State, pending: PendingState) -> State:
    """The same status with new pending work: hash and sign-offs start over."""
    return State(state.status, pending)


def _invalid(message: str) -> UserErrors:
    return refuse(ErrorCode.INVALID_TRANSITION, message, "agreementId")


def _forbidden(message: str) -> UserErrors:
    return refuse(ErrorCode.FORBIDDEN, message)


_STEPS = {
    Action.EDIT: _edit,
    Action.DISCARD: _discard,
    Action.PROPOSE: _propose,
    Action.PROPOSE_RETIREMENT: _propose_retirement,
    Action.REJECT: _reject,
    Action.WITHDRAW: _withdraw,
}
