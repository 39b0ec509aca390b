"""The content-request status machine over every status × action × actor.

The expected outcome of each combination comes from the tables below, written
from SPEC §2.1 and §2.8 rather than from the implementation.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain.content.lifecycle import (
    Action,
    ContentActor,
    ContentStatus,
    allowed_actions,
    check,
    move_action,
)
from server.domain.core.errors import ErrorCode
from server.domain.core.roles import Role, Team
from server.domain.leads.stages import Refusal

S, A = ContentStatus, Action
ACTORS = {
    "the requester (sales member)": ContentActor(1, Team.SALES, Role.MEMBER, True),
    "another sales member": ContentActor(2, Team.SALES, Role.MEMBER),
    "a sales manager": ContentActor(3, Team.SALES, Role.MANAGER),
    "a marketing member": ContentActor(4, Team.MARKETING, Role.MEMBER),
    "a marketing manager": ContentActor(5, Team.MARKETING, Role.MANAGER),
    "the requester (marketing member)": ContentActor(
        6, Team.MARKETING, Role.MEMBER, True
    ),
    "a marketing admin": ContentActor(7, Team.MARKETING, Role.ADMIN),
    "a leadership manager": ContentActor(8, Team.LEADERSHIP, Role.MANAGER),
    "the requester (leadership)": ContentActor(9, Team.LEADERSHIP, Role.MEMBER, True),
}
ANYONE = set(ACTORS)
MARKETING = {
    "a marketing member",
    "a marketing manager",
    "the requester (marketing member)",
}
OWNERS = {
    "the requester (sales member)",
    "a sales manager",
    "the requester (marketing member)",
    "the requester (leadership)",
}
REQUESTERS = {
    "the requester (sales member)",
    "the requester (marketing member)",
    "the requester (leadership)",
}
MAY = {
    A.ACCEPT: MARKETING,
    A.DECLINE: MARKETING,
    A.START: MARKETING,
    A.SUBMIT_FOR_REVIEW: MARKETING,
    A.REQUEST_CHANGES: MARKETING,
    A.DELIVER: MARKETING,
    A.CANCEL: OWNERS,
    A.REOPEN: OWNERS,
    A.RATE: OWNERS,
    A.UPDATE: REQUESTERS,
    A.COMMENT: ANYONE,
    A.VOTE: ANYONE,
}
# From which status each action goes where (None: the status stays).
OPEN = (S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS, S.IN_REVIEW)
GOES = {
    A.ACCEPT: {S.SUBMITTED: S.ACCEPTED},
    A.DECLINE: {S.SUBMITTED: S.DECLINED},
    A.START: {S.ACCEPTED: S.IN_PROGRESS},
    A.SUBMIT_FOR_REVIEW: {S.IN_PROGRESS: S.IN_REVIEW},
    A.REQUEST_CHANGES: {S.IN_REVIEW: S.IN_PROGRESS},
    A.DELIVER: {S.IN_REVIEW: S.DELIVERED},
    A.CANCEL: {s: S.CANCELLED for s in OPEN},
    A.REOPEN: {S.DELIVERED: S.IN_PROGRESS, S.DECLINED: S.SUBMITTED},
    A.UPDATE: {S.SUBMITTED: None},
    A.COMMENT: {s: None for s in S},
    A.VOTE: {s: None for s in OPEN},
    A.RATE: {S.DELIVERED: None},
}


@pytest.mark.parametrize(
    ("status", "action", "who"),
    list(itertools.product(list(S), list(A), list(ACTORS))),
    ids=lambda v: str(v),
)
def test_every_status_action_and_actor_gets_the_tables_answer(
    status: ContentStatus, action: Action, who: str
) -> None:
    answer = check(action, status, ACTORS[who])
    if who not in MAY[action]:
        assert isinstance(answer, Refusal)
        assert answer.code is ErrorCode.FORBIDDEN
    elif status not in GOES[action]:
        assert isinstance(answer, Refusal)
        assert answer.code is ErrorCode.INVALID_TRANSITION
    else:
        expected = GOES[action][status]
        assert answer == (status if expected is None else expected)


def test_every_move_between_two_statuses_is_refused_unless_the_board_names_it() -> None:
    named = {
        (S.ACCEPTED, S.IN_PROGRESS): A.START,
        (S.IN_PROGRESS, S.IN_REVIEW): A.SUBMIT_FOR_REVIEW,
        (S.IN_REVIEW, S.IN_PROGRESS): A.REQUEST_CHANGES,
    }
    for start, to in itertools.product(S, S):
        answer = move_action(start, to)
        if (start, to) in named:
            assert answer == named[(start, to)]
        else:
            assert isinstance(answer, Refusal)
            assert answer.code is ErrorCode.INVALID_TRANSITION
            assert answer.field == "to"


def test_a_request_is_reopened_to_work_or_to_triage_depending_on_why_it_closed() -> (
    None
):
    owner = ACTORS["the requester (sales member)"]
    assert check(A.REOPEN, S.DELIVERED, owner) == S.IN_PROGRESS
    assert check(A.REOPEN, S.DECLINED, owner) == S.SUBMITTED


@given(
    st.lists(st.sampled_from(list(A)), max_size=30),
    st.sampled_from(list(ACTORS)),
)
def test_any_sequence_of_actions_only_ever_reaches_a_status_by_a_table_move(
    actions: list[Action], who: str
) -> None:
    status = S.SUBMITTED
    actor = ACTORS[who]
    for action in actions:
        answer = check(action, status, actor)
        if isinstance(answer, Refusal):
            continue
        assert status in GOES[action]
        expected = GOES[action][status]
        assert answer == (status if expected is None else expected)
        if status is S.CANCELLED:
            assert answer is S.CANCELLED, "nothing leaves CANCELLED"
        status = answer


def test_cancelled_is_final_for_everyone() -> None:
    for actor in ACTORS.values():
        # only talk about it: anyone may still comment
        assert allowed_actions(S.CANCELLED, actor) == [A.COMMENT]


def test_what_a_marketing_member_is_offered_on_a_request_in_review() -> None:
    offered = allowed_actions(S.IN_REVIEW, ACTORS["a marketing member"])
    assert offered == [A.REQUEST_CHANGES, A.DELIVER, A.COMMENT, A.VOTE]
