"""The demo company's pure parts: its calendar, its market and its sales scripts."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from server.demo.plans.company import (
    berlin_days_off,
    business_calendar,
    easter_sunday,
    quarter_of,
)
from server.demo.plans.market import plan_leads
from server.demo.plans.sales import (
    Clocks,
    Decision,
    HandoffScript,
    decision_time,
    first_touch_time,
    handoff_script,
)
from server.domain.agreements.calendar import calendar_from_terms, is_open
from server.domain.waterfall.clocks import compute_clocks, sla_terms_from

END = datetime(2025, 6, 2, 16, tzinfo=UTC)
START = END - timedelta(days=90)


def test_easter_falls_on_the_known_sundays() -> None:
    assert easter_sunday(2024) == date(2024, 3, 31)
    assert easter_sunday(2025) == date(2025, 4, 20)
    assert easter_sunday(2026) == date(2026, 4, 5)


def test_berlin_days_off_include_movable_feasts_and_womens_day() -> None:
    days = berlin_days_off([2025])
    for day in ("2025-03-08", "2025-04-18", "2025-04-21", "2025-05-29", "2025-06-09"):
        assert day in days
    assert "2025-06-02" not in days


def test_the_calendar_is_closed_on_a_holiday_and_open_on_a_working_morning() -> None:
    calendar = calendar_from_terms(business_calendar([2025]))
    assert not is_open(calendar, datetime(2025, 4, 21, 10, tzinfo=UTC))
    assert is_open(calendar, datetime(2025, 4, 22, 10, tzinfo=UTC))


def test_a_quarter_runs_from_its_first_to_its_last_day() -> None:
    assert quarter_of(date(2025, 6, 2)) == (date(2025, 4, 1), date(2025, 6, 30))
    assert quarter_of(date(2025, 11, 30)) == (date(2025, 10, 1), date(2025, 12, 31))


def test_the_same_seed_plans_the_same_market_and_another_seed_another() -> None:
    first = plan_leads(random.Random("a"), 200, START, END)
    again = plan_leads(random.Random("a"), 200, START, END)
    other = plan_leads(random.Random("b"), 200, START, END)
    assert first == again
    assert [p.row for p in first] != [p.row for p in other]


def test_leads_arrive_in_the_window_with_unique_addresses_and_activities() -> None:
    plans = plan_leads(random.Random(1), 500, START, END)
    assert len({p.email for p in plans}) == 500
    assert all(START <= p.created_at < END for p in plans)
    moments = [at for p in plans for _, at, _ in p.activities]
    assert all(START <= at < END for at in moments)
    assert len(moments) > 3 * len(plans)
    assert [p.created_at for p in plans] == sorted(p.created_at for p in plans)


def test_a_rejection_suits_the_lead() -> None:
    lead = {"isCustomer": True, "companySize": 400}
    script = _script_until(Decision.REJECT, lead)
    assert script.rejection is not None
    assert script.rejection.reason == "EXISTING_CUSTOMER"


def test_late_decisions_breach_and_timely_ones_do_not() -> None:
    terms = sla_terms_from(
        {
            "acceptWithinHours": "4",
            "firstTouchWithinHours": "8",
            "businessCalendar": business_calendar([2025]),
        }
    )
    started = datetime(2025, 4, 17, 15, 30, tzinfo=UTC)  # before Easter
    due = compute_clocks(terms, started)
    clocks = Clocks(started, due.accept_due_at, due.first_touch_due_at)
    assert due.accept_due_at and due.first_touch_due_at
    for seed in range(30):
        rng = random.Random(seed)
        timely = decision_time(rng, terms.calendar, clocks, late=False)
        assert started < timely <= due.accept_due_at
        assert decision_time(rng, terms.calendar, clocks, late=True) > due.accept_due_at
        touch = first_touch_time(rng, terms.calendar, clocks, timely, late=False)
        assert timely <= touch <= due.first_touch_due_at


def _script_until(decision: Decision, lead: dict[str, object]) -> HandoffScript:
    for seed in range(200):
        script = handoff_script(random.Random(seed), lead)
        if script.decision is decision:
            return script
    raise AssertionError(f"no {decision} in 200 seeds")
