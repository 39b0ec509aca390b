"""Content-request changes reach the requester and the assignee by e-mail too
(ACCORD_SMTP_URL), with a link that opens the request in the client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from server.settings import Settings
from server.wiring import wire
from tests.api.content.steps import MOVE, TRIAGE, Studio, committed
from tests.api.events.test_email import PUBLIC, deliver, subjects
from tests.helpers import Api
from tests.notification_steps import Inbox, smtp_server


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    yield from smtp_server()


@pytest.fixture
def settings(settings: Settings, smtp: tuple[Inbox, int]) -> Settings:
    mailed = settings.with_(smtp_url=f"smtp://127.0.0.1:{smtp[1]}", public_url=PUBLIC)
    wire(mailed)
    return mailed


@pytest.fixture
def inbox(smtp: tuple[Inbox, int]) -> Inbox:
    return smtp[0]


async def test_the_requester_and_the_assignee_are_mailed_with_a_link(
    api: Api, inbox: Inbox
) -> None:
    studio = await Studio.open(api)
    request = await studio.ask()
    rid = request["id"]
    await studio.ok(
        "marketing",
        TRIAGE,
        {
            "requestId": rid,
            "decision": "ACCEPT",
            "assigneeId": studio.ids["member"],
            **committed(5),
        },
    )
    await studio.ok("member", MOVE, {"requestId": rid, "to": "IN_PROGRESS"})
    await deliver()

    to_rep = subjects(inbox, "rey@example.com")
    assert to_rep == [
        f"Marketing accepted {request['title']}",
        f"Member started work on {request['title']}",
    ]
    # the assignee hears of the acceptance, not of their own move
    assert subjects(inbox, "mel@example.com") == [
        f"Marketing accepted {request['title']}"
    ]
    mail = inbox.to("rey@example.com")[0].get_content()
    assert f"{PUBLIC}/#/content/{rid}" in mail
    assert "It is now accepted." in mail
