"""Reading handoffs: the `handoffs` filters and orderings, `myQueue`, and SQL
statements per page that do not grow with the number of handoffs.

One Monday in Berlin (SLA: accept within 4 business hours, 09:00–17:00):

| handoff | handed off | to     | then                  | accept due |
|---------|------------|--------|-----------------------|------------|
| none    | 08:00      | Rep    | (no SLA in force yet) | —          |
| late    | 09:00      | Rep    |                       | 13:00      |
| kept    | 09:30      | Rep    | accepted at 10:30     | 13:30      |
| risky   | 10:00      | Sales2 |                       | 14:00      |
| turned  | 11:00      | Sales2 | rejected at 11:15     | 15:00      |

read at 13:45, when `late` has breached and `risky` is at risk.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from server import db
from server.clock import clock
from tests.handoff_steps import (
    ACCEPT,
    HANDOFF,
    LIST,
    QUEUE,
    REJECT,
    Floor,
    berlin,
    floor,
    user_id,
)
from tests.helpers import Api


def monday(hour: int, minute: int = 0) -> datetime:
    return berlin(2026, 11, 23, hour, minute)


class Monday:
    """The handoffs of the table above, by name."""

    def __init__(self, room: Floor) -> None:
        self.room = room
        self.ids: dict[str, str] = {}

    async def hand_off(self, name: str, when: datetime, to: str) -> str:
        clock.set(when)
        lead_id = await self.room.qualified_lead(f"{name}@logistics.example")
        done = await self.room.hand_off(lead_id, assigneeId=await user_id(to))
        assert done["userErrors"] == [], done
        self.ids[name] = done["handoff"]["id"]
        return self.ids[name]

    def names(self, edges: list[dict[str, Any]]) -> list[str]:
        by_id = {v: k for k, v in self.ids.items()}
        return [by_id[e["node"]["id"]] for e in edges]

    async def listed(self, **variables: Any) -> list[str]:
        found = await self.room.query("rep", LIST, **variables)
        return self.names(found["handoffs"]["edges"])


async def a_monday(api: Api) -> Monday:
    clock.set(monday(7, 0))
    room = await floor(api)
    await room.activate_model()
    day = Monday(room)
    await day.hand_off("none", monday(8), "rep")
    await room.activate_sla()
    await day.hand_off("late", monday(9), "rep")
    kept = await day.hand_off("kept", monday(9, 30), "rep")
    await day.hand_off("risky", monday(10), "sales2")
    clock.set(monday(10, 30))
    await room.call("rep", ACCEPT, {"handoffId": kept})
    turned = await day.hand_off("turned", monday(11), "sales2")
    clock.set(monday(11, 15))
    rejection = {"handoffId": turned, "reason": "NO_BUDGET", "disposition": "RECYCLE"}
    await room.call("sales2", REJECT, rejection)
    clock.set(monday(13, 45))
    return day


async def test_handoffs_are_filtered_by_status_and_assignee(api: Api) -> None:
    day = await a_monday(api)
    assert await day.listed(filter={"status": ["PENDING"]}) == [
        "late",
        "risky",
        "none",
    ]
    decided = await day.listed(filter={"status": ["ACCEPTED", "REJECTED"]})
    assert decided == ["kept", "turned"]
    sales2 = await user_id("sales2")
    assert await day.listed(filter={"assigneeIds": [sales2]}) == ["risky", "turned"]


async def test_handoffs_are_filtered_by_each_clock_status(api: Api) -> None:
    day = await a_monday(api)
    expected = {
        ("acceptStatus", "BREACHED"): ["late"],
        ("acceptStatus", "AT_RISK"): ["risky"],
        ("acceptStatus", "ON_TRACK"): [],
        ("acceptStatus", "MET"): ["kept", "turned"],
        ("acceptStatus", "NO_SLA"): ["none"],
        ("firstTouchStatus", "ON_TRACK"): ["late", "kept", "risky"],
        ("firstTouchStatus", "NO_SLA"): ["turned", "none"],
        ("firstTouchStatus", "BREACHED"): [],
        ("slaStatus", "BREACHED"): ["late"],
        ("slaStatus", "AT_RISK"): ["risky"],
        ("slaStatus", "ON_TRACK"): ["kept"],
        ("slaStatus", "MET"): ["turned"],
        ("slaStatus", "NO_SLA"): ["none"],
    }
    found = {
        (clock_name, status): await day.listed(filter={clock_name: [status]})
        for clock_name, status in expected
    }
    assert found == expected
    # several statuses are any of them; filters combine
    either = await day.listed(filter={"slaStatus": ["BREACHED", "AT_RISK"]})
    assert either == ["late", "risky"]
    both = {"acceptStatus": ["MET"], "assigneeIds": [await user_id("rep")]}
    assert await day.listed(filter=both) == ["kept"]


async def test_handoffs_are_filtered_by_half_open_created_and_due_ranges(
    api: Api,
) -> None:
    day = await a_monday(api)
    created = {
        "createdFrom": monday(9, 30).isoformat(),
        "createdTo": monday(11).isoformat(),
    }
    assert await day.listed(filter=created) == ["kept", "risky"]
    due = {"dueFrom": monday(13, 15).isoformat(), "dueTo": monday(15).isoformat()}
    assert await day.listed(filter=due) == ["kept", "risky"]
    # a handoff without a deadline is in no due range, however open
    since = {"dueFrom": monday(14, 30).isoformat()}
    assert await day.listed(filter=since) == ["turned"]
    # and a bound without an offset names no instant
    day.room.api.use_session(day.room.sessions["rep"])
    naive = {"filter": {"createdFrom": "2026-11-23T09:30:00"}}
    response = await day.room.api.gql(LIST, naive)
    assert response.error_codes == ["INVALID_INPUT"], response.body


async def test_handoffs_are_ordered_by_deadline_or_creation_either_way(
    api: Api,
) -> None:
    day = await a_monday(api)
    by_due = ["late", "kept", "risky", "turned", "none"]
    by_creation = ["none", "late", "kept", "risky", "turned"]
    orders = {
        ("DUE", "ASC"): by_due,
        ("DUE", "DESC"): by_due[::-1],
        ("CREATED_AT", "ASC"): by_creation,
        ("CREATED_AT", "DESC"): by_creation[::-1],
    }
    for (field, direction), expected in orders.items():
        order = {"field": field, "direction": direction}
        assert await day.listed(orderBy=order) == expected, order


PAGE = """query($after: String) {
  handoffs(first: 2, after: $after) {
    edges { node { id } } pageInfo { hasNextPage endCursor } totalCount
  }
}"""


async def test_pages_of_handoffs_follow_one_another_by_deadline(api: Api) -> None:
    day = await a_monday(api)
    pages, after = [], None
    while True:
        found = (await day.room.query("rep", PAGE, after=after))["handoffs"]
        pages.append(day.names(found["edges"]))
        assert found["totalCount"] == 5
        if not found["pageInfo"]["hasNextPage"]:
            break
        after = found["pageInfo"]["endCursor"]
    assert pages == [["late", "kept"], ["risky", "turned"], ["none"]]


async def test_my_queue_is_my_open_handoffs_soonest_deadline_first(api: Api) -> None:
    day = await a_monday(api)
    rep = (await day.room.query("rep", QUEUE))["myQueue"]["edges"]
    assert day.names(rep) == ["late", "none"]
    sales2 = (await day.room.query("sales2", QUEUE))["myQueue"]["edges"]
    assert day.names(sales2) == ["risky"]
    assert (await day.room.query("member", QUEUE))["myQueue"]["edges"] == []


# ---- statements -------------------------------------------------------------------


async def statements_for(room: Floor, who: str, document: str) -> tuple[int, int]:
    """How many SQL statements a read takes, and how many handoffs it shows."""
    room.api.use_session(room.sessions[who])
    with db.count_statements() as statements:
        response = await room.api.gql(document)
    edges = next(iter(response.data.values()))["edges"]
    return len(statements), len(edges)


async def with_statements_measured(
    api: Api, who: str, document: str
) -> dict[int, tuple[int, int]]:
    """Statements and handoffs shown with 2, then 20 handoffs to the rep, every
    other one reassigned from Sales2 (each with a lead, an assignee, a previous
    handoff and a chain)."""
    clock.set(monday(9))
    room = await floor(api)
    await room.activate_model()
    await room.activate_sla()
    rep, sales2 = await user_id("rep"), await user_id("sales2")
    counts = {}
    for i in range(20):
        lead_id = await room.qualified_lead(f"lead{i}@logistics.example")
        first = await room.hand_off(lead_id, assigneeId=sales2 if i % 2 else rep)
        if i % 2:
            moved = {"handoffId": first["handoff"]["id"], "assigneeId": rep}
            done = await room.call("sales", REASSIGN_ID, moved)
            assert done["userErrors"] == [], done
        if i + 1 in (2, 20):
            counts[i + 1] = await statements_for(room, who, document)
    return counts


REASSIGN_ID = """mutation($input: ReassignHandoffInput!) {
  reassignHandoff(input: $input) { handoff { id } userErrors { code } } }"""
EVERY_HANDOFF = f"""{{ handoffs(first: 100) {{ edges {{ node {{ {HANDOFF} }} }} }} }}"""


async def test_statements_per_handoffs_page_do_not_grow_with_handoffs(
    api: Api,
) -> None:
    counts = await with_statements_measured(api, "rep", EVERY_HANDOFF)
    # the reassigned handoffs are listed too
    assert (counts[2][1], counts[20][1]) == (3, 30)
    # authentication, the page (chains joined), then one batch each: leads,
    # users, previous handoffs, chains' handoffs
    assert counts[2][0] == counts[20][0] == 6, counts


async def test_statements_for_my_queue_do_not_grow_with_handoffs(api: Api) -> None:
    counts = await with_statements_measured(api, "rep", QUEUE)
    assert (counts[2][1], counts[20][1]) == (2, 20)
    assert counts[2][0] == counts[20][0] == 6, counts


LEADS_WITH_HANDOFFS = """{ leads(first: 50) { edges { node {
  id handoffs { id acceptStatus assignee { name } chain { id } } followUps { id }
} } } }"""


async def test_statements_for_leads_with_their_handoffs_do_not_grow(
    api: Api,
) -> None:
    counts = await with_statements_measured(api, "rep", LEADS_WITH_HANDOFFS)
    assert (counts[2][1], counts[20][1]) == (2, 20)
    # authentication, the leads page, then one batch each: handoffs (chains
    # joined), follow-ups, users, chains' handoffs
    assert counts[2][0] == counts[20][0] == 6, counts
