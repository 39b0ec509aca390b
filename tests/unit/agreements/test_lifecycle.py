"""The agreement lifecycle over every (status, pending, action, actor) combination.

The expected outcome of each combination comes from the tables below, written
from SPEC §2.1 and §2.2 rather than from the implementation.
"""

from __future__ import annotations

import itertools

import pytest

from server.domain.agreements.lifecycle import (
    Action,
    AgreementStatus,
    Effect,
    Party,
    PendingState,
    State,
    Step,
    VoidReason,
    decide,
)
from server.domain.core.errors import UserErrors
from server.domain.core.roles import Role, Team

S, P, A = AgreementStatus, PendingState, Action
MARKETING_MANAGER = Party(1, Team.MARKETING, Role.MANAGER, True)
SALES_MANAGER = Party(2, Team.SALES, Role.MANAGER, True)
OTHER_MARKETING_MANAGER = Party(3, Team.MARKETING, Role.MANAGER, True)
ACTORS = {
    "marketing manager": MARKETING_MANAGER,
    "sales manager": SALES_MANAGER,
    "another marketing manager": OTHER_MARKETING_MANAGER,
    "marketing manager by token": Party(1, Team.MARKETING, Role.MANAGER, False),
    "sales manager granted an hour ago": Party(
        4, Team.SALES, Role.MANAGER, True, granted_recently=True
    ),
    "admin": Party(5, Team.LEADERSHIP, Role.ADMIN, True),
    "marketing admin": Party(6, Team.MARKETING, Role.ADMIN, True),
    "marketing member": Party(7, Team.MARKETING, Role.MEMBER, True),
    "sales member": Party(8, Team.SALES, Role.MEMBER, True),
    "leadership manager": Party(9, Team.LEADERSHIP, Role.MANAGER, True),
}
HASH = "a" * 64

# Who may try each action at all (SPEC §2.1's table).
NEGOTIATORS = {
    "marketing manager",
    "sales manager",
    "another marketing manager",
    "marketing manager by token",
    "sales manager granted an hour ago",
    "admin",
    "marketing admin",
}
MAY = {
    A.EDIT: NEGOTIATORS,
    A.DISCARD: NEGOTIATORS,
    A.PROPOSE: NEGOTIATORS,
    A.PROPOSE_RETIREMENT: NEGOTIATORS,
    A.REJECT: NEGOTIATORS - {"marketing manager by token"},
    A.SIGN: {"marketing manager", "sales manager", "another marketing manager"},
    A.WITHDRAW: {
        "marketing manager",
        "sales manager",
        "another marketing manager",
        "sales manager granted an hour ago",
    },
}
# (status, pending, action) → (status, pending) for everything but signing.
MOVES = {
    (S.DRAFT, P.DRAFT, A.EDIT): (S.DRAFT, P.DRAFT),
    (S.DRAFT, P.PROPOSED, A.EDIT): (S.DRAFT, P.DRAFT),
    (S.ACTIVE, P.NONE, A.EDIT): (S.ACTIVE, P.DRAFT),
    (S.ACTIVE, P.DRAFT, A.EDIT): (S.ACTIVE, P.DRAFT),
    (S.ACTIVE, P.PROPOSED, A.EDIT): (S.ACTIVE, P.DRAFT),
    (S.DRAFT, P.DRAFT, A.DISCARD): (S.DISCARDED, P.NONE),
    (S.DRAFT, P.PROPOSED, A.DISCARD): (S.DISCARDED, P.NONE),
    (S.ACTIVE, P.DRAFT, A.DISCARD): (S.ACTIVE, P.NONE),
    (S.ACTIVE, P.PROPOSED, A.DISCARD): (S.ACTIVE, P.NONE),
    (S.ACTIVE, P.RETIREMENT_PROPOSED, A.DISCARD): (S.ACTIVE, P.NONE),
    (S.DRAFT, P.DRAFT, A.PROPOSE): (S.DRAFT, P.PROPOSED),
    (S.ACTIVE, P.DRAFT, A.PROPOSE): (S.ACTIVE, P.PROPOSED),
    (S.ACTIVE, P.NONE, A.PROPOSE_RETIREMENT): (S.ACTIVE, P.RETIREMENT_PROPOSED),
    (S.DRAFT, P.PROPOSED, A.REJECT): (S.DRAFT, P.DRAFT),
    (S.ACTIVE, P.PROPOSED, A.REJECT): (S.ACTIVE, P.DRAFT),
    (S.ACTIVE, P.RETIREMENT_PROPOSED, A.REJECT): (S.ACTIVE, P.NONE),
}
UNDER_SIGNATURE = {
    (S.DRAFT, P.PROPOSED),
    (S.ACTIVE, P.PROPOSED),
    (S.ACTIVE, P.RETIREMENT_PROPOSED),
}
# Who has signed already: none, marketing's manager, sales' manager.
SIGNERS = {
    "nobody": {},
    "marketing": {Team.MARKETING: MARKETING_MANAGER.user_id},
    "sales": {Team.SALES: SALES_MANAGER.user_id},
}


