"""The dashboard's GraphQL document and a hand-built month of work (March
2026, Berlin) whose every figure the tests work out by hand."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.clock import clock
from server.services.waterfall.sweeper import sweep
from tests.agreement_steps import CREATE_GOAL, GOAL_INPUT, UPDATE_SLA, sla_input
from tests.handoff_steps import ACCEPT, REASSIGN, REJECT, Floor, berlin, floor, user_id
from tests.helpers import Api
from tests.lead_steps import CLOSE, MOVE, UPDATE

COUNT = "{ count leads handoffs }"
DASHBOARD = f"""
query($period: PeriodInput!, $personaId: ID, $timezone: String) {{
  dashboard(period: $period, personaId: $personaId, timezone: $timezone) {{
    period {{ from to timezone }}
    personaId
    qualifiedLeads {{ count leads byQualifiedBy {{ qualifiedBy count leads }} }}
    delivered {COUNT} deliveredManual {COUNT} handoffs {COUNT}
    accepted {COUNT} rejected {COUNT} autoAccepted {COUNT} acceptanceRate
    rejectionReasons {{ reason count handoffs }}
    timeToFirstTouch {{
      medianHours p90Hours medianBusinessHours untouched {COUNT}
    }}
    slaCompliance {{
      marketing {{ committed delivered {COUNT} ratio }}
      sales {{
        due {COUNT} met {COUNT} breached {COUNT} ratio
        acceptDue {COUNT} acceptOnTime {COUNT} acceptOnTimeRatio
        touchAttemptsDue {COUNT} touchAttemptsMet {COUNT} touchAttemptsMetRatio
      }}
      breaches {{ accept {COUNT} firstTouch {COUNT} total }}
    }}
    funnel {{ stage count leads }}
    conversion {{ stage nextStage entered {COUNT} advanced {COUNT} rate }}
    goals {{
      metric goal {{ id title }}
      progress {{ current target ratio expectedRatio status ended }}
    }}
    reviewOverdue
    reviewCadence {{ overdue cadenceDays lastReviewAt countedFrom }}
  }}
}}"""
MARCH = {"from": "2026-03-01", "to": "2026-04-01"}


@dataclass
class World:
    room: Floor
    leads: dict[str, str]
    personas: dict[str, str]


def fitting(name: str) -> dict[str, Any]:
    return {
        "email": f"{name}@logistics.example",
        "firstName": name.upper(),
        "lastName": "Ops",
        "company": "Freight Co",
        "companySize": 500,
        "industry": "Logistics",
        "jobTitle": "VP Operations",
    }


async def ok(room: Floor, who: str, document: str, input: dict[str, Any]) -> Any:
    done = await room.call(who, document, input)
    assert done["userErrors"] == [], done
    return done


class March:
    """Steps of the hand-built month, each at a wall time in Berlin."""

    def __init__(self, room: Floor) -> None:
        self.room = room
        self.leads: dict[str, str] = {}
        self.handoffs: dict[str, str] = {}

    async def at(self, *wall: int) -> None:
        await self.room.at(berlin(*wall))

    async def qualify(self, name: str) -> str:
        lead_id = await self.room.qualified_lead(f"{name}@logistics.example")
        self.leads[name] = lead_id
        return lead_id

    async def hand_off(self, name: str, to: str = "rep", **extra: Any) -> str:
        done = await self.room.hand_off(
            self.leads[name], assigneeId=await user_id(to), **extra
        )
        assert done["userErrors"] == [], done
        self.handoffs[name] = done["handoff"]["id"]
        return str(done["handoff"]["id"])

    async def accept(self, name: str, who: str = "rep") -> None:
        await ok(self.room, who, ACCEPT, {"handoffId": self.handoffs[name]})

    async def reject(self, name: str, reason: str, disposition: str) -> None:
        await ok(
            self.room,
            "rep",
            REJECT,
            {
                "handoffId": self.handoffs[name],
                "reason": reason,
                "disposition": disposition,
            },
        )

    async def touch(self, name: str, who: str = "rep") -> None:
        done = await self.room.follow_up(self.leads[name], who)
        assert done["userErrors"] == [], done

    async def move(self, name: str, stage: str, who: str = "rep", **extra: Any) -> Any:
        input = {"leadId": self.leads[name], "stage": stage, **extra}
        return await ok(self.room, who, MOVE, input)


async def march_world(api: Api) -> World:
    """The month the dashboard tests read (see `test_dashboard` for the sums)."""
    clock.set(berlin(2026, 2, 20, 10, 0))
    room = await floor(api)
    await room.activate_model()
    p1 = await room.activate_persona()
    p2 = await room.activate_persona(
        name="Retail buyer", industries=["Retail"], jobTitles=["Buyer"]
    )
    first = await room.activate_sla(qualifiedLeadsPerMonth=31, minTouchAttempts=2)
    m = March(room)
    # L0, before the period: handed off Friday 27 Feb 16:00, accepted on time,
    # touched twice in its window, then down the waterfall
    await m.at(2026, 2, 27, 16, 0)
    await m.qualify("l0")
    await m.hand_off("l0")
    # L1: a reassignment after the accept breach (due 14:00)
    await m.at(2026, 3, 2, 10, 0)
    await m.qualify("l1")
    await m.hand_off("l1")
    await m.at(2026, 3, 2, 11, 0)
    await m.accept("l0")
    await m.at(2026, 3, 2, 14, 30)
    await ok(
        room,
        "sales",
        REASSIGN,
        {"handoffId": m.handoffs["l1"], "assigneeId": await user_id("sales2")},
    )
    done = await room.query("sales2", "{ myQueue { edges { node { id } } } }")
    m.handoffs["l1"] = done["myQueue"]["edges"][0]["node"]["id"]
    await m.at(2026, 3, 2, 15, 0)
    await m.accept("l1", "sales2")
    await m.at(2026, 3, 3, 9, 30)
    await m.touch("l1", "sales2")
    await m.at(2026, 3, 3, 10, 0)
    await m.touch("l0")
    # L2: rejected (not ready, recycled), qualifying again a week later
    await m.qualify("l2")
    await m.hand_off("l2")
    await m.at(2026, 3, 3, 11, 0)
    await m.reject("l2", "NOT_READY", "RECYCLE")
    await m.at(2026, 3, 5, 10, 0)
    await m.touch("l0")
    # L4: qualified on a Saturday, its persona changed by hand, handed off
    # outside business hours (the clocks start Monday 09:00)
    await m.at(2026, 3, 7, 11, 0)
    await m.qualify("l4")
    await m.at(2026, 3, 7, 11, 5)
    lead = await room.query(
        "marketing",
        "query($id: ID!) { node(id: $id) { ... on Lead { version } } }",
        id=m.leads["l4"],
    )
    await ok(
        room,
        "marketing",
        UPDATE,
        {
            "id": m.leads["l4"],
            "expectedVersion": lead["node"]["version"],
            "persona": p2,
        },
    )
    await m.at(2026, 3, 7, 11, 10)
    await m.hand_off("l4")
    await m.at(2026, 3, 9, 9, 30)
    await m.accept("l4")
    await m.at(2026, 3, 9, 10, 0)
    await m.touch("l4")
    # L2 again: a demo request after the recycling qualifies it anew
    await m.at(2026, 3, 10, 10, 0)
    await room.record(
        [
            {
                "leadId": m.leads["l2"],
                "kind": "DEMO_REQUEST",
                "occurredAt": clock.now().isoformat(),
            }
        ]
    )
    await m.hand_off("l2")
    await m.at(2026, 3, 10, 11, 0)
    await m.accept("l2")
    await m.at(2026, 3, 11, 10, 0)
    await m.touch("l2")
    await m.at(2026, 3, 12, 10, 0)
    await m.touch("l2")
    # the SLA's second revision from Sunday 15 March: 62 a month, auto-accept
    await m.at(2026, 3, 15, 0, 0)
    revised = await ok(
        room,
        "marketing",
        UPDATE_SLA,
        {
            "id": first["id"],
            "expectedVersion": first["version"],
            "terms": sla_input(
                qualifiedLeadsPerMonth=62,
                minTouchAttempts=2,
                acceptTimeoutAction="AUTO_ACCEPT",
            ),
        },
    )
    sla_id = revised["serviceLevelAgreement"]["id"]
    content_hash = await room.propose(sla_id)
    await room.sign(sla_id, content_hash, "marketing")
    await room.sign(sla_id, content_hash, "sales")
    # L5: accepted, never touched
    await m.at(2026, 3, 16, 10, 0)
    await m.qualify("l5")
    await m.hand_off("l5")
    await m.at(2026, 3, 16, 11, 0)
    await m.accept("l5")
    # L6: accepted automatically at its deadline (14:00)
    await m.at(2026, 3, 18, 10, 0)
    await m.qualify("l6")
    await m.hand_off("l6")
    await m.at(2026, 3, 18, 14, 5)
    await sweep()
    await m.at(2026, 3, 19, 10, 0)
    await m.touch("l6")
    # L0 becomes a sales-qualified lead, then an opportunity
    await m.at(2026, 3, 20, 10, 0)
    await m.move("l0", "SQL")
    # L7: a poor fit handed off by a marketing manager's override, rejected
    await m.at(2026, 3, 23, 10, 0)
    made = await room.upsert(
        [{"email": "l7@bank.example", "companySize": 10, "industry": "Banking"}]
    )
    m.leads["l7"] = made["results"][0]["lead"]["id"]
    done = await room.hand_off(
        m.leads["l7"],
        "marketing",
        assigneeId=await user_id("rep"),
        overrideReason="the CEO asked",
    )
    assert done["userErrors"] == [], done
    m.handoffs["l7"] = done["handoff"]["id"]
    await m.at(2026, 3, 23, 10, 30)
    await m.reject("l7", "NOT_A_FIT", "DISQUALIFY")
    # L8: pulled back to nurture an hour after its handoff
    await m.at(2026, 3, 24, 10, 0)
    await m.qualify("l8")
    await m.hand_off("l8")
    await m.at(2026, 3, 24, 11, 0)
    await m.move("l8", "NURTURING", "member", reason="not yet")
    await m.at(2026, 3, 25, 10, 0)
    await m.move("l0", "OPPORTUNITY", amount="1000")
    # L3: handed off the Friday before the DST change, touched Tuesday
    await m.at(2026, 3, 27, 16, 0)
    await m.qualify("l3")
    await m.hand_off("l3")
    await m.at(2026, 3, 30, 9, 30)
    await m.accept("l3")
    await m.at(2026, 3, 31, 10, 0)
    await m.touch("l3")
    # April: L0 won
    await m.at(2026, 4, 2, 10, 0)
    await ok(
        room,
        "rep",
        CLOSE,
        {"leadId": m.leads["l0"], "outcome": "WON", "amount": "1000"},
    )
    # two goals: qualified leads in March, won revenue in the second quarter
    await m.at(2026, 4, 2, 11, 0)
    await room.activate(
        CREATE_GOAL,
        "goal",
        {
            **GOAL_INPUT,
            "title": "MQLs in March",
            "metric": "QUALIFIED_LEADS",
            "target": "20",
            "periodStart": "2026-03-01",
            "periodEnd": "2026-03-31",
        },
    )
    await room.activate(
        CREATE_GOAL,
        "goal",
        {
            **GOAL_INPUT,
            "title": "Won revenue, Q2",
            "metric": "WON_REVENUE",
            "target": "4000",
            "unit": "USD",
            "periodStart": "2026-04-01",
            "periodEnd": "2026-06-30",
        },
    )
    await m.at(2026, 4, 2, 12, 0)
    return World(room, m.leads, {"p1": p1, "p2": p2})


LEAD_TOTAL = """
query($filter: LeadFilter) { leads(first: 1, filter: $filter) { totalCount } }"""
HANDOFF_TOTAL = """
query($filter: HandoffFilter) {
  handoffs(first: 1, filter: $filter) { totalCount }
}"""


def figures(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every count figure in a dashboard, with where it sits."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        if "count" in node and ("leads" in node or "handoffs" in node):
            found.append((path, node))
        for key, value in node.items():
            found += figures(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += figures(value, f"{path}[{i}]")
    return found


async def drill_mismatches(room: Floor, dashboard: dict[str, Any]) -> list[str]:
    """Figures whose count differs from the totalCount of their drill-down."""
    wrong = []
    for path, figure in figures(dashboard):
        if figure.get("leads") is not None:
            got = await room.query("leader", LEAD_TOTAL, filter=figure["leads"])
            total = got["leads"]["totalCount"]
        else:
            assert figure.get("handoffs") is not None, path
            got = await room.query("leader", HANDOFF_TOTAL, filter=figure["handoffs"])
            total = got["handoffs"]["totalCount"]
        if total != figure["count"]:
            wrong.append(f"{path}: {figure['count']} != {total}")
    return wrong
