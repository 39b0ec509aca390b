"""Handoff deadlines on the SLA's business calendar, through the API with the test
clock: weekends, holidays and DST changes; at risk and breached; the first touch
and its follow-ups; the SLA's effective window; the business hours stored.

The SLA of `sla_input`: accept within 4 and touch within 24 business hours,
09:00–17:00 Monday to Friday in Europe/Berlin, 24 and 25 December 2026 off.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from server.clock import clock
from server.models.waterfall import Handoff, HandoffChain
from server.services.core import ids
from tests.handoff_steps import ACCEPT, Floor, berlin, floor, near, user_id
from tests.helpers import Api


async def handed_off_at(
    api: Api, instant: datetime, **sla: Any
) -> tuple[Floor, str, dict[str, Any]]:
    """At `instant`, an SLA in force (with `sla` changes), a qualified lead handed
    to the rep; the floor, the lead's id and the handoff."""
    clock.set(instant)
    room = await floor(api)
    await room.activate_model()
    await room.activate_sla(**sla)
    lead_id = await room.qualified_lead()
    done = await room.hand_off(lead_id, assigneeId=await user_id("rep"))
    assert done["userErrors"] == [], done
    return room, lead_id, done["handoff"]


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def hours_near(text: str | None, expected: str) -> bool:
    """Stored business hours, allowing for the ticking clock (a few seconds)."""
    assert text is not None
    return abs(Decimal(text) - Decimal(expected)) < Decimal("0.01")


async def test_a_friday_afternoon_handoff_is_due_monday_noon(api: Api) -> None:
    # given Friday 20 November 2026, 16:00 in Berlin
    # when a lead is handed off under 4 business hours, 09:00–17:00 Monday–Friday
    _, _, handoff = await handed_off_at(api, berlin(2026, 11, 20, 16, 0))
    # then one hour runs on Friday and three on Monday: due Monday 12:00,
    # at risk after three quarters of it, Monday 11:00
    assert near(handoff["acceptDueAt"], berlin(2026, 11, 23, 12, 0))
    assert near(handoff["acceptAtRiskAt"], berlin(2026, 11, 23, 11, 0))
    # and the first touch (24 business hours) is due Wednesday 16:00, at risk
    # after 18 of them, Wednesday 10:00
    assert near(handoff["firstTouchDueAt"], berlin(2026, 11, 25, 16, 0))
    assert near(handoff["firstTouchAtRiskAt"], berlin(2026, 11, 25, 10, 0))
    assert handoff["slaStatus"] == "ON_TRACK"


async def test_a_handoff_on_a_holiday_starts_the_clock_on_the_next_working_day(
    api: Api,
) -> None:
    # given Christmas Eve 2026, a Thursday and a holiday, like the Friday after it
    # when a lead is handed off at 10:00 Berlin time
    _, _, handoff = await handed_off_at(api, berlin(2026, 12, 24, 10, 0))
    # then the clock starts at Monday's opening: due 13:00, at risk from 12:00
    assert instant(handoff["acceptDueAt"]) == berlin(2026, 12, 28, 13, 0)
    assert instant(handoff["acceptAtRiskAt"]) == berlin(2026, 12, 28, 12, 0)
    assert instant(handoff["firstTouchDueAt"]) == berlin(2026, 12, 30, 17, 0)


async def test_a_handoff_just_before_the_spring_dst_change_is_due_at_the_right_instant(
    api: Api,
) -> None:
    # given Friday 27 March 2026, 16:00 in Berlin (CET, UTC+1); clocks go forward
    # to CEST (UTC+2) on Sunday the 29th
    _, _, handoff = await handed_off_at(api, berlin(2026, 3, 27, 16, 0))
    # then it is due Monday 12:00 summer time: 10:00 UTC, not 11:00
    assert near(handoff["acceptDueAt"], datetime(2026, 3, 30, 10, 0, tzinfo=UTC))
    assert near(handoff["acceptAtRiskAt"], datetime(2026, 3, 30, 9, 0, tzinfo=UTC))


async def test_a_handoff_just_before_the_autumn_dst_change_is_due_at_the_right_instant(
    api: Api,
) -> None:
    # given Friday 23 October 2026, 16:00 in Berlin (CEST, UTC+2); clocks go
    # back to CET (UTC+1) on Sunday the 25th
    _, _, handoff = await handed_off_at(api, berlin(2026, 10, 23, 16, 0))
    # then it is due Monday 12:00 winter time: 11:00 UTC, not 10:00
    assert near(handoff["acceptDueAt"], datetime(2026, 10, 26, 11, 0, tzinfo=UTC))


