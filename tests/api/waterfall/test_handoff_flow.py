"""Handoff over the API: deadlines on the business calendar, decisions, chains."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.clock import clock
from server.models.core import OutboxEvent
from tests.handoff_steps import (
    ACCEPT,
    FOLLOW_UP,
    QUEUE,
    REASSIGN,
    REJECT,
    floor,
    near,
    user_id,
)
from tests.helpers import Api

BERLIN_SLA = {
    "acceptWithinHours": "4",
    "businessCalendar": {
        "timezone": "Europe/Berlin",
        "workingDays": ["MON", "TUE", "WED", "THU", "FRI"],
        "dayStart": "09:00",
        "dayEnd": "17:00",
        "holidays": ["2026-12-24", "2026-12-25"],
    },
}


async def test_a_friday_afternoon_handoff_is_due_monday_noon_berlin_time(
    api: Api,
) -> None:
    # given Friday 2026-11-20 16:00 in Berlin (15:00 UTC), an SLA of 4 business hours
    clock.set(datetime(2026, 11, 20, 15, 0, tzinfo=UTC))
    room = await floor(api)
    await room.activate_model()
    await room.activate_sla(**BERLIN_SLA)
    lead_id = await room.qualified_lead()

    # when marketing hands it to the rep
    done = await room.hand_off(lead_id, assigneeId=await user_id("rep"))

    # then it is due Monday 12:00 Berlin (11:00 UTC), at risk from Monday 11:00
    assert done["userErrors"] == [], done
    handoff = done["handoff"]
    assert near(handoff["acceptDueAt"], datetime(2026, 11, 23, 11, tzinfo=UTC))
    assert near(handoff["acceptAtRiskAt"], datetime(2026, 11, 23, 10, tzinfo=UTC))
    assert (handoff["status"], handoff["acceptStatus"]) == ("PENDING", "ON_TRACK")
    queue = (await room.query("rep", QUEUE))["myQueue"]["edges"]
    assert [e["node"]["id"] for e in queue] == [handoff["id"]]

    # and a follow-up dated before the handoff is refused
    before = (clock.now() - timedelta(minutes=5)).isoformat()
    refused = await room.call(
        "rep",
        FOLLOW_UP,
        {
            "leadId": lead_id,
            "channel": "CALL",
            "outcome": "ATTEMPTED",
            "occurredAt": before,
        },
    )
    assert [e["code"] for e in refused["userErrors"]] == ["INVALID_INPUT"]

    # when the clock passes the deadline it is BREACHED
    clock.set(datetime(2026, 11, 23, 11, 1, tzinfo=UTC))
    await room.refresh_sessions()
    late = (await room.query("rep", QUEUE))["myQueue"]["edges"][0]["node"]
    assert late["acceptStatus"] == "BREACHED" and late["slaStatus"] == "BREACHED"

    # and reassigning it keeps the breach
    moved = await room.call(
        "sales",
        REASSIGN,
        {"handoffId": handoff["id"], "assigneeId": await user_id("sales2")},
    )
    assert moved["userErrors"] == [], moved
    again = moved["handoff"]
    assert again["acceptDueAt"] == handoff["acceptDueAt"]
    assert again["acceptStatus"] == "BREACHED"
    assert again["previous"]["id"] == handoff["id"]
    assert again["chainRoot"]["id"] == handoff["id"]

    # when the new assignee accepts, the lead is SAL and theirs
    accepted = await room.call("sales2", ACCEPT, {"handoffId": again["id"]})
    assert accepted["userErrors"] == [], accepted
    assert accepted["handoff"]["lead"]["stage"] == "SAL"
    assert accepted["handoff"]["lead"]["owner"]["name"] == "Sales2"
    again_accept = await room.call("sales2", ACCEPT, {"handoffId": again["id"]})
    assert [e["code"] for e in again_accept["userErrors"]] == ["ALREADY_DECIDED"]


async def test_a_rejection_recycles_the_lead_with_its_reason(api: Api) -> None:
    clock.set(datetime(2026, 11, 18, 9, 0, tzinfo=UTC))
    room = await floor(api)
    await room.activate_model()
    await room.activate_sla(**BERLIN_SLA)
    lead_id = await room.qualified_lead()
    handoff = (await room.hand_off(lead_id, assigneeId=await user_id("rep")))["handoff"]
    refused = await room.call(
        "rep",
        REJECT,
        {"handoffId": handoff["id"], "reason": "OTHER", "disposition": "RECYCLE"},
    )
    assert [e["code"] for e in refused["userErrors"]] == ["INVALID_INPUT"]
    done = await room.call(
        "rep",
        REJECT,
        {"handoffId": handoff["id"], "reason": "NO_BUDGET", "disposition": "RECYCLE"},
    )
    assert done["userErrors"] == [], done
    assert done["handoff"]["lead"]["stage"] == "RECYCLED"
    assert done["handoff"]["rejection"]["reason"] == "NO_BUDGET"
    assert done["handoff"]["acceptStatus"] == "MET"
    assert done["handoff"]["firstTouchStatus"] == "NO_SLA"


PULL_BACK = """
mutation($input: MoveLeadStageInput!) {
  moveLeadStage(input: $input) {
    lead { stage handoffs { status acceptStatus firstTouchStatus } followUps { id } }
    userErrors { code }
  }
}"""


async def test_pulling_an_mql_back_to_nurturing_withdraws_its_open_handoff(
    api: Api,
) -> None:
    clock.set(datetime(2026, 11, 18, 9, 0, tzinfo=UTC))
    room = await floor(api)
    await room.activate_model()
    await room.activate_sla(**BERLIN_SLA)
    lead_id = await room.qualified_lead()
    await room.hand_off(lead_id, assigneeId=await user_id("rep"))
    # when marketing pulls the lead back before any deadline
    done = await room.call(
        "member", PULL_BACK, {"leadId": lead_id, "stage": "NURTURING"}
    )
    # then the handoff is WITHDRAWN and its clocks carry no obligation
    assert done["userErrors"] == [], done
    lead = done["lead"]
    assert lead["stage"] == "NURTURING"
    assert lead["handoffs"] == [
        {"status": "WITHDRAWN", "acceptStatus": "NO_SLA", "firstTouchStatus": "NO_SLA"}
    ]
    assert (await room.query("rep", QUEUE))["myQueue"]["edges"] == []
    withdrawn = await OutboxEvent.filter(kind="HANDOFF_WITHDRAWN").count()
    assert withdrawn == 1


async def test_a_follow_up_counts_as_the_first_touch_and_is_announced(
    api: Api,
) -> None:
    clock.set(datetime(2026, 11, 18, 9, 0, tzinfo=UTC))
    room = await floor(api)
    await room.activate_model()
    await room.activate_sla(**BERLIN_SLA)
    lead_id = await room.qualified_lead()
    await room.hand_off(lead_id, assigneeId=await user_id("rep"))
    done = await room.call(
        "rep", FOLLOW_UP, {"leadId": lead_id, "channel": "CALL", "outcome": "CONNECTED"}
    )
    assert done["userErrors"] == [], done
    queue = (await room.query("rep", QUEUE))["myQueue"]["edges"][0]["node"]
    assert (queue["touchAttempts"], queue["firstTouchStatus"]) == (1, "MET")
    [event] = await OutboxEvent.filter(kind="FOLLOW_UP_RECORDED")
    assert event.payload["channel"] == "CALL"
