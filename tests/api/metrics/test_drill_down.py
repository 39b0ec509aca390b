"""Random worlds (hypothesis) on SQLite and PostgreSQL: whatever the company
did, every dashboard count equals the `totalCount` of its drill-down, and the
figures reconcile with one another.

Each example adds a month of random work after the previous one's, in the same
database (the property holds for any state, so earlier examples only make the
worlds richer): leads qualified by activity or by a manager's override, handed
off at any hour, accepted, rejected, reassigned, withdrawn, auto-accepted by
the sweeper or left alone, touched zero to three times, a persona set by hand,
moved down the waterfall.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.clock import clock
from server.services.waterfall.sweeper import sweep
from tests.handoff_steps import ACCEPT, REASSIGN, REJECT, Floor, floor, user_id
from tests.helpers import Api
from tests.lead_steps import CLOSE, MOVE, UPDATE
from tests.metrics_steps import DASHBOARD, drill_mismatches, figures

pytestmark = pytest.mark.read_connections

EPOCH = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)  # a Monday
_months = itertools.count()


@dataclass(frozen=True)
class Script:
    """One lead's month, in hours from the month's start."""

    start: float
    override: bool
    by_hand_persona: bool
    hand_off: bool
    decision: str  # accept, reject, withdraw, reassign, none
    decide_after: float
    touches: tuple[float, ...]
    advance: int


scripts = st.builds(
    Script,
    start=st.floats(0, 24 * 25),
    override=st.booleans(),
    by_hand_persona=st.booleans(),
    hand_off=st.booleans(),
    decision=st.sampled_from(["accept", "reject", "withdraw", "reassign", "none"]),
    decide_after=st.floats(0.1, 30),
    touches=st.lists(st.floats(0.1, 60), max_size=3).map(lambda t: tuple(sorted(t))),
    advance=st.integers(0, 3),
)
sweeps = st.lists(st.floats(0, 24 * 28), max_size=3)


@dataclass
class Company:
    """The floor every example of one test run adds its month to."""

    room: Floor
    personas: dict[str, str]
    months: int = 0


async def _company(api: Api) -> Company:
    """Set up once per database (hypothesis runs every example with the same
    fixtures); kept on the test's client."""
    found: Company | None = getattr(api, "metrics_company", None)
    if found is None:
        clock.set(EPOCH - timedelta(days=3))
        room = await floor(api)
        await room.activate_model()
        p1 = await room.activate_persona()
        p2 = await room.activate_persona(
            name="Retail buyer", industries=["Retail"], jobTitles=["Buyer"]
        )
        await room.activate_sla(acceptTimeoutAction="AUTO_ACCEPT", minTouchAttempts=2)
        found = Company(room, {"p1": p1, "p2": p2})
        api.metrics_company = found  # type: ignore[attr-defined]
    return found


class Month:
    def __init__(self, room: Floor, personas: dict[str, str], start: datetime):
        self.room, self.personas, self.start = room, personas, start
        self.handoff: dict[int, str] = {}
        self.lead: dict[int, str] = {}

    async def at(self, hours: float) -> None:
        await self.room.at(self.start + timedelta(hours=hours))

    async def begin(self, n: int, s: Script, email: str) -> None:
        if s.override:
            made = await self.room.upsert(
                [{"email": email, "companySize": 10, "industry": "Banking"}]
            )
            self.lead[n] = made["results"][0]["lead"]["id"]
        else:
            self.lead[n] = await self.room.qualified_lead(email)
        if s.by_hand_persona:
            got = await self.room.query(
                "marketing",
                "query($id: ID!) { node(id: $id) { ... on Lead { version } } }",
                id=self.lead[n],
            )
            await self.room.call(
                "marketing",
                UPDATE,
                {
                    "id": self.lead[n],
                    "expectedVersion": got["node"]["version"],
                    "persona": self.personas["p2"],
                },
            )
        if s.hand_off:
            extra = {"overrideReason": "asked"} if s.override else {}
            who = "marketing" if s.override else "member"
            done = await self.room.hand_off(
                self.lead[n], who, assigneeId=await user_id("rep"), **extra
            )
            if done["handoff"]:
                self.handoff[n] = done["handoff"]["id"]

    async def decide(self, n: int, s: Script) -> None:
        if n not in self.handoff:
            return
        key = {"handoffId": self.handoff[n]}
        if s.decision == "accept":
            await self.room.call("rep", ACCEPT, key)
        elif s.decision == "reject":
            input = {**key, "reason": "NO_BUDGET", "disposition": "RECYCLE"}
            await self.room.call("rep", REJECT, input)
        elif s.decision == "withdraw":
            input = {"leadId": self.lead[n], "stage": "NURTURING", "reason": "later"}
            await self.room.call("member", MOVE, input)
        elif s.decision == "reassign":
            input = {**key, "assigneeId": await user_id("sales2")}
            await self.room.call("sales", REASSIGN, input)

    async def touch(self, n: int) -> None:
        if n in self.handoff:
            await self.room.follow_up(self.lead[n], "rep")

    async def advance(self, n: int, s: Script) -> None:
        for stage in ("SQL", "OPPORTUNITY", "WON")[: s.advance]:
            extra = {"amount": "500"} if stage == "OPPORTUNITY" else {}
            input = {"leadId": self.lead[n], "stage": stage, **extra}
            if stage == "WON":
                input = {"leadId": self.lead[n], "outcome": "WON"}
                document = CLOSE
            else:
                document = MOVE
            done = await self.room.call("rep", document, input)
            if done["userErrors"]:
                return


