"""The sweeper's rules: which reports a chain is owed, later holders' timeouts,
absence and escalation."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from server.domain.core.outbox import EventKind
from server.domain.waterfall.clocks import SlaTerms
from server.domain.waterfall.handoffs import ReassignCause
from server.domain.waterfall.sweeper import (
    ChainClocks,
    Escalation,
    SlaClock,
    absence_cause,
    breaches_acceptance,
    escalation,
    holder_timeout_at,
    later_timeout_due,
    reports_due,
)

T0 = datetime(2026, 11, 16, 9, tzinfo=UTC)
H = timedelta(hours=1)
CHAIN = ChainClocks(
    accept_at_risk_at=T0 + 3 * H,
    accept_due_at=T0 + 4 * H,
    first_touch_at_risk_at=T0 + 18 * H,
    first_touch_due_at=T0 + 24 * H,
)
ROUND_THE_CLOCK = SlaTerms(Decimal(4), Decimal(24), 3, 7, None)


def kinds(chain: ChainClocks, now: datetime) -> list[tuple[EventKind, SlaClock]]:
    return [(r.kind, r.clock) for r in reports_due(chain, now)]


def test_nothing_is_owed_before_the_at_risk_instant() -> None:
    assert kinds(CHAIN, T0 + 3 * H) == []


def test_at_risk_is_owed_strictly_after_its_instant_and_only_once() -> None:
    later = T0 + 3 * H + timedelta(seconds=1)
    assert kinds(CHAIN, later) == [(EventKind.SLA_AT_RISK, SlaClock.ACCEPT)]
    reported = replace(CHAIN, accept_at_risk_reported=True)
    assert kinds(reported, later) == []


def test_a_breach_unseen_at_risk_is_owed_as_a_breach_only() -> None:
    now = T0 + 5 * H
    assert kinds(CHAIN, now) == [(EventKind.SLA_BREACHED, SlaClock.ACCEPT)]
    assert breaches_acceptance(reports_due(CHAIN, now))


def test_a_decision_stops_the_accept_clock_but_not_the_first_touch() -> None:
    accepted = replace(CHAIN, decided_at=T0 + H, decision="ACCEPTED")
    assert kinds(accepted, T0 + 30 * H) == [
        (EventKind.SLA_BREACHED, SlaClock.FIRST_TOUCH)
    ]


def test_a_rejection_or_a_withdrawal_stops_both_clocks() -> None:
    rejected = replace(CHAIN, decided_at=T0 + H, decision="REJECTED")
    withdrawn = replace(CHAIN, withdrawn_at=T0 + H)
    assert kinds(rejected, T0 + 30 * H) == []
    assert kinds(withdrawn, T0 + 30 * H) == []


def test_a_chain_without_an_sla_is_owed_nothing() -> None:
    none = ChainClocks(None, None, None, None)
    assert kinds(none, T0 + 100 * H) == []


@given(st.integers(min_value=0, max_value=40 * 3600))
def test_at_most_one_report_per_clock_at_any_instant(seconds: int) -> None:
    reports = reports_due(CHAIN, T0 + timedelta(seconds=seconds))
    clocks = [r.clock for r in reports]
    assert len(clocks) == len(set(clocks))


def test_a_holder_moved_before_the_deadline_meets_the_chain_s_deadline() -> None:
    assert holder_timeout_at(ROUND_THE_CLOCK, T0 + H, CHAIN.accept_due_at) is None


def test_a_holder_moved_after_the_deadline_gets_a_window_of_their_own() -> None:
    moved = T0 + 5 * H
    due = holder_timeout_at(ROUND_THE_CLOCK, moved, CHAIN.accept_due_at)
    assert due == moved + 4 * H
    assert not later_timeout_due(due, moved + 3 * H)
    assert later_timeout_due(due, moved + 4 * H)
    assert holder_timeout_at(None, moved, CHAIN.accept_due_at) is None


def test_deactivation_wins_over_being_out_of_office() -> None:
    assert absence_cause(False, True) is ReassignCause.DEACTIVATED
    assert absence_cause(True, True) is ReassignCause.OUT_OF_OFFICE
    assert absence_cause(True, False) is None


def test_an_escalation_says_why_people_must_act() -> None:
    assert escalation(2, ReassignCause.TIMEOUT) is Escalation.LIMIT_REACHED
    assert escalation(1, ReassignCause.OUT_OF_OFFICE) is Escalation.EMPTY_POOL
    assert escalation(0, ReassignCause.TIMEOUT, False) is Escalation.NOTIFY_ACTION
