"""The demand waterfall: who may move a lead from which stage to which, and how."""

from __future__ import annotations

from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain.core.errors import ErrorCode
from server.domain.core.roles import Role, Team
from server.domain.leads.stages import (
    AMOUNT_STAGES,
    MAX_REASON_LENGTH,
    QUALIFIABLE,
    LeadStage,
    Mover,
    Refusal,
    Via,
    allowed_moves,
    check_move,
    needs_reason,
    sets_customer,
    starts_cycle,
)

S = LeadStage
V = Via
MOVERS: list[Mover | None] = [
    None,
    *(Mover(t, r, w) for t in Team for r in Role for w in (False, True)),
]
REASONS = (None, "", "   ", "the buyer came back")


def people(team: Team, role: Role, *, only_working: bool = False) -> set[Mover | None]:
    return {
        Mover(team, role, True),
        *(() if only_working else [Mover(team, role, False)]),
    }


SYSTEM: set[Mover | None] = {None}
ANYONE = set(MOVERS)
MARKETING_MANAGERS = people(Team.MARKETING, Role.MANAGER)
MARKETING = people(Team.MARKETING, Role.MEMBER) | MARKETING_MANAGERS
SALES_MANAGERS = people(Team.SALES, Role.MANAGER)
SALES_WORKING = SALES_MANAGERS | people(Team.SALES, Role.MEMBER, only_working=True)
MANAGERS = MARKETING_MANAGERS | SALES_MANAGERS

# SPEC §2.3, written out row by row: from, to, via, who may, reason required.
EXPECTED: list[tuple[LeadStage, LeadStage, Via, set[Mover | None], bool]] = [
    (S.NEW, S.MQL, V.QUALIFICATION, SYSTEM, False),
    (S.NURTURING, S.MQL, V.QUALIFICATION, SYSTEM, False),
    (S.RECYCLED, S.MQL, V.QUALIFICATION, SYSTEM, False),
    (S.NEW, S.MQL, V.MANUAL_QUALIFICATION, MARKETING_MANAGERS, True),
    (S.NURTURING, S.MQL, V.MANUAL_QUALIFICATION, MARKETING_MANAGERS, True),
    (S.RECYCLED, S.MQL, V.MANUAL_QUALIFICATION, MARKETING_MANAGERS, True),
    (S.NEW, S.NURTURING, V.MOVE, MARKETING, False),
    (S.NEW, S.DISQUALIFIED, V.MOVE, MARKETING, False),
    (S.NURTURING, S.DISQUALIFIED, V.MOVE, MARKETING, False),
    (S.MQL, S.SAL, V.HANDOFF_DECISION, ANYONE, False),
    (S.MQL, S.RECYCLED, V.HANDOFF_DECISION, ANYONE, False),
    (S.MQL, S.DISQUALIFIED, V.HANDOFF_DECISION, ANYONE, False),
    (S.MQL, S.NURTURING, V.MOVE, MARKETING, False),
    (S.MQL, S.NURTURING, V.PULL_BACK, MARKETING, False),
    (S.SAL, S.SQL, V.MOVE, SALES_WORKING, False),
    (S.SAL, S.RECYCLED, V.MOVE, SALES_WORKING, False),
    (S.SAL, S.DISQUALIFIED, V.MOVE, SALES_WORKING, False),
    (S.SQL, S.OPPORTUNITY, V.MOVE, SALES_WORKING, False),
    (S.SQL, S.RECYCLED, V.MOVE, SALES_WORKING, False),
    (S.SQL, S.LOST, V.MOVE, SALES_WORKING, False),
    (S.SQL, S.LOST, V.CLOSE, SALES_WORKING, False),
    (S.OPPORTUNITY, S.WON, V.MOVE, SALES_WORKING, False),
    (S.OPPORTUNITY, S.WON, V.CLOSE, SALES_WORKING, False),
    (S.OPPORTUNITY, S.LOST, V.MOVE, SALES_WORKING, False),
    (S.OPPORTUNITY, S.LOST, V.CLOSE, SALES_WORKING, False),
    (S.RECYCLED, S.NURTURING, V.MOVE, MARKETING, False),
    (S.LOST, S.RECYCLED, V.MOVE, MANAGERS, True),
    (S.DISQUALIFIED, S.RECYCLED, V.MOVE, MANAGERS, True),
    (S.WON, S.NURTURING, V.MOVE, MARKETING_MANAGERS, True),
]
EXPECTED_MOVES = {(f, t, v) for f, t, v, _, _ in EXPECTED}
MARKETING_MEMBER = Mover(Team.MARKETING, Role.MEMBER, False)
MARKETING_MANAGER = Mover(Team.MARKETING, Role.MANAGER, False)
SALES_MEMBER = Mover(Team.SALES, Role.MEMBER, False)
SALES_MANAGER = Mover(Team.SALES, Role.MANAGER, False)
ADMIN = Mover(Team.MARKETING, Role.ADMIN, True)


