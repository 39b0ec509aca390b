"""The meeting rules and the feedback summary's arithmetic, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from server.domain.core.errors import ErrorCode
from server.domain.core.roles import Role
from server.domain.feedback.summary import Given, Rejected, summarise
from server.domain.leads.stages import Refusal
from server.domain.meetings import inputs
from server.domain.meetings.action_items import is_overdue, owner_today
from server.domain.meetings.lifecycle import (
    MeetingStatus,
    Participant,
    check_action_item,
    check_complete,
    check_edit,
)

MANAGER = Participant(1, Role.MANAGER)
ATTENDEE = Participant(2, Role.MEMBER)
OUTSIDER = Participant(3, Role.MEMBER)
ADMIN = Participant(4, Role.ADMIN)


def code(problem: Refusal | None) -> ErrorCode | None:
    return problem.code if problem is not None else None


def test_attendees_and_managers_edit_until_completion() -> None:
    scheduled, completed = MeetingStatus.SCHEDULED, MeetingStatus.COMPLETED
    assert code(check_edit(MANAGER, [2], scheduled)) is None
    assert code(check_edit(ATTENDEE, [2], scheduled)) is None
    assert code(check_edit(OUTSIDER, [2], scheduled)) is ErrorCode.FORBIDDEN
    assert code(check_edit(ADMIN, [2], scheduled)) is ErrorCode.FORBIDDEN
    assert code(check_edit(MANAGER, [2], completed)) is ErrorCode.INVALID_TRANSITION
    assert code(check_complete(completed)) is ErrorCode.INVALID_TRANSITION
    assert check_complete(scheduled) is None


def test_an_items_owner_may_update_it_without_attending() -> None:
    assert check_action_item(OUTSIDER, [2], owner_id=3) is None
    assert code(check_action_item(OUTSIDER, [2])) is ErrorCode.FORBIDDEN


def test_a_rejection_and_the_same_reps_feedback_count_a_reason_once() -> None:
    total, groups = summarise(
        [Given(1, lead_id=10, user_id=7, rating=2, reasons=["NO_BUDGET"], group=7)],
        [
            Rejected(lead_id=10, user_id=7, reason="NO_BUDGET", group=7),
            Rejected(lead_id=11, user_id=7, reason="NO_BUDGET", group=7),
            Rejected(lead_id=10, user_id=8, reason="NO_BUDGET", group=8),
        ],
    )
    assert total.reasons == {"NO_BUDGET": 3}
    assert [(g.key, g.count, g.rejections) for g in groups] == [(7, 1, 2), (8, 0, 1)]
    assert total.mean_rating == Decimal("2.00")


@given(
    st.lists(
        st.tuples(st.integers(1, 4), st.integers(1, 3), st.integers(1, 5)),
        max_size=30,
    )
)
def test_group_counts_add_up_to_the_total(rows: list[tuple[int, int, int]]) -> None:
    given_rows = [
        Given(n, lead, rep, rating, ["NOT_A_FIT"], rep)
        for n, (lead, rep, rating) in enumerate(rows)
    ]
    total, groups = summarise(given_rows, [])
    assert sum(g.count for g in groups) == total.count == len(rows)
    assert sum(total.distribution.values()) == len(rows)
    distinct = {(lead, rep) for lead, rep, _ in rows}
    assert total.reasons.get("NOT_A_FIT", 0) == len(distinct)


def test_an_item_is_overdue_from_the_day_after_its_due_date_in_its_owners_zone() -> (
    None
):
    late_evening_utc = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
    assert owner_today(late_evening_utc, "Europe/Berlin") == date(2026, 11, 25)
    assert owner_today(late_evening_utc, "America/New_York") == date(2026, 11, 24)
    assert owner_today(late_evening_utc, "Not/AZone") == date(2026, 11, 24)
    assert is_overdue("OPEN", date(2026, 11, 24), date(2026, 11, 25))
    assert not is_overdue("OPEN", date(2026, 11, 24), date(2026, 11, 24))
    assert not is_overdue("DONE", date(2026, 11, 1), date(2026, 11, 25))
    assert not is_overdue("OPEN", None, date(2026, 11, 25))


def test_inputs_are_trimmed_bounded_and_attendees_distinct() -> None:
    assert inputs.read_title("  Review ") == "Review"
    assert isinstance(inputs.read_title(" "), Refusal)
    assert inputs.read_lines(["a ", " ", "b"], "decisions") == ["a", "b"]
    assert isinstance(inputs.read_lines(["x" * 1001], "decisions"), Refusal)
    assert inputs.read_attendees([3, 1, 3]) == [3, 1]
    assert isinstance(inputs.read_attendees([]), Refusal)
