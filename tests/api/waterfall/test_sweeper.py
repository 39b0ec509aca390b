"""The sweeper over a real floor with the test clock: SLA events once per chain
and clock, the accept-timeout actions, absent assignees."""

from __future__ import annotations

from server.clock import clock
from server.models.core import OutboxEvent
from server.services.waterfall.sweeper import sweep
from tests.handoff_steps import ACCEPT, NODE, QUEUE
from tests.helpers import Api
from tests.sweeper_steps import (
    at,
    chain_of,
    handed_to_rep,
    holders,
    kinds,
    set_user,
    sla_events,
)


async def test_a_handoff_left_alone_is_reported_at_risk_and_breached_once_per_clock(
    api: Api,
) -> None:
    # given a handoff to the rep at 09:00, due at 13:00 (at risk from 12:00)
    handed = await handed_to_rep(api)
    assert await sweep() == 0

    # when the sweeper runs past each instant, twice each time
    for moment in (at(3, 1), at(4, 1), at(18, 1), at(24, 1), at(48)):
        clock.set(moment)
        await sweep()
        await sweep()

    # then each clock was reported at risk and breached exactly once, in order
    assert await sla_events() == [
        ("SLA_AT_RISK", "ACCEPT"),
        ("SLA_BREACHED", "ACCEPT"),
        ("SLA_AT_RISK", "FIRST_TOUCH"),
        ("SLA_BREACHED", "FIRST_TOUCH"),
    ]
    breach = await OutboxEvent.filter(kind="SLA_BREACHED").order_by("id").first()
    assert breach is not None and breach.payload["timeoutAction"] == "NOTIFY"
    chain = await chain_of(handed.lead_id)
    assert chain.accept_breach_reported and chain.touch_breach_reported
    # and NOTIFY left the handoff with the rep
    assert await holders(handed.lead_id) == [("Rep", "PENDING", None)]


async def test_a_sweep_that_missed_the_at_risk_window_reports_the_breach_only(
    api: Api,
) -> None:
    handed = await handed_to_rep(api)
    clock.set(at(5))
    await sweep()
    assert await sla_events() == [("SLA_BREACHED", "ACCEPT")]
    assert (await chain_of(handed.lead_id)).accept_breach_reported


async def test_a_decision_in_time_stops_the_accept_clock_reports(api: Api) -> None:
    handed = await handed_to_rep(api)
    clock.set(at(1))
    await handed.room.refresh_sessions()
    accepted = await handed.room.call(
        "rep", ACCEPT, {"handoffId": handed.handoff["id"]}
    )
    assert accepted["userErrors"] == [], accepted
    for moment in (at(3, 30), at(5), at(19)):
        clock.set(moment)
        await sweep()
    # the accept clock was met; the first touch still runs and is at risk
    assert await sla_events() == [("SLA_AT_RISK", "FIRST_TOUCH")]


async def test_auto_accept_at_the_deadline_counts_as_accepted_but_not_on_time(
    api: Api,
) -> None:
    handed = await handed_to_rep(api, action="AUTO_ACCEPT")
    clock.set(at(4, 1))
    await sweep()
    await handed.room.refresh_sessions()
    queue = await handed.room.query("rep", QUEUE)
    assert queue["myQueue"]["edges"] == []
    node = (await handed.room.query("rep", NODE, id=handed.handoff["id"]))["node"]
    assert node["status"] == "ACCEPTED" and node["autoAccepted"] is True
    assert node["acceptStatus"] == "BREACHED"
    assert node["decidedBy"] is None
    assert node["lead"]["stage"] == "SAL"
    assert node["lead"]["owner"]["name"] == "Rep"
    assert await kinds("HANDOFF_ACCEPTED") == ["HANDOFF_ACCEPTED"]
    breach = await OutboxEvent.get(kind="SLA_BREACHED")
    assert breach.payload["timeoutAction"] == "AUTO_ACCEPT"
    # a second sweep over the same instant changes nothing
    await sweep()
    assert await kinds("HANDOFF_ACCEPTED", "SLA_BREACHED") == [
        "SLA_BREACHED",
        "HANDOFF_ACCEPTED",
    ]