def timeline(plan: list[Script], sweep_at: list[float]) -> list[tuple[float, int, str]]:
    events: list[tuple[float, int, str]] = []
    for n, s in enumerate(plan):
        events.append((s.start, n, "begin"))
        decided = s.start + s.decide_after
        events.append((decided, n, "decide"))
        events += [(decided + t, n, "touch") for t in s.touches]
        events.append((decided + 70, n, "advance"))
    events += [(t, -1, "sweep") for t in sweep_at]
    return sorted(events, key=lambda e: (e[0], e[1]))


async def live(month: Month, plan: list[Script], sweep_at: list[float]) -> None:
    tag = next(_months)
    for hours, n, action in timeline(plan, sweep_at):
        await month.at(hours)
        if action == "begin":
            await month.begin(n, plan[n], f"m{tag}-{n}@logistics.example")
        elif action == "decide":
            await month.decide(n, plan[n])
        elif action == "touch":
            await month.touch(n)
        elif action == "advance":
            await month.advance(n, plan[n])
        else:
            await sweep()


def reconciles(d: dict[str, Any]) -> None:
    """Identities between figures that must hold in any world."""
    sales = d["slaCompliance"]["sales"]
    assert sales["due"]["count"] == sales["met"]["count"] + sales["breached"]["count"]
    assert sales["acceptOnTime"]["count"] <= sales["acceptDue"]["count"]
    assert sales["touchAttemptsMet"]["count"] <= sales["touchAttemptsDue"]["count"]
    decided = d["accepted"]["count"] + d["rejected"]["count"]
    assert decided <= d["handoffs"]["count"]
    assert d["autoAccepted"]["count"] <= d["accepted"]["count"]
    reasons = sum(r["count"] for r in d["rejectionReasons"])
    assert reasons == d["rejected"]["count"]
    assert d["slaCompliance"]["marketing"]["delivered"] == d["delivered"]
    by = d["qualifiedLeads"]["byQualifiedBy"]
    assert (
        max(g["count"] for g in by)
        <= d["qualifiedLeads"]["count"]
        <= sum(g["count"] for g in by)
    )
    for step in d["conversion"]:
        assert step["advanced"]["count"] <= step["entered"]["count"]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    plan=st.lists(scripts, min_size=1, max_size=6),
    sweep_at=sweeps,
    window=st.tuples(st.integers(0, 30), st.integers(1, 40)),
)
async def test_every_count_equals_its_drill_down_in_random_worlds(
    api: Api, plan: list[Script], sweep_at: list[float], window: tuple[int, int]
) -> None:
    company = await _company(api)
    room, personas = company.room, company.personas
    start = EPOCH + timedelta(days=45 * company.months)
    company.months += 1
    month = Month(room, personas, start)
    await live(month, plan, sweep_at)
    await room.at(start + timedelta(days=50))
    first = (start + timedelta(days=window[0])).isoformat()
    last = (start + timedelta(days=window[0] + window[1])).isoformat()
    whole = (start.isoformat(), (start + timedelta(days=45)).isoformat())
    reads = [(persona, (first, last)) for persona in (None, personas["p2"])]
    reads += [(persona, whole) for persona in (None, personas["p1"])]
    for persona, (first, last) in reads:
        found = await room.query(
            "leader",
            DASHBOARD,
            period={"from": first, "to": last},
            personaId=persona,
            timezone="Europe/Berlin",
        )
        d = found["dashboard"]
        assert figures(d)
        reconciles(d)
        assert await drill_mismatches(room, d) == []