async def test_a_pending_handoff_turns_at_risk_after_three_quarters_of_its_window(
    api: Api,
) -> None:
    # given a handoff on Friday 16:00, at risk from Monday 11:00, due at 12:00
    room, _, handoff = await handed_off_at(api, berlin(2026, 11, 20, 16, 0))
    statuses = []
    for wall in ((2026, 11, 23, 10, 55), (2026, 11, 23, 11, 5), (2026, 11, 23, 12, 5)):
        # when the clock moves to Monday 10:55, 11:05 and 12:05
        await room.at(berlin(*wall))
        read = await room.handoff(handoff["id"])
        statuses.append((read["acceptStatus"], read["slaStatus"]))
    # then it is on track, at risk, then breached
    assert statuses == [
        ("ON_TRACK", "ON_TRACK"),
        ("AT_RISK", "AT_RISK"),
        ("BREACHED", "BREACHED"),
    ]


async def test_a_follow_up_before_its_deadline_meets_the_first_touch_clock(
    api: Api,
) -> None:
    # given a handoff on Friday 16:00, first touch due Wednesday 16:00
    room, lead_id, handoff = await handed_off_at(api, berlin(2026, 11, 20, 16, 0))
    # when the rep calls on Monday 10:00
    await room.at(berlin(2026, 11, 23, 10, 0))
    done = await room.follow_up(lead_id)
    assert done["userErrors"] == [], done
    # then the first touch is met, two business hours after the handoff
    read = await room.handoff(handoff["id"])
    assert read["firstTouchStatus"] == "MET"
    assert near(read["firstTouchAt"], berlin(2026, 11, 23, 10, 0))
    assert hours_near(read["firstTouchBusinessHours"], "2")
    assert read["touchAttempts"] == 1
    # and the accept clock still runs on its own: the worse of the two
    assert (read["acceptStatus"], read["slaStatus"]) == ("ON_TRACK", "ON_TRACK")


async def test_a_follow_up_after_its_deadline_breaches_the_first_touch_clock(
    api: Api,
) -> None:
    # given a handoff accepted in time on Monday morning
    room, lead_id, handoff = await handed_off_at(api, berlin(2026, 11, 20, 16, 0))
    await room.at(berlin(2026, 11, 23, 9, 30))
    accepted = await room.call("rep", ACCEPT, {"handoffId": handoff["id"]})
    assert accepted["handoff"]["acceptStatus"] == "MET", accepted
    # when the first call comes on Wednesday 16:30, after the 16:00 deadline
    await room.at(berlin(2026, 11, 25, 16, 30))
    await room.follow_up(lead_id, outcome="CONNECTED")
    # then the first touch is breached (and so the SLA), though it happened
    read = await room.handoff(handoff["id"])
    assert (read["firstTouchStatus"], read["slaStatus"]) == ("BREACHED", "BREACHED")
    assert hours_near(read["firstTouchBusinessHours"], "24.5")
    assert read["touchAttempts"] == 1


async def test_a_follow_up_recorded_over_an_hour_late_counts_at_its_recording_time(
    api: Api,
) -> None:
    # given a handoff on Monday 9:00, first touch due Wednesday 17:00
    room, lead_id, handoff = await handed_off_at(api, berlin(2026, 11, 23, 9, 0))
    # when on Thursday 9:30 the rep records a call dated Wednesday 15:00
    await room.at(berlin(2026, 11, 26, 9, 30))
    late = await room.follow_up(
        lead_id, occurredAt=berlin(2026, 11, 25, 15, 0).isoformat()
    )
    # then it keeps its date but counts at its recording: the touch breached
    assert late["userErrors"] == [], late
    entry = late["followUp"]
    assert instant(entry["occurredAt"]) == berlin(2026, 11, 25, 15, 0)
    assert near(entry["countsAt"], berlin(2026, 11, 26, 9, 30))
    read = await room.handoff(handoff["id"])
    assert near(read["firstTouchAt"], berlin(2026, 11, 26, 9, 30))
    assert read["firstTouchStatus"] == "BREACHED"

    # when a call 50 minutes ago is recorded, it counts when it happened
    timely = await room.follow_up(
        lead_id, occurredAt=berlin(2026, 11, 26, 8, 40).isoformat()
    )
    assert instant(timely["followUp"]["countsAt"]) == berlin(2026, 11, 26, 8, 40)
    # and, being the earlier counted touch, it is the first touch now
    read = await room.handoff(handoff["id"])
    assert instant(read["firstTouchAt"]) == berlin(2026, 11, 26, 8, 40)
    assert read["touchAttempts"] == 2