def expected_code(
    source: LeadStage,
    target: LeadStage,
    via: Via,
    mover: Mover | None,
    reason: str | None,
) -> ErrorCode | None:
    rows = [row for row in EXPECTED if row[:2] == (source, target)]
    row = next((row for row in rows if row[2] == via), None)
    if row is None:
        return ErrorCode.INVALID_TRANSITION
    if mover not in row[3]:
        return ErrorCode.FORBIDDEN
    if row[4] and not (reason or "").strip():
        return ErrorCode.INVALID_INPUT
    return None


@pytest.mark.parametrize(("source", "target", "via"), list(product(S, S, V)))
def test_every_move_by_every_mover_is_answered_as_the_table_says(
    source: LeadStage, target: LeadStage, via: Via
) -> None:
    wrong = []
    for mover, reason in product(MOVERS, REASONS):
        refusal = check_move(source, target, via, mover, reason)
        got = None if refusal is None else refusal.code
        if got != expected_code(source, target, via, mover, reason):
            wrong.append((mover, reason, got))
    assert wrong == []


@pytest.mark.parametrize(("source", "mover"), list(product(S, MOVERS)))
def test_a_client_is_offered_exactly_the_moves_the_table_gives_the_mover(
    source: LeadStage, mover: Mover | None
) -> None:
    offered = {V.MANUAL_QUALIFICATION, V.MOVE, V.CLOSE, V.PULL_BACK}
    expected = {(t, v) for f, t, v, who, _ in EXPECTED if f == source and mover in who}
    moves = allowed_moves(source, mover)
    assert len(moves) == len(set(moves))
    assert set(moves) == {(t, v) for t, v in expected if v in offered}


def test_the_system_is_offered_nothing_it_would_press_a_button_for() -> None:
    assert all(allowed_moves(stage, None) == [] for stage in S)


def test_a_sales_member_is_offered_closing_only_a_lead_they_work() -> None:
    working = Mover(Team.SALES, Role.MEMBER, True)
    assert allowed_moves(S.OPPORTUNITY, SALES_MEMBER) == []
    assert allowed_moves(S.OPPORTUNITY, working) == [
        (S.WON, V.MOVE),
        (S.WON, V.CLOSE),
        (S.LOST, V.MOVE),
        (S.LOST, V.CLOSE),
    ]


INVALID, FORBIDDEN = ErrorCode.INVALID_TRANSITION, ErrorCode.FORBIDDEN
HANDOFF_ONLY = (
    "an MQL moves to SAL, RECYCLED or DISQUALIFIED only through the handoff "
    "decision (accept or reject)"
)
QUALIFICATION_ONLY = (
    "a lead becomes MQL only by qualification, automatic or by a marketing "
    "manager by hand"
)


@pytest.mark.parametrize(
    ("move", "code", "message"),
    [
        pytest.param(
            (S.NURTURING, S.NURTURING, V.MOVE, MARKETING_MEMBER),
            INVALID,
            "the lead is already NURTURING: a move must change the stage",
            id="staying put is no move",
        ),
        pytest.param(
            (S.WON, S.SQL, V.MOVE, ADMIN),
            INVALID,
            "a lead cannot move from WON to SQL",
            id="a move nobody may make is invalid even for an admin",
        ),
        pytest.param(
            (S.MQL, S.SAL, V.MOVE, SALES_MANAGER),
            INVALID,
            HANDOFF_ONLY,
            id="an MQL reaches SAL only through the handoff decision",
        ),
        pytest.param(
            (S.SAL, S.SQL, V.CLOSE, SALES_MANAGER),
            INVALID,
            "closing a lead only ends it as WON or LOST",
            id="closing only ends a lead as won or lost",
        ),
        pytest.param(
            (S.NEW, S.MQL, V.MOVE, MARKETING_MANAGER),
            INVALID,
            QUALIFICATION_ONLY,
            id="a lead becomes MQL only by qualification",
        ),
        pytest.param(
            (S.NEW, S.NURTURING, V.PULL_BACK, MARKETING_MEMBER),
            INVALID,
            "only an MQL is pulled back, to NURTURING",
            id="only an MQL is pulled back",
        ),
        pytest.param(
            (S.NEW, S.MQL, V.MANUAL_QUALIFICATION, MARKETING_MEMBER),
            FORBIDDEN,
            "only a marketing manager may move a lead from NEW to MQL",
            id="a marketing member may not qualify by hand",
        ),
        pytest.param(
            (S.NEW, S.MQL, V.QUALIFICATION, MARKETING_MANAGER),
            FORBIDDEN,
            "only automatic qualification may move a lead from NEW to MQL",
            id="a person may not pass for automatic qualification",
        ),
        pytest.param(
            (S.SAL, S.SQL, V.MOVE, SALES_MEMBER),
            FORBIDDEN,
            "only a sales manager or the sales user working the lead may move a "
            "lead from SAL to SQL",
            id="a sales member not working the lead may not advance it",
        ),
        pytest.param(
            (S.LOST, S.RECYCLED, V.MOVE, ADMIN),
            FORBIDDEN,
            "only a marketing or sales manager may move a lead from LOST to RECYCLED",
            id="an admin may not make a move the table gives managers",
        ),
        pytest.param(
            (S.LOST, S.RECYCLED, V.MOVE, Mover(Team.LEADERSHIP, Role.MANAGER, True)),
            FORBIDDEN,
            "only a marketing or sales manager may move a lead from LOST to RECYCLED",
            id="a leadership manager may not make a move the table gives managers",
        ),
    ],
)
def test_a_refused_move_says_why(
    move: tuple[LeadStage, LeadStage, Via, Mover], code: ErrorCode, message: str
) -> None:
    assert check_move(*move, "a reason") == Refusal(code, message)


