"""Issue 8's done-when over the network: `accord serve` with the test clock
(ACCORD_TEST_CLOCK=1, POST /_test/clock), an SLA of 4 business hours, 09:00–17:00
Monday to Friday in Berlin, and handoffs whose deadlines and breaches follow it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.agreement_steps import CREATE_MODEL, CREATE_SLA, model_input, sla_input
from tests.handoff_steps import (
    FOLLOW_UP,
    HAND_OFF,
    LIST,
    NODE,
    QUEUE,
    REASSIGN,
    berlin,
)
from tests.lead_steps import RECORD, UPSERT, well_fitting
from tests.network import call, in_force, query, running_server, send, sign_in

PEOPLE = [
    ("mara@example.com", "Mara", "MARKETING", "MANAGER"),
    ("mia@example.com", "Mia", "SALES", "MANAGER"),
    ("rey@example.com", "Rey", "SALES", "MEMBER"),
    ("ray@example.com", "Ray", "SALES", "MEMBER"),
]
MARA, MIA, REY, RAY = range(4)
VIEWER = "{ viewer { id } }"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The server, with the qualification model and the SLA in force since
    1 March 2026 (the SLA applies from 1 January; at an accept deadline the
    sweeper only notifies, so nobody's handoffs move under the test)."""
    with running_server(tmp_path_factory, PEOPLE, ACCORD_TEST_CLOCK="1") as base:
        set_clock(base, berlin(2026, 3, 1, 12, 0))
        with signed_in(base, MARA, MIA) as (mara, mia):
            in_force(mara, mia, CREATE_MODEL, "qualificationModel", model_input())
            terms = sla_input(acceptTimeoutAction="NOTIFY")
            in_force(mara, mia, CREATE_SLA, "serviceLevelAgreement", terms)
        yield base


def set_clock(base: str, instant: datetime) -> None:
    answer = httpx.post(f"{base}/_test/clock", json={"now": instant.isoformat()})
    assert answer.status_code == 200, answer.text
    assert abs(datetime.fromisoformat(answer.json()["now"]) - instant) < timedelta(
        seconds=5
    )


@contextmanager
def signed_in(base: str, *who: int) -> Iterator[tuple[httpx.Client, ...]]:
    """PEOPLE[who…] signed in (again: sessions idle out on the server's clock;
    and signing in is slow on purpose, so only who is needed)."""
    clients = [httpx.Client(base_url=base) for _ in who]
    try:
        for client, person in zip(clients, who, strict=True):
            sign_in(client, PEOPLE[person][0])
        yield tuple(clients)
    finally:
        for client in clients:
            client.close()


def qualified_lead(mara: httpx.Client, email: str, now: datetime) -> str:
    """A well-fitting lead whose demo request (now) qualifies it: MQL."""
    made = call(mara, UPSERT, {"leads": [well_fitting(email)]})
    lead_id: str = made["results"][0]["lead"]["id"]
    demo = {"leadId": lead_id, "kind": "DEMO_REQUEST", "occurredAt": now.isoformat()}
    recorded = call(mara, RECORD, {"activities": [demo]})
    assert recorded["results"][0]["lead"]["stage"] == "MQL", recorded
    return lead_id


def user_id(client: httpx.Client) -> str:
    return str(query(client, VIEWER)["viewer"]["id"])


def hand_off(base: str, email: str, now: datetime, to: int) -> dict[str, Any]:
    """At `now`, a lead qualified and handed by Mara to PEOPLE[to]; the handoff."""
    set_clock(base, now)
    with signed_in(base, MARA, to) as (mara, assignee):
        lead_id = qualified_lead(mara, email, now)
        done = call(
            mara, HAND_OFF, {"leadId": lead_id, "assigneeId": user_id(assignee)}
        )
    handoff: dict[str, Any] = done["handoff"]
    return handoff


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def near(text: str, expected: datetime) -> bool:
    return abs(instant(text) - expected) < timedelta(seconds=30)


