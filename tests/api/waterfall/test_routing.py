"""Routing handoffs nobody was named for: round robin in user-id order, fair over
many handoffs and as people leave and rejoin the pool; least loaded; and a
marketing manager's override of a lead that never qualified.

The seated sales users, in id order: Sales and Sales2 (managers), then Rep.
"""

from __future__ import annotations

from collections import Counter

from server.clock import clock
from tests.handoff_steps import ACCEPT, Floor, berlin, floor, user_id
from tests.helpers import Api, make_user
from tests.lead_steps import well_fitting

MONDAY = berlin(2026, 11, 23, 10, 0)


async def ready(api: Api, routing: str = "ROUND_ROBIN") -> Floor:
    clock.set(MONDAY)
    room = await floor(api)
    await room.activate_model()
    await room.activate_sla(routing=routing)
    return room


class Routed:
    """Hands off fresh qualified leads without naming anyone."""

    def __init__(self, room: Floor) -> None:
        self.room = room
        self.count = 0

    async def next(self) -> str:
        """Whom the next handoff went to; its id is kept in `last`."""
        self.count += 1
        lead_id = await self.room.qualified_lead(f"lead{self.count}@logistics.example")
        done = await self.room.hand_off(lead_id)
        assert done["userErrors"] == [], done
        self.last: str = done["handoff"]["id"]
        return str(done["handoff"]["assignee"]["name"])

    async def many(self, n: int) -> list[str]:
        return [await self.next() for _ in range(n)]


async def test_round_robin_serves_the_pool_in_user_id_order(api: Api) -> None:
    routed = Routed(await ready(api))
    assert await routed.many(6) == ["Sales", "Sales2", "Rep"] * 2


async def test_round_robin_is_fair_over_many_handoffs(api: Api) -> None:
    routed = Routed(await ready(api))
    served = await routed.many(30)
    assert Counter(served) == {"Sales": 10, "Sales2": 10, "Rep": 10}


async def test_people_leaving_the_pool_are_skipped_and_nobody_is_served_twice(
    api: Api,
) -> None:
    room = await ready(api)
    routed = Routed(room)
    served = await routed.many(2)
    # when the rep is out of office, Sales and Sales2 take turns
    await room.change_user("rep", outOfOffice=True)
    served += await routed.many(2)
    # when the rep is back, the rep's turn comes after Sales2 again
    await room.change_user("rep", outOfOffice=False)
    served += await routed.many(2)
    # when Sales2 is deactivated, Rep and Sales take turns
    await room.change_user("sales2", active=False)
    served += await routed.many(2)
    # when Sales stops accepting leads, only the rep is left
    await room.change_user("sales", acceptsLeads=False)
    served += await routed.many(2)
    assert served == [
        *("Sales", "Sales2"),
        *("Sales", "Sales2"),
        *("Rep", "Sales"),
        *("Rep", "Sales"),
        *("Rep", "Rep"),
    ]


async def test_someone_joining_the_pool_takes_a_turn_in_user_id_order(
    api: Api,
) -> None:
    room = await ready(api)
    routed = Routed(room)
    served = await routed.many(2)
    # when a new rep joins (the highest id) after Sales2's turn
    await make_user("nia@example.com", "SALES", name="Nia")
    served += await routed.many(5)
    # then the cycle goes on and the newcomer's turn comes after Rep's
    assert served == ["Sales", "Sales2", "Rep", "Nia", "Sales", "Sales2", "Rep"]


async def test_a_named_assignee_does_not_move_the_round_robin_turn(api: Api) -> None:
    room = await ready(api)
    routed = Routed(room)
    assert await routed.next() == "Sales"
    lead_id = await room.qualified_lead("named@logistics.example")
    named = await room.hand_off(lead_id, assigneeId=await user_id("sales2"))
    assert named["handoff"]["assignee"]["name"] == "Sales2"
    assert await routed.next() == "Sales2"


async def test_least_loaded_picks_whoever_has_fewest_open_handoffs(
    api: Api,
) -> None:
    # given Sales with two open handoffs and Sales2 with one
    room = await ready(api, routing="LEAST_LOADED")
    loads = {"sales": 2, "sales2": 1}
    for n, who in enumerate(w for w, count in loads.items() for _ in range(count)):
        lead_id = await room.qualified_lead(f"busy{n}@logistics.example")
        await room.hand_off(lead_id, assigneeId=await user_id(who))
    routed = Routed(room)
    # then the rep (none) is served, then ties go in round-robin order
    assert await routed.many(3) == ["Rep", "Sales2", "Rep"]
    # and when Sales accepts one, decided handoffs no longer count
    first_of_sales = (await room.query("sales", QUEUE_IDS))["myQueue"]["edges"]
    accepted = await room.call(
        "sales", ACCEPT, {"handoffId": first_of_sales[0]["node"]["id"]}
    )
    assert accepted["userErrors"] == [], accepted
    assert await routed.next() == "Sales"


QUEUE_IDS = "{ myQueue(first: 10) { edges { node { id } } } }"


async def test_a_manager_override_hands_off_a_new_lead_as_a_manual_mql(
    api: Api,
) -> None:
    # given a lead that fits but never qualified
    room = await ready(api)
    made = await room.upsert([well_fitting("cold@logistics.example")])
    lead_id = made["results"][0]["lead"]["id"]
    # when a marketing manager hands it off with a reason
    done = await room.hand_off(
        lead_id,
        "marketing",
        assigneeId=await user_id("rep"),
        overrideReason="met them at the fair",
    )
    # then it moved to MQL as a manual qualification, and is handed off
    assert done["userErrors"] == [], done
    handoff = done["handoff"]
    assert handoff["overrideReason"] == "met them at the fair"
    assert (handoff["status"], handoff["lead"]["stage"]) == ("PENDING", "MQL")
    lead = (await room.query("marketing", LEAD, id=lead_id))["node"]
    assert (lead["qualified"], lead["qualifiedBy"]) == (True, "MANUAL")
    assert lead["stageHistory"][-1] == {
        "from": "NEW",
        "to": "MQL",
        "via": "MANUAL_QUALIFICATION",
        "reason": "met them at the fair",
        "actor": {"name": "Marketing"},
    }


LEAD = """query($id: ID!) { node(id: $id) { ... on Lead {
  stage qualified qualifiedBy stageHistory { from to via reason actor { name } }
} } }"""