@pytest.mark.parametrize("reason", [None, "", " \t\n"])
def test_a_manual_qualification_without_a_reason_is_refused_on_the_reason(
    reason: str | None,
) -> None:
    refusal = check_move(
        S.NEW, S.MQL, V.MANUAL_QUALIFICATION, MARKETING_MANAGER, reason
    )
    assert refusal == Refusal(
        ErrorCode.INVALID_INPUT, "give a reason for this move", "reason"
    )


def test_a_reason_longer_than_the_limit_is_refused_even_where_none_is_needed() -> None:
    long = "x" * (MAX_REASON_LENGTH + 1)
    refusal = check_move(S.NEW, S.NURTURING, V.MOVE, MARKETING_MEMBER, long)
    assert refusal == Refusal(
        ErrorCode.INVALID_INPUT, "use at most 2000 characters", "reason"
    )
    limit = "x" * MAX_REASON_LENGTH
    assert check_move(S.NEW, S.NURTURING, V.MOVE, MARKETING_MEMBER, limit) is None


def test_who_is_checked_before_the_reason() -> None:
    refusal = check_move(S.WON, S.NURTURING, V.MOVE, SALES_MANAGER, None)
    assert refusal is not None
    assert refusal.code == ErrorCode.FORBIDDEN


def test_reopening_and_upselling_ask_for_a_reason_and_ordinary_moves_do_not() -> None:
    assert needs_reason(S.LOST, S.RECYCLED, V.MOVE)
    assert needs_reason(S.WON, S.NURTURING, V.MOVE)
    assert needs_reason(S.NEW, S.MQL, V.MANUAL_QUALIFICATION)
    assert not needs_reason(S.NEW, S.MQL, V.QUALIFICATION)
    assert not needs_reason(S.SAL, S.SQL, V.MOVE)
    assert not needs_reason(S.WON, S.SQL, V.MOVE)


def test_cycles_start_on_entering_nurturing_or_recycled() -> None:
    assert {stage for stage in S if starts_cycle(stage)} == {S.NURTURING, S.RECYCLED}


def test_only_winning_makes_a_customer() -> None:
    assert {stage for stage in S if sets_customer(stage)} == {S.WON}


def test_amounts_belong_to_deals_and_qualification_to_early_stages() -> None:
    assert {S.OPPORTUNITY, S.WON, S.LOST} == AMOUNT_STAGES
    assert {f for f, t, v, _, _ in EXPECTED if v == V.QUALIFICATION} == QUALIFIABLE


Step = tuple[LeadStage, Via, Mover | None]


def moves_from(stage: LeadStage, mover: Mover | None) -> list[Step]:
    """What could happen next: the moves offered to ``mover`` plus the system's."""
    system: list[Step] = [
        (target, via, None)
        for target, via in product(S, (V.QUALIFICATION, V.HANDOFF_DECISION))
        if check_move(stage, target, via, None, None) is None
    ]
    return [(t, v, mover) for t, v in allowed_moves(stage, mover)] + system


@given(st.data())
def test_random_walks_of_allowed_moves_stay_inside_the_table(
    data: st.DataObject,
) -> None:
    stage = S.NEW
    for _ in range(40):
        options = moves_from(stage, data.draw(st.sampled_from(MOVERS)))
        if not options:  # this mover can do nothing here; another may
            continue
        target, via, mover = data.draw(st.sampled_from(options))
        assert target != stage
        assert (stage, target, via) in EXPECTED_MOVES
        assert check_move(stage, target, via, mover, "because") is None
        stage = target


def test_every_stage_is_reachable_from_new() -> None:
    seen, frontier = {S.NEW}, [S.NEW]
    while frontier:
        stage = frontier.pop()
        for mover in MOVERS:
            for target, _, _ in moves_from(stage, mover):
                if target not in seen:
                    seen.add(target)
                    frontier.append(target)
    assert seen == set(S)