def test_a_handoff_just_before_the_spring_dst_change_is_due_at_the_right_instant(
    server: str,
) -> None:
    # given Friday 27 March 2026, 16:00 in Berlin, before Sunday's change to CEST
    handoff = hand_off(server, "spring@x.example", berlin(2026, 3, 27, 16, 0), MIA)
    # then it is due Monday 12:00 summer time, 10:00 UTC
    assert near(handoff["acceptDueAt"], datetime(2026, 3, 30, 10, 0, tzinfo=UTC))


def test_a_handoff_on_a_holiday_is_due_from_the_next_working_day(
    server: str,
) -> None:
    # given Christmas Eve 2026, 10:00 in Berlin: a holiday, like the Friday after
    handoff = hand_off(server, "xmas@x.example", berlin(2026, 12, 24, 10, 0), MIA)
    # then the clock starts on Monday the 28th at 09:00: due 13:00
    assert instant(handoff["acceptDueAt"]) == berlin(2026, 12, 28, 13, 0)


def test_a_friday_afternoon_handoff_is_due_monday_noon_and_stays_breached(
    server: str,
) -> None:
    # given Friday 20 November 2026, 16:00 in Berlin
    friday = berlin(2026, 11, 20, 16, 0)
    # when Mara hands a qualified lead to Rey
    handoff = hand_off(server, "friday@x.example", friday, REY)
    # then it is due Monday 12:00 Berlin time, 11:00 UTC
    assert near(handoff["acceptDueAt"], datetime(2026, 11, 23, 11, 0, tzinfo=UTC))
    assert handoff["acceptStatus"] == "ON_TRACK"
    with signed_in(server, REY) as (rey,):
        # and Rey sees it in his queue with that deadline
        queue = query(rey, QUEUE)["myQueue"]["edges"]
        assert [e["node"]["id"] for e in queue] == [handoff["id"]]
        assert queue[0]["node"]["acceptDueAt"] == handoff["acceptDueAt"]
        # and a follow-up dated before the handoff is refused
        lead_id = handoff["lead"]["id"]
        early = (friday - timedelta(minutes=10)).isoformat()
        refused = send(
            rey,
            FOLLOW_UP,
            {
                "leadId": lead_id,
                "channel": "CALL",
                "outcome": "ATTEMPTED",
                "occurredAt": early,
            },
        )
        assert [e["code"] for e in refused["userErrors"]] == ["INVALID_INPUT"]

    # when the clock passes the deadline
    set_clock(server, berlin(2026, 11, 23, 12, 5))
    with signed_in(server, MIA, REY, RAY) as (mia, rey, ray):
        # then the handoff is BREACHED, in Rey's queue and in the SQL filter
        late = query(rey, NODE, id=handoff["id"])["node"]
        assert (late["acceptStatus"], late["slaStatus"]) == ("BREACHED", "BREACHED")
        reys = {"slaStatus": ["BREACHED"], "assigneeIds": [user_id(rey)]}
        breached = query(mia, LIST, filter=reys)["handoffs"]
        assert [e["node"]["id"] for e in breached["edges"]] == [handoff["id"]]

        # when Mia reassigns it to Ray
        moved = call(
            mia, REASSIGN, {"handoffId": handoff["id"], "assigneeId": user_id(ray)}
        )["handoff"]
        # then Ray's handoff carries the same deadline and is still BREACHED
        assert moved["acceptDueAt"] == handoff["acceptDueAt"]
        assert (moved["acceptStatus"], moved["slaStatus"]) == ("BREACHED", "BREACHED")
        assert moved["previous"]["id"] == handoff["id"]
        queue = query(ray, QUEUE)["myQueue"]["edges"]
        assert [e["node"]["acceptStatus"] for e in queue] == ["BREACHED"]
        assert query(rey, QUEUE)["myQueue"]["edges"] == []
