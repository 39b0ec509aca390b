"""The sweeper, the notification consumer and the mailer as `accord serve` starts
them: a handoff left alone is announced at risk and breached, in the app and by
e-mail to an SMTP server on 127.0.0.1, with nothing but the test clock moved."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.agreement_steps import CREATE_MODEL, CREATE_SLA, model_input, sla_input
from tests.handoff_steps import HAND_OFF
from tests.lead_steps import RECORD, UPSERT, well_fitting
from tests.network import call, in_force, query, running_server, sign_in
from tests.notification_steps import NOTIFICATIONS, Inbox, smtp_server

START = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
PEOPLE = [
    ("mara@example.com", "Mara", "MARKETING", "MANAGER"),
    ("mia@example.com", "Mia", "SALES", "MANAGER"),
    ("rey@example.com", "Rey", "SALES", "MEMBER"),
]
REP_ID = "{ viewer { id } }"


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Inbox, int]]:
    yield from smtp_server()


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, smtp: tuple[Inbox, int]
) -> Iterator[str]:
    with running_server(
        tmp_path_factory,
        PEOPLE,
        ACCORD_TEST_CLOCK="1",
        ACCORD_SWEEP_SECONDS="0.5",
        ACCORD_SMTP_URL=f"smtp://127.0.0.1:{smtp[1]}",
        ACCORD_PUBLIC_URL="http://accord.test",
    ) as base:
        yield base


def set_clock(client: httpx.Client, moment: datetime) -> None:
    answer = client.post("/_test/clock", json={"now": moment.isoformat()})
    assert answer.status_code == 200, answer.text


def eventually(check: Callable[[], Any], seconds: float = 30) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    pytest.fail("the server did not get there in time")


def hand_off_a_lead(mara: httpx.Client, mia: httpx.Client, rep_id: str) -> None:
    """The model and an SLA round the clock in force, a lead qualified by a demo
    request, handed by marketing to the rep."""
    in_force(mara, mia, CREATE_MODEL, "qualificationModel", model_input())
    sla = sla_input(acceptTimeoutAction="NOTIFY", businessCalendar=None)
    in_force(mara, mia, CREATE_SLA, "serviceLevelAgreement", sla)
    done = call(mara, UPSERT, {"leads": [well_fitting()]})
    lead_id = done["results"][0]["lead"]["id"]
    demo = {"leadId": lead_id, "kind": "DEMO_REQUEST", "occurredAt": START.isoformat()}
    call(mara, RECORD, {"activities": [demo]})
    call(mara, HAND_OFF, {"leadId": lead_id, "assigneeId": rep_id})


def test_a_handoff_left_alone_is_announced_by_the_running_server(
    server: str, smtp: tuple[Inbox, int]
) -> None:
    inbox = smtp[0]
    with (
        httpx.Client(base_url=server) as mara,
        httpx.Client(base_url=server) as mia,
        httpx.Client(base_url=server) as rey,
    ):
        set_clock(mara, START)
        for client, email in ((mara, "mara"), (mia, "mia"), (rey, "rey")):
            sign_in(client, f"{email}@example.com")
        rep_id = query(rey, REP_ID)["viewer"]["id"]
        hand_off_a_lead(mara, mia, rep_id)
        eventually(lambda: inbox.to("rey@example.com"))

        for moment, subject in ((3, "At risk"), (4, "Breached")):
            set_clock(mara, START + timedelta(hours=moment, minutes=1))
            for address in ("rey@example.com", "mia@example.com"):
                eventually(
                    lambda a=address, s=subject: [
                        m for m in inbox.to(a) if str(m["Subject"]).startswith(s)
                    ]
                )

        for client in (rey, mia):
            kinds = [
                e["node"]["kind"]
                for e in query(client, NOTIFICATIONS, first=20)["notifications"][
                    "edges"
                ]
            ]
            assert kinds.count("SLA_AT_RISK") == 1 and kinds.count("SLA_BREACHED") == 1
        # marketing hears nothing of sales' deadlines
        subjects = [str(m["Subject"]) for m in inbox.to("mara@example.com")]
        assert not [s for s in subjects if s.startswith(("At risk", "Breached"))]