async def test_every_follow_up_by_sales_counts_as_a_touch_attempt(api: Api) -> None:
    # given a handoff accepted by the rep
    room, lead_id, handoff = await handed_off_at(api, berlin(2026, 11, 23, 9, 0))
    await room.at(berlin(2026, 11, 23, 10, 0))
    await room.call("rep", ACCEPT, {"handoffId": handoff["id"]})
    # when the rep and a sales manager record attempts and a conversation
    attempts = [("rep", "CALL", "ATTEMPTED"), ("rep", "EMAIL", "ATTEMPTED")]
    attempts += [("sales", "MEETING", "CONNECTED")]
    for n, (who, channel, outcome) in enumerate(attempts):
        await room.at(berlin(2026, 11, 23, 11 + n, 0))
        done = await room.follow_up(lead_id, who, channel=channel, outcome=outcome)
        assert done["userErrors"] == [], done
    # then each counts; the first touch stays the first one
    read = await room.handoff(handoff["id"])
    assert read["touchAttempts"] == 3
    assert near(read["firstTouchAt"], berlin(2026, 11, 23, 11, 0))
    assert hours_near(read["firstTouchBusinessHours"], "2")


async def test_a_handoff_before_the_sla_takes_effect_has_no_sla(api: Api) -> None:
    # given an SLA in force that takes effect on 1 January 2027
    # when a lead is handed off in November 2026
    room, _, handoff = await handed_off_at(
        api, berlin(2026, 11, 20, 16, 0), effectiveFrom="2027-01-01T00:00:00+01:00"
    )
    # then it has no deadlines and every clock is NO_SLA, also much later
    assert_no_sla(handoff)
    await room.at(berlin(2026, 12, 20, 16, 0))
    assert_no_sla(await room.handoff(handoff["id"]))


async def test_a_handoff_after_the_sla_ended_has_no_sla(api: Api) -> None:
    # given an SLA in force that applied until 1 October 2026
    # when a lead is handed off in November 2026
    _, _, handoff = await handed_off_at(
        api,
        berlin(2026, 11, 20, 16, 0),
        effectiveUntil="2026-10-01T00:00:00+02:00",
    )
    # then it has no deadlines and every clock is NO_SLA
    assert_no_sla(handoff)


def assert_no_sla(handoff: dict[str, Any]) -> None:
    deadlines = ("acceptDueAt", "acceptAtRiskAt", "firstTouchDueAt")
    assert [handoff[k] for k in deadlines] == [None, None, None], handoff
    statuses = ("acceptStatus", "firstTouchStatus", "slaStatus")
    assert [handoff[k] for k in statuses] == ["NO_SLA"] * 3, handoff


async def test_business_hours_to_the_decision_and_first_touch_are_stored(
    api: Api,
) -> None:
    # given a handoff on Friday 16:00
    room, lead_id, handoff = await handed_off_at(api, berlin(2026, 11, 20, 16, 0))
    # when the rep accepts on Monday 10:00 and calls at 11:30
    await room.at(berlin(2026, 11, 23, 10, 0))
    accepted = await room.call("rep", ACCEPT, {"handoffId": handoff["id"]})
    await room.at(berlin(2026, 11, 23, 11, 30))
    await room.follow_up(lead_id)
    # then two and three and a half business hours are stored on the chain
    assert hours_near(accepted["handoff"]["acceptBusinessHours"], "2")
    chain = await HandoffChain.get(id=await chain_of(handoff))
    assert abs(chain.decision_business_hours - 2) < Decimal("0.01")
    assert abs(chain.first_touch_business_hours - Decimal("3.5")) < Decimal("0.01")
    # and they stay as stored when the clock moves on
    await room.at(berlin(2026, 11, 30, 11, 30))
    read = await room.handoff(handoff["id"])
    assert hours_near(read["acceptBusinessHours"], "2")
    assert hours_near(read["firstTouchBusinessHours"], "3.5")


async def test_business_hours_are_counted_on_the_chains_own_calendar(
    api: Api,
) -> None:
    # given an SLA round the clock (no business calendar), a Friday 16:00 handoff
    room, _, handoff = await handed_off_at(
        api, berlin(2026, 11, 20, 16, 0), businessCalendar=None
    )
    assert near(handoff["acceptDueAt"], berlin(2026, 11, 20, 20, 0))
    # when the rep accepts on Saturday 10:00
    await room.at(berlin(2026, 11, 21, 10, 0))
    accepted = await room.call("rep", ACCEPT, {"handoffId": handoff["id"]})
    # then 18 hours passed, every one of them counted
    assert accepted["handoff"]["acceptStatus"] == "BREACHED"
    assert hours_near(accepted["handoff"]["acceptBusinessHours"], "18")


async def chain_of(handoff: dict[str, Any]) -> int:
    row = await Handoff.get(id=ids.decode(handoff["id"], "Handoff"))
    return row.chain_id
