"""Routing: round robin fair over any sequence, least loaded, the pool."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain.agreements.sla_terms import RoutingPolicy
from server.domain.core.errors import ErrorCode
from server.domain.core.roles import Role, Team
from server.domain.waterfall.routing import (
    Candidate,
    check_assignee,
    exclude,
    in_routing_pool,
    least_loaded,
    pick,
    round_robin,
)

FAST = settings(max_examples=200, deadline=None)
IDS = st.integers(min_value=1, max_value=60)
POOLS = st.sets(IDS, min_size=1, max_size=10)
LAST = st.none() | st.integers(min_value=0, max_value=61)


def pool_of(*ids: int) -> list[Candidate]:
    return [Candidate(i) for i in ids]


def assign(ids: Iterable[int], last: int | None, times: int) -> list[int]:
    """Route `times` handoffs round robin from a fixed pool, moving the turn."""
    pool, picked = pool_of(*ids), []
    for _ in range(times):
        last = round_robin(pool, last)
        assert last is not None
        picked.append(last)
    return picked


# ---- round robin ----------------------------------------------------------------


def test_round_robin_gives_the_next_id_after_the_last_one() -> None:
    assert round_robin(pool_of(30, 10, 20), last_assigned=10) == 20


def test_round_robin_wraps_round_to_the_smallest_id() -> None:
    assert round_robin(pool_of(30, 10, 20), last_assigned=30) == 10


def test_round_robin_starts_with_the_smallest_id() -> None:
    assert round_robin(pool_of(30, 10, 20), last_assigned=None) == 10


def test_round_robin_continues_after_a_last_assignee_who_left() -> None:
    assert round_robin(pool_of(10, 30), last_assigned=20) == 30


def test_an_empty_pool_routes_to_nobody() -> None:
    assert round_robin([], last_assigned=5) is None
    assert least_loaded([], last_assigned=5) is None
    assert pick(RoutingPolicy.ROUND_ROBIN, [], None) is None


def test_a_member_who_joins_gets_their_turn_in_id_order() -> None:
    # 1, 2 served; 4 joins; 5 was due after 2 and is still due after 4.
    assert assign([1, 2, 5], None, 2) == [1, 2]
    assert assign([1, 2, 4, 5], 2, 3) == [4, 5, 1]


@FAST
@given(ids=POOLS, last=LAST, laps=st.integers(min_value=1, max_value=3))
def test_round_robin_is_fair_over_any_window_of_a_fixed_pool(
    ids: set[int], last: int | None, laps: int
) -> None:
    picked = assign(ids, last, laps * len(ids) + len(ids) - 1)
    for start in range(len(picked) - len(ids) + 1):
        assert sorted(picked[start : start + len(ids)]) == sorted(ids)


@FAST
@given(
    phases=st.lists(
        st.tuples(POOLS, st.integers(min_value=0, max_value=12)),
        min_size=2,
        max_size=6,
    ),
    last=LAST,
)
def test_nobody_who_stayed_gets_two_before_every_other_stayer_got_one(
    phases: list[tuple[set[int], int]], last: int | None
) -> None:
    # Given the pool changes between phases (people join and leave), when
    # handoffs are routed, then those present throughout are served in turn.
    stayers = sorted(set.intersection(*(ids for ids, _ in phases)))
    served: list[int] = []
    for ids, times in phases:
        picked = assign(ids, last, times)
        last = picked[-1] if picked else last
        served += [user for user in picked if user in stayers]
    for before, after in pairwise(served):
        successor = stayers[(stayers.index(before) + 1) % len(stayers)]
        assert after == successor


# ---- least loaded ---------------------------------------------------------------


def test_least_loaded_picks_the_fewest_open_handoffs() -> None:
    pool = [Candidate(1, 3), Candidate(2, 1), Candidate(3, 2)]
    assert least_loaded(pool, last_assigned=None) == 2


def test_least_loaded_breaks_ties_in_round_robin_order_after_the_last() -> None:
    pool = [Candidate(1, 1), Candidate(2, 4), Candidate(3, 1), Candidate(4, 1)]
    assert least_loaded(pool, last_assigned=3) == 4
    assert least_loaded(pool, last_assigned=4) == 1


@FAST
@given(
    loads=st.dictionaries(IDS, st.integers(0, 5), min_size=1, max_size=10),
    last=LAST,
)
def test_least_loaded_is_round_robin_among_the_least_loaded(
    loads: dict[int, int], last: int | None
) -> None:
    pool = [Candidate(user, load) for user, load in loads.items()]
    fewest = [c for c in pool if c.open_handoffs == min(loads.values())]
    assert least_loaded(pool, last) == round_robin(fewest, last)


@FAST
@given(ids=POOLS, last=LAST, load=st.integers(0, 5))
def test_least_loaded_with_equal_loads_is_round_robin(
    ids: set[int], last: int | None, load: int
) -> None:
    pool = [Candidate(user, load) for user in ids]
    assert least_loaded(pool, last) == round_robin(pool, last)


# ---- the policy and the pool ----------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (RoutingPolicy.ROUND_ROBIN, 3),
        (RoutingPolicy.LEAST_LOADED, 1),
        ("LEAST_LOADED", 1),
    ],
)
def test_pick_follows_the_slas_routing_policy(
    policy: RoutingPolicy | str, expected: int
) -> None:
    pool = [Candidate(1, 0), Candidate(3, 2)]
    assert pick(policy, pool, last_assigned=1) == expected


def test_exclude_removes_the_current_assignee_from_the_pool() -> None:
    pool = [Candidate(1, 0), Candidate(2, 5), Candidate(3, 1)]
    assert exclude(pool, {2}) == [Candidate(1, 0), Candidate(3, 1)]
    assert round_robin(exclude(pool, {2}), last_assigned=1) == 3


@pytest.mark.parametrize(
    ("team", "active", "accepts", "away", "expected"),
    [
        (Team.SALES, True, True, False, True),
        (Team.SALES, False, True, False, False),
        (Team.SALES, True, False, False, False),
        (Team.SALES, True, True, True, False),
        (Team.MARKETING, True, True, False, False),
        ("SALES", True, True, False, True),
    ],
)
def test_the_pool_is_active_sales_users_accepting_leads_in_office(
    team: Team | str, active: bool, accepts: bool, away: bool, expected: bool
) -> None:
    member = in_routing_pool(
        team, active=active, accepts_leads=accepts, out_of_office=away
    )
    assert member is expected


# ---- named assignees -------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.MEMBER, Role.MANAGER])
def test_a_named_assignee_is_an_active_sales_user_in_office(role: Role) -> None:
    assert check_assignee(Team.SALES, role, active=True, out_of_office=False) is None


@pytest.mark.parametrize(
    ("team", "role", "active", "away"),
    [
        (Team.SALES, Role.MEMBER, False, False),
        (Team.MARKETING, Role.MEMBER, True, False),
        (Team.SALES, Role.MEMBER, True, True),
        (Team.SALES, Role.ADMIN, True, False),
    ],
)
def test_anyone_else_named_as_assignee_is_invalid_input(
    team: Team, role: Role, active: bool, away: bool
) -> None:
    result = check_assignee(team, role, active=active, out_of_office=away)
    assert result is not None
    assert (result.code, result.field) == (ErrorCode.INVALID_INPUT, "assigneeId")