def expected_sign(
    state: State, party: Party
) -> tuple[AgreementStatus, PendingState, Effect] | str:
    if (state.status, state.pending) not in UNDER_SIGNATURE:
        return "INVALID_TRANSITION"
    if party.team in state.signers:
        return "ALREADY_SIGNED"
    if not state.signers:
        return state.status, state.pending, Effect.NONE
    if state.pending is P.PROPOSED:
        return S.ACTIVE, P.NONE, Effect.ACTIVATE
    return S.RETIRED, P.NONE, Effect.RETIRE


def expected_withdraw(
    state: State, party: Party
) -> tuple[AgreementStatus, PendingState, Effect] | str:
    if (state.status, state.pending) not in UNDER_SIGNATURE:
        return "INVALID_TRANSITION"
    if party.team not in state.signers:
        return "INVALID_TRANSITION"
    if state.signers[party.team] != party.user_id:
        return "FORBIDDEN"
    return state.status, state.pending, Effect.NONE


def expected(
    state: State, action: Action, who: str
) -> tuple[AgreementStatus, PendingState, Effect] | str:
    if who not in MAY[action]:
        return "FORBIDDEN"
    party = ACTORS[who]
    if action is A.SIGN:
        return expected_sign(state, party)
    if action is A.WITHDRAW:
        return expected_withdraw(state, party)
    move = MOVES.get((state.status, state.pending, action))
    if move is None:
        return "INVALID_TRANSITION"
    return move[0], move[1], Effect.NONE


def states() -> list[State]:
    found = []
    for status, pending in itertools.product(AgreementStatus, PendingState):
        under_signature = (status, pending) in UNDER_SIGNATURE
        for signed in SIGNERS.values() if under_signature else [{}]:
            found.append(State(status, pending, HASH, signed))
    return found


CASES = [
    pytest.param(
        state,
        action,
        who,
        id=f"{state.status}-{state.pending}-"
        f"{'+'.join(t.value for t in state.signers) or 'unsigned'}-"
        f"{action}-{who}",
    )
    for state in states()
    for action in Action
    for who in ACTORS
]


def outcome(state: State, action: Action, who: str) -> Step | str:
    try:
        return decide(state, action, ACTORS[who], HASH)
    except UserErrors as refusal:
        return refusal.errors[0].code.value


@pytest.mark.parametrize(("state", "action", "who"), CASES)
def test_every_combination_follows_the_spec_tables(
    state: State, action: Action, who: str
) -> None:
    # given a state, an action and an actor; when the lifecycle decides
    got = outcome(state, action, who)
    # then the result is the one the tables name
    want = expected(state, action, who)
    if isinstance(want, str):
        assert got == want
    else:
        assert isinstance(got, Step)
        assert (got.state.status, got.state.pending, got.effect) == want


@pytest.mark.parametrize(("state", "action", "who"), CASES)
def test_nothing_but_a_countersigned_retirement_takes_a_revision_out_of_force(
    state: State, action: Action, who: str
) -> None:
    got = outcome(state, action, who)
    if state.status is S.ACTIVE and isinstance(got, Step):
        retiring = got.effect is Effect.RETIRE
        assert got.state.status is (S.RETIRED if retiring else S.ACTIVE)
        assert not retiring or (action, state.pending) == (
            A.SIGN,
            P.RETIREMENT_PROPOSED,
        )


def test_editing_or_rejecting_a_signed_proposal_voids_its_sign_offs() -> None:
    signed = State(S.ACTIVE, P.PROPOSED, HASH, SIGNERS["marketing"])
    edited = decide(signed, A.EDIT, SALES_MANAGER)
    rejected = decide(signed, A.REJECT, SALES_MANAGER)
    discarded = decide(signed, A.DISCARD, SALES_MANAGER)
    assert (edited.void_reason, edited.state.signers) == (VoidReason.EDITED, {})
    assert (rejected.void_reason, rejected.state.signers) == (VoidReason.REJECTED, {})
    assert discarded.void_reason is VoidReason.DISCARDED
    assert edited.state.content_hash is None


def test_signing_a_different_hash_is_content_changed() -> None:
    proposed = State(S.DRAFT, P.PROPOSED, HASH, {})
    with pytest.raises(UserErrors) as refused:
        decide(proposed, A.SIGN, MARKETING_MANAGER, "b" * 64)
    assert refused.value.errors[0].code.value == "CONTENT_CHANGED"
    assert refused.value.errors[0].field == ("contentHash",)


def test_the_countersignature_needs_one_manager_of_each_team() -> None:
    proposed = State(S.DRAFT, P.PROPOSED, HASH, {})
    first = decide(proposed, A.SIGN, MARKETING_MANAGER, HASH)
    assert first.effect is Effect.NONE
    assert dict(first.state.signers) == {Team.MARKETING: MARKETING_MANAGER.user_id}
    with pytest.raises(UserErrors):
        decide(first.state, A.SIGN, OTHER_MARKETING_MANAGER, HASH)
    second = decide(first.state, A.SIGN, SALES_MANAGER, HASH)
    assert second.effect is Effect.ACTIVATE
