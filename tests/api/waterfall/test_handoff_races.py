"""Concurrent handoff requests on PostgreSQL: a handoff is decided exactly once, a
lead is handed off once, and routing stays fair (each request its own
connection and transaction)."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest

from server.clock import clock
from server.models.core import OutboxEvent
from server.models.leads import Lead
from server.models.waterfall import Handoff
from server.services.core import ids
from server.services.people.auth import SESSION_COOKIE
from tests.handoff_steps import ACCEPT, HAND_OFF, REJECT, Floor, berlin, floor, user_id
from tests.helpers import Api

pytestmark = pytest.mark.only_backend("postgres")
ROUNDS = 50
MARKETERS = ("member", "marketing", "marketing2")


async def at_once(room: Floor, calls: list[tuple[str, str, dict[str, Any]]]) -> Any:
    """Send every (who, document, input) at the same instant; their payloads."""
    room.api.use_session(None)
    sent = [
        room.api.gql(
            document,
            {"input": input},
            headers={"cookie": f"{SESSION_COOKIE}={room.sessions[who]}"},
        )
        for who, document, input in calls
    ]
    return [next(iter(r.data.values())) for r in await asyncio.gather(*sent)]


async def ready(api: Api) -> Floor:
    clock.set(berlin(2026, 11, 23, 10, 0))
    room = await floor(api)
    await room.activate_model()
    await room.activate_sla()
    return room


async def pending(room: Floor, n: int) -> dict[str, Any]:
    """A fresh qualified lead handed to the rep; the handoff."""
    lead_id = await room.qualified_lead(f"race{n}@logistics.example")
    done = await room.hand_off(lead_id, assigneeId=await user_id("rep"))
    assert done["userErrors"] == [], done
    handoff: dict[str, Any] = done["handoff"]
    return handoff


async def events_about(handoff: dict[str, Any], kind: str) -> int:
    key = ids.decode(handoff["id"], "Handoff")
    return await OutboxEvent.filter(
        kind=kind, subject_type="Handoff", subject_id=key
    ).count()


async def stage_of(handoff: dict[str, Any]) -> str:
    row = await Handoff.get(id=ids.decode(handoff["id"], "Handoff"))
    return (await Lead.get(id=row.lead_id)).stage


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


async def test_deciders_accepting_at_the_same_instant_leave_one_winner(
    api: Api, backend: str
) -> None:
    room = await ready(api)
    for n in range(ROUNDS):
        handoff = await pending(room, n)
        # when the rep and both sales managers accept at the same instant
        accept = {"handoffId": handoff["id"]}
        answers = await at_once(
            room, [(who, ACCEPT, accept) for who in ("rep", "sales", "sales2")]
        )
        # then one wins, the others are ALREADY_DECIDED
        assert sorted(codes(a) for a in answers) == [
            [],
            ["ALREADY_DECIDED"],
            ["ALREADY_DECIDED"],
        ], answers
        # and the lead is SAL, with exactly one HANDOFF_ACCEPTED
        assert await stage_of(handoff) == "SAL"
        assert await events_about(handoff, "HANDOFF_ACCEPTED") == 1


async def test_an_accept_and_a_reject_at_the_same_instant_leave_one_decision(
    api: Api, backend: str
) -> None:
    room = await ready(api)
    winners: Counter[str] = Counter()
    for n in range(ROUNDS):
        handoff = await pending(room, n)
        # when the rep accepts as a sales manager rejects
        rejection = {
            "handoffId": handoff["id"],
            "reason": "NOT_A_FIT",
            "disposition": "DISQUALIFY",
        }
        answers = await at_once(
            room,
            [
                ("rep", ACCEPT, {"handoffId": handoff["id"]}),
                ("sales", REJECT, rejection),
            ],
        )
        # then exactly one of them decided it and the other is ALREADY_DECIDED
        assert sorted(codes(a) for a in answers) == [[], ["ALREADY_DECIDED"]], answers
        accepted = codes(answers[0]) == []
        winners["accept" if accepted else "reject"] += 1
        # and the lead is in the winner's stage, with the winner's one event
        assert await stage_of(handoff) == ("SAL" if accepted else "DISQUALIFIED")
        assert await events_about(handoff, "HANDOFF_ACCEPTED") == int(accepted)
        assert await events_about(handoff, "HANDOFF_REJECTED") == int(not accepted)
        status = (await Handoff.get(id=ids.decode(handoff["id"], "Handoff"))).status
        assert status == ("ACCEPTED" if accepted else "REJECTED")
    assert sum(winners.values()) == ROUNDS


async def test_marketing_handing_off_one_lead_at_the_same_instant_makes_one_handoff(
    api: Api, backend: str
) -> None:
    room = await ready(api)
    rep = await user_id("rep")
    for n in range(ROUNDS):
        lead_id = await room.qualified_lead(f"twice{n}@logistics.example")
        # when three marketers hand the lead off at the same instant
        request = {"leadId": lead_id, "assigneeId": rep}
        answers = await at_once(
            room,
            [(who, HAND_OFF, request) for who in MARKETERS],
        )
        # then one handoff is made; the others are told about it
        assert sorted(codes(a) for a in answers) == [
            [],
            ["ALREADY_HANDED_OFF"],
            ["ALREADY_HANDED_OFF"],
        ], answers
        assert len({a["handoff"]["id"] for a in answers}) == 1
        lead_key = ids.decode(lead_id, "Lead")
        assert await Handoff.filter(lead_id=lead_key).count() == 1
        created = await OutboxEvent.filter(kind="HANDOFF_CREATED").count()
        assert created == n + 1


async def test_round_robin_stays_fair_when_handoffs_arrive_at_the_same_instant(
    api: Api, backend: str
) -> None:
    room = await ready(api)
    served: Counter[str] = Counter()
    for n in range(ROUNDS):
        # (each marketer feeds one lead in: the rate limit is per person)
        leads = {
            who: await room.qualified_lead(f"rr{n}-{who}@logistics.example", who)
            for who in MARKETERS
        }
        # when three leads are handed off at once, nobody named
        answers = await at_once(
            room, [(who, HAND_OFF, {"leadId": lead}) for who, lead in leads.items()]
        )
        # then each of the three in the pool gets one of them
        names = sorted(a["handoff"]["assignee"]["name"] for a in answers)
        assert names == ["Rep", "Sales", "Sales2"], answers
        served.update(names)
    assert served == {"Rep": ROUNDS, "Sales": ROUNDS, "Sales2": ROUNDS}