async def test_reassign_moves_on_twice_then_notifies(api: Api) -> None:
    # given REASSIGN, a pool of the rep and two sales managers
    handed = await handed_to_rep(api, action="REASSIGN")

    # when nobody accepts at the deadline, the handoff moves to the next one
    clock.set(at(4, 1))
    await sweep()
    first = await holders(handed.lead_id)
    assert [h[1:] for h in first] == [("REASSIGNED", None), ("PENDING", "TIMEOUT")]
    chain = await chain_of(handed.lead_id)
    assert chain.sweeper_reassignments == 1
    assert chain.next_timeout_at is not None

    # and the new holder's own four hours run before it moves again
    clock.set(at(7))
    await sweep()
    assert len(await holders(handed.lead_id)) == 2
    clock.set(at(8, 2))
    await sweep()
    second = await holders(handed.lead_id)
    assert [h[1:] for h in second][-1] == ("PENDING", "TIMEOUT")
    assert len({h[0] for h in second}) == 3  # never back to an earlier holder

    # then, past the limit of two, the third timeout notifies instead
    clock.set(at(12, 3))
    await sweep()
    await sweep()
    assert len(await holders(handed.lead_id)) == 3
    escalated = await OutboxEvent.filter(kind="HANDOFF_ESCALATED")
    assert [(e.payload["cause"], e.payload["why"]) for e in escalated] == [
        ("TIMEOUT", "LIMIT_REACHED")
    ]
    assert (await chain_of(handed.lead_id)).next_timeout_at is None
    # the breach was reported once for the chain, with the move it made
    breaches = await OutboxEvent.filter(kind="SLA_BREACHED")
    assert [b.payload["clock"] for b in breaches] == ["ACCEPT"]
    assert breaches[0].payload["timeoutAction"] == "REASSIGN"


async def test_reassign_with_an_empty_pool_notifies(api: Api) -> None:
    handed = await handed_to_rep(api, action="REASSIGN")
    await set_user("sales", accepts_leads=False)
    await set_user("sales2", out_of_office=True)
    clock.set(at(4, 1))
    await sweep()
    assert await holders(handed.lead_id) == [("Rep", "PENDING", None)]
    breach = await OutboxEvent.get(kind="SLA_BREACHED")
    assert breach.payload["timeoutAction"] == "NOTIFY"


async def test_an_out_of_office_assignee_s_pending_handoff_moves_to_a_colleague(
    api: Api,
) -> None:
    handed = await handed_to_rep(api)
    clock.set(at(1))
    await set_user("rep", out_of_office=True)
    await sweep()
    await sweep()
    moved = await holders(handed.lead_id)
    assert [h[1:] for h in moved] == [
        ("REASSIGNED", None),
        ("PENDING", "OUT_OF_OFFICE"),
    ]
    assert moved[1][0] in {"Sales", "Sales2"}
    chain = await chain_of(handed.lead_id)
    # moved before the deadline: the chain's deadline is the next timeout
    assert chain.sweeper_reassignments == 1 and chain.next_timeout_at is None


async def test_a_deactivated_assignee_with_nobody_to_take_over_escalates_once(
    api: Api,
) -> None:
    handed = await handed_to_rep(api)
    await set_user("sales", accepts_leads=False)
    await set_user("sales2", accepts_leads=False)
    clock.set(at(1))
    await set_user("rep", active=False)
    await sweep()
    await sweep()
    assert await holders(handed.lead_id) == [("Rep", "PENDING", None)]
    escalated = await OutboxEvent.filter(kind="HANDOFF_ESCALATED")
    assert [(e.payload["cause"], e.payload["why"]) for e in escalated] == [
        ("DEACTIVATED", "EMPTY_POOL")
    ]
    # when a colleague takes leads again, the next sweep does not move it
    # (escalated once per handoff; a manager reassigns by hand)
    await set_user("sales", accepts_leads=True)
    await sweep()
    assert len(await holders(handed.lead_id)) == 1


async def test_out_of_office_moves_count_toward_the_limit_of_two(api: Api) -> None:
    handed = await handed_to_rep(api, action="REASSIGN")
    clock.set(at(1))
    await set_user("rep", out_of_office=True)
    await sweep()
    second = (await holders(handed.lead_id))[-1][0]
    await set_user(second, out_of_office=True)
    await sweep()
    third = await holders(handed.lead_id)
    assert [h[2] for h in third] == [None, "OUT_OF_OFFICE", "OUT_OF_OFFICE"]
    # at the deadline REASSIGN is past the limit: NOTIFY
    clock.set(at(4, 1))
    await sweep()
    assert len(await holders(handed.lead_id)) == 3
    breach = await OutboxEvent.get(kind="SLA_BREACHED")
    assert breach.payload["timeoutAction"] == "NOTIFY"
