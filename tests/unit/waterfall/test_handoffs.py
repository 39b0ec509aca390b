"""The handoff's rules: handing off, deciding, reassigning, following up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain.agreements.sla_terms import AcceptTimeoutAction
from server.domain.core.errors import ErrorCode
from server.domain.core.roles import Role, Team
from server.domain.leads.stages import LeadStage, Refusal
from server.domain.waterfall.handoffs import (
    MAX_SWEEPER_REASSIGNMENTS,
    MAX_TEXT,
    Decider,
    Disposition,
    FollowUpTime,
    HandoffPlan,
    HandoffStatus,
    ReassignCause,
    RejectionReason,
    check_decision,
    check_follow_up_request,
    check_follow_up_time,
    check_handoff_request,
    check_reassign_limit,
    check_reassignment,
    check_rejection,
    counts_toward_limit,
    decision_stage,
    is_open,
    owner_after_decision,
    timeout_action,
)

FAST = settings(max_examples=200, deadline=None)
E = ErrorCode
M, S = Team.MARKETING, Team.SALES
ASSIGNEE = Decider(7, S, Role.MEMBER)
SALES_MANAGER = Decider(8, S, Role.MANAGER)
OTHER_REP = Decider(9, S, Role.MEMBER)
MARKETING_MANAGER = Decider(10, M, Role.MANAGER)
HANDED_OFF = datetime(2024, 5, 17, 14, tzinfo=UTC)
NOW = HANDED_OFF + timedelta(hours=5)
UNDECIDED = [s for s in HandoffStatus if s is not HandoffStatus.PENDING]


def refusal(result: object) -> tuple[ErrorCode, str | None]:
    assert isinstance(result, Refusal)
    return result.code, result.field


def test_only_a_pending_handoff_is_open() -> None:
    assert is_open(HandoffStatus.PENDING)
    assert not any(is_open(s) for s in UNDECIDED)


# ---- handing off ----------------------------------------------------------------


def hand_off(
    stage: str = "MQL",
    qualified: bool = True,
    open_handoff: bool = False,
    team: Team = M,
    role: Role = Role.MEMBER,
    reason: str | None = None,
) -> Refusal | HandoffPlan:
    return check_handoff_request(stage, qualified, open_handoff, team, role, reason)


def test_marketing_hands_off_a_qualified_lead_in_mql() -> None:
    assert hand_off() == HandoffPlan(override=False, moves_to_mql=False)


@pytest.mark.parametrize("team", [Team.SALES, Team.LEADERSHIP])
def test_only_marketing_hands_leads_off(team: Team) -> None:
    assert refusal(hand_off(team=team, role=Role.MANAGER)) == (E.FORBIDDEN, None)


def test_an_open_handoff_is_already_handed_off() -> None:
    assert refusal(hand_off(open_handoff=True)) == (E.ALREADY_HANDED_OFF, "leadId")


def test_an_open_handoff_is_reported_before_the_stage() -> None:
    result = hand_off("SAL", open_handoff=True, role=Role.MANAGER, reason="why")
    assert refusal(result) == (E.ALREADY_HANDED_OFF, "leadId")


def test_an_unqualified_lead_without_override_is_not_qualified() -> None:
    assert refusal(hand_off(qualified=False)) == (E.NOT_QUALIFIED, "leadId")
    assert refusal(hand_off("NEW", qualified=False)) == (E.NOT_QUALIFIED, "leadId")


def test_a_marketing_manager_overrides_an_unqualified_lead_in_mql() -> None:
    result = hand_off(qualified=False, role=Role.MANAGER, reason="CEO asked")
    assert result == HandoffPlan(override=True, moves_to_mql=False)


@pytest.mark.parametrize("stage", ["NEW", "NURTURING", "RECYCLED"])
def test_an_override_moves_an_earlier_lead_to_mql_first(stage: str) -> None:
    result = hand_off(stage, qualified=False, role=Role.MANAGER, reason="hot tip")
    assert result == HandoffPlan(override=True, moves_to_mql=True)


@pytest.mark.parametrize(
    "stage", ["SAL", "SQL", "OPPORTUNITY", "WON", "LOST", "DISQUALIFIED"]
)
def test_a_lead_past_mql_cannot_be_handed_off_even_with_an_override(
    stage: str,
) -> None:
    assert refusal(hand_off(stage)) == (E.INVALID_TRANSITION, "leadId")
    result = hand_off(stage, qualified=False, role=Role.MANAGER, reason="please")
    assert refusal(result) == (E.INVALID_TRANSITION, "leadId")


def test_a_qualified_lead_outside_mql_needs_an_override() -> None:
    assert refusal(hand_off("NURTURING")) == (E.INVALID_TRANSITION, "leadId")
    result = hand_off("NURTURING", role=Role.MANAGER, reason="now")
    assert result == HandoffPlan(override=True, moves_to_mql=True)


def test_a_managers_reason_on_a_lead_that_needs_none_is_no_override() -> None:
    assert hand_off(role=Role.MANAGER, reason="just in case") == HandoffPlan()


@pytest.mark.parametrize("role", [Role.MEMBER, Role.ADMIN])
def test_only_a_marketing_manager_may_give_an_override_reason(role: Role) -> None:
    result = hand_off(qualified=False, role=role, reason="trust me")
    assert refusal(result) == (E.FORBIDDEN, "overrideReason")
    assert refusal(hand_off(role=role, reason="x")) == (E.FORBIDDEN, "overrideReason")


@pytest.mark.parametrize("reason", ["", "   ", "x" * (MAX_TEXT + 1)])
def test_an_override_reason_is_not_blank_nor_too_long(reason: str) -> None:
    result = hand_off(qualified=False, role=Role.MANAGER, reason=reason)
    assert refusal(result) == (E.INVALID_INPUT, "overrideReason")


@FAST
@given(
    stage=st.sampled_from(["NEW", "NURTURING", "MQL", "RECYCLED", "SAL", "WON"]),
    qualified=st.booleans(),
    open_handoff=st.booleans(),
    role=st.sampled_from(Role),
    reason=st.none() | st.text(max_size=5),
)
def test_a_handoff_is_allowed_only_from_mql_or_by_override(
    stage: str,
    qualified: bool,
    open_handoff: bool,
    role: Role,
    reason: str | None,
) -> None:
    result = hand_off(stage, qualified, open_handoff, M, role, reason)
    if isinstance(result, HandoffPlan):
        assert not open_handoff
        assert result.override or (qualified and stage == "MQL")
        assert result.moves_to_mql == (stage != "MQL")
        assert not result.override or (role is Role.MANAGER and reason)


# ---- deciding -------------------------------------------------------------------


@pytest.mark.parametrize("decider", [ASSIGNEE, SALES_MANAGER])
def test_the_assignee_or_a_sales_manager_decides_a_pending_handoff(
    decider: Decider,
) -> None:
    assert check_decision(HandoffStatus.PENDING, ASSIGNEE.user_id, decider) is None


@pytest.mark.parametrize(
    "decider",
    [OTHER_REP, MARKETING_MANAGER, Decider(11, S, Role.ADMIN)],
)
def test_anyone_else_is_forbidden_to_decide(decider: Decider) -> None:
    result = check_decision("PENDING", ASSIGNEE.user_id, decider)
    assert refusal(result) == (E.FORBIDDEN, None)


@pytest.mark.parametrize("status", UNDECIDED)
def test_a_decided_handoff_is_already_decided_naming_its_status(
    status: HandoffStatus,
) -> None:
    result = check_decision(status, ASSIGNEE.user_id, ASSIGNEE)
    assert refusal(result) == (E.ALREADY_DECIDED, None)
    assert isinstance(result, Refusal) and status.value in result.message


def test_a_stranger_is_forbidden_before_learning_the_handoffs_state() -> None:
    result = check_decision(HandoffStatus.ACCEPTED, ASSIGNEE.user_id, OTHER_REP)
    assert refusal(result) == (E.FORBIDDEN, None)


@pytest.mark.parametrize("reason", [r for r in RejectionReason if r != "OTHER"])
def test_a_known_reason_needs_no_comment(reason: RejectionReason) -> None:
    assert check_rejection(reason, None, "RECYCLE") is None


def test_other_needs_a_comment() -> None:
    assert check_rejection("OTHER", "moved abroad", "DISQUALIFY") is None
    for blank in (None, "", "  \n"):
        result = check_rejection("OTHER", blank, "RECYCLE")
        assert refusal(result) == (E.INVALID_INPUT, "comment")


def test_a_rejection_comment_has_at_most_2000_characters() -> None:
    assert check_rejection("NO_BUDGET", "x" * MAX_TEXT, "RECYCLE") is None
    result = check_rejection("NO_BUDGET", "x" * (MAX_TEXT + 1), "RECYCLE")
    assert refusal(result) == (E.INVALID_INPUT, "comment")


def test_an_unknown_reason_or_disposition_is_invalid_input() -> None:
    assert refusal(check_rejection("BORED", None, "RECYCLE")) == (
        E.INVALID_INPUT,
        "reason",
    )
    assert refusal(check_rejection("NO_BUDGET", None, "BURN")) == (
        E.INVALID_INPUT,
        "disposition",
    )


def test_the_decision_sets_the_leads_stage() -> None:
    assert decision_stage(accepted=True) is LeadStage.SAL
    assert decision_stage(False, Disposition.RECYCLE) == "RECYCLED"
    assert decision_stage(False, "DISQUALIFY") == "DISQUALIFIED"
    with pytest.raises(ValueError):
        decision_stage(accepted=False)


# ---- reassigning ----------------------------------------------------------------


def test_a_sales_manager_reassigns_a_pending_handoff_to_someone_else() -> None:
    assert check_reassignment("PENDING", 7, 9, SALES_MANAGER) is None


@pytest.mark.parametrize("actor", [ASSIGNEE, MARKETING_MANAGER])
def test_only_sales_managers_reassign(actor: Decider) -> None:
    assert refusal(check_reassignment("PENDING", 7, 9, actor)) == (E.FORBIDDEN, None)


def test_reassigning_to_the_same_assignee_is_invalid_input() -> None:
    result = check_reassignment("PENDING", 7, 7, SALES_MANAGER)
    assert refusal(result) == (E.INVALID_INPUT, "assigneeId")


@pytest.mark.parametrize("status", UNDECIDED)
def test_only_a_pending_handoff_is_reassigned(status: HandoffStatus) -> None:
    result = check_reassignment(status, 7, 9, SALES_MANAGER)
    assert refusal(result) == (E.ALREADY_DECIDED, None)


@FAST
@given(
    moves=st.integers(min_value=0, max_value=10), cause=st.sampled_from(ReassignCause)
)
def test_the_sweeper_reassigns_at_most_twice_per_chain_and_managers_always(
    moves: int, cause: ReassignCause
) -> None:
    allowed = check_reassign_limit(moves, cause)
    if cause is ReassignCause.MANUAL:
        assert allowed and not counts_toward_limit(cause)
    else:
        assert allowed == (moves < MAX_SWEEPER_REASSIGNMENTS)
        assert counts_toward_limit(cause)


def test_a_chain_takes_exactly_two_sweeper_reassignments() -> None:
    moves = 0
    for cause in [ReassignCause.TIMEOUT, ReassignCause.MANUAL] * 3:
        if check_reassign_limit(moves, cause) and counts_toward_limit(cause):
            moves += 1
    assert moves == MAX_SWEEPER_REASSIGNMENTS


@pytest.mark.parametrize(
    ("configured", "moves", "pool_empty", "expected"),
    [
        ("REASSIGN", 0, False, "REASSIGN"),
        ("REASSIGN", 1, False, "REASSIGN"),
        ("REASSIGN", 2, False, "NOTIFY"),
        ("REASSIGN", 0, True, "NOTIFY"),
        ("AUTO_ACCEPT", 5, True, "AUTO_ACCEPT"),
        ("NOTIFY", 0, False, "NOTIFY"),
    ],
)
def test_a_timeout_reassigns_until_the_limit_or_an_empty_pool_then_notifies(
    configured: str, moves: int, pool_empty: bool, expected: str
) -> None:
    action = timeout_action(configured, moves, pool_empty)
    assert action is AcceptTimeoutAction(expected)


# ---- follow-ups -----------------------------------------------------------------


def test_a_follow_up_occurs_now_unless_told_otherwise() -> None:
    assert check_follow_up_time(None, HANDED_OFF, NOW) == FollowUpTime(NOW, NOW)


def test_a_follow_up_may_occur_at_the_handoff_or_now() -> None:
    at_start = check_follow_up_time(HANDED_OFF, HANDED_OFF, NOW)
    assert isinstance(at_start, FollowUpTime) and at_start.occurred_at == HANDED_OFF
    assert check_follow_up_time(NOW, HANDED_OFF, NOW) == FollowUpTime(NOW, NOW)


def test_a_follow_up_entered_within_the_hour_counts_when_it_occurred() -> None:
    occurred = NOW - timedelta(minutes=60)
    assert check_follow_up_time(occurred, HANDED_OFF, NOW) == FollowUpTime(
        occurred, occurred
    )


def test_a_follow_up_entered_over_an_hour_late_counts_when_recorded() -> None:
    occurred = NOW - timedelta(minutes=61)
    assert check_follow_up_time(occurred, HANDED_OFF, NOW) == FollowUpTime(
        occurred, NOW
    )


def test_a_follow_up_time_in_another_offset_is_kept_in_utc() -> None:
    berlin = timezone(timedelta(hours=2))
    occurred = (NOW - timedelta(minutes=5)).astimezone(berlin)
    result = check_follow_up_time(occurred, HANDED_OFF, NOW)
    assert isinstance(result, FollowUpTime)
    assert result.occurred_at.tzinfo is UTC and result.counts_at == occurred


@pytest.mark.parametrize(
    "occurred",
    [
        HANDED_OFF - timedelta(microseconds=1),
        NOW + timedelta(microseconds=1),
        datetime(2024, 5, 17, 15),  # naive
    ],
)
def test_a_follow_up_outside_the_chain_and_now_is_invalid(occurred: datetime) -> None:
    result = check_follow_up_time(occurred, HANDED_OFF, NOW)
    assert refusal(result) == (E.INVALID_INPUT, "occurredAt")


@FAST
@given(offset=st.timedeltas(min_value=timedelta(hours=-10), max_value=timedelta(0)))
def test_a_follow_up_never_counts_before_it_occurred_nor_after_now(
    offset: timedelta,
) -> None:
    result = check_follow_up_time(NOW + offset, HANDED_OFF, NOW)
    if NOW + offset < HANDED_OFF:
        assert refusal(result) == (E.INVALID_INPUT, "occurredAt")
    else:
        assert isinstance(result, FollowUpTime)
        assert result.occurred_at <= result.counts_at <= NOW
        assert result.counts_at - result.occurred_at <= timedelta(hours=1) or (
            result.counts_at == NOW
        )


def follow_up(
    actor: Decider,
    owner: int | None = None,
    assignee: int | None = 7,
    has_chain: bool = True,
    note: str | None = None,
) -> Refusal | None:
    return check_follow_up_request(actor, owner, assignee, has_chain, note)


def test_the_assignee_the_owner_and_sales_managers_record_follow_ups() -> None:
    assert follow_up(ASSIGNEE) is None
    assert follow_up(OTHER_REP, owner=OTHER_REP.user_id, assignee=None) is None
    assert follow_up(SALES_MANAGER, assignee=None) is None


@pytest.mark.parametrize(
    "actor", [OTHER_REP, MARKETING_MANAGER, Decider(7, M, Role.MEMBER)]
)
def test_anyone_not_working_the_lead_is_forbidden_to_record_follow_ups(
    actor: Decider,
) -> None:
    assert refusal(follow_up(actor)) == (E.FORBIDDEN, None)


def test_a_follow_up_note_has_at_most_2000_characters() -> None:
    assert follow_up(ASSIGNEE, note="x" * MAX_TEXT) is None
    result = follow_up(ASSIGNEE, note="x" * (MAX_TEXT + 1))
    assert refusal(result) == (E.INVALID_INPUT, "note")


def test_a_lead_never_handed_off_takes_no_follow_up() -> None:
    result = follow_up(SALES_MANAGER, assignee=None, has_chain=False)
    assert refusal(result) == (E.INVALID_TRANSITION, "leadId")


def test_the_owner_becomes_the_assignee_when_a_handoff_is_accepted() -> None:
    assert owner_after_decision(True, owner_id=3, assignee_id=5) == 5
    assert owner_after_decision(True, owner_id=None, assignee_id=5) == 5


def test_a_rejection_leaves_the_owner_as_it_was() -> None:
    assert owner_after_decision(False, owner_id=3, assignee_id=5) == 3
    assert owner_after_decision(False, owner_id=None, assignee_id=5) is None
