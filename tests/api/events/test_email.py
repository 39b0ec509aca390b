"""E-mail through a real SMTP server on 127.0.0.1: notifications and
set-password links, sent after commit, retried, never for a rolled-back change.

These are also the issue's done-when, over HTTP with the test clock: a handoff
left alone is reported at risk and breached to the assignee and the sales
managers, in the app and by e-mail; AUTO_ACCEPT accepts late; a rep who sets
themselves out of office has their pending handoff moved to a colleague."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from server.clock import clock
from server.models.core import EmailDelivery
from server.models.people import User
from server.services.core import mail as mailer
from server.services.waterfall.sweeper import sweep
from server.settings import Settings
from server.wiring import wire
from tests.handoff_steps import HAND_OFF, NODE, user_id
from tests.helpers import Api
from tests.notification_steps import (
    PREFERENCES,
    Inbox,
    inbox_of,
    smtp_server,
)
from tests.sweeper_steps import at, handed_to_rep, holders, settle

PUBLIC = "http://accord.example.com"
CREATE_LINK = """
mutation($input: CreateSetPasswordLinkInput!) {
  createSetPasswordLink(input: $input) { url emailed expiresAt userErrors { code } }
}"""
SET_PASSWORD = """
mutation($input: SetPasswordInput!) {
  setPassword(input: $input) { userErrors { code message } }
}"""


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


async def deliver() -> None:
    """What the dispatcher and the mailer do after commit, now (waiting for a
    send the app's own mailer job may have leased meanwhile)."""
    await settle()
    for _ in range(500):
        await mailer.send_pending()
        leased = EmailDelivery.filter(sent_at__isnull=True, last_error__isnull=True)
        if not await leased.exists():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("e-mails stayed unsent")


def subjects(inbox: Inbox, address: str) -> list[str]:
    return [str(m["Subject"]) for m in inbox.to(address)]


async def test_a_handoff_left_alone_is_reported_in_the_app_and_by_e_mail(
    api: Api, inbox: Inbox
) -> None:
    # given a handoff to the rep, who reads times in Berlin
    handed = await handed_to_rep(api)
    await User.filter(name="Rep").update(timezone="Europe/Berlin")
    await deliver()
    assert subjects(inbox, "rey@example.com") == [
        "New lead for you: Ana Ops (Freight Co)"
    ]

    # when it is left alone past its at-risk and its due instants
    for moment in (at(3, 1), at(4, 1)):
        clock.set(moment)
        await sweep()
        await sweep()
        await deliver()

    # then the rep and both sales managers got one of each, in the app…
    await handed.room.refresh_sessions()
    for who, address in (
        ("rep", "rey@example.com"),
        ("sales", "sam@example.com"),
        ("sales2", "sue@example.com"),
    ):
        kinds = [
            e["node"]["kind"]
            for e in (await inbox_of(handed.room, who))["edges"]
            if e["node"]["kind"].startswith("SLA_")
        ]
        assert kinds == ["SLA_BREACHED", "SLA_AT_RISK"], who
        # …and by e-mail
        mailed = [s.split(":")[0] for s in subjects(inbox, address)]
        assert [s for s in mailed if s in ("At risk", "Breached")] == [
            "At risk",
            "Breached",
        ], who
    # with the deadline in the reader's timezone and a link to the lead
    [at_risk] = [m for m in inbox.to("rey@example.com") if "At risk" in m["Subject"]]
    text = at_risk.get_content()
    assert "Mon 16 Nov 2026, 14:00 (CET)" in text
    assert f"{PUBLIC}/#/leads/{handed.lead_id}" in text
    assert at_risk["From"] == "accord@accord.example.com"
    [boss] = [m for m in inbox.to("sam@example.com") if "At risk" in m["Subject"]]
    assert "Mon 16 Nov 2026, 13:00 (UTC)" in boss.get_content()


async def test_auto_accept_is_reported_late_by_e_mail(api: Api, inbox: Inbox) -> None:
    handed = await handed_to_rep(api, action="AUTO_ACCEPT")
    clock.set(at(4, 1))
    await sweep()
    await deliver()
    await handed.room.refresh_sessions()
    node = (await handed.room.query("rep", NODE, id=handed.handoff["id"]))["node"]
    assert (node["status"], node["autoAccepted"], node["acceptStatus"]) == (
        "ACCEPTED",
        True,
        "BREACHED",
    )
    for address in ("rey@example.com", "sam@example.com", "sue@example.com"):
        assert "Accepted automatically, late: Ana Ops (Freight Co)" in subjects(
            inbox, address
        )


async def test_a_rep_out_of_office_has_pending_handoffs_moved_and_told(
    api: Api, inbox: Inbox
) -> None:
    handed = await handed_to_rep(api)
    done = await handed.room.call("rep", PREFERENCES, {"outOfOffice": True})
    assert done["userErrors"] == [], done
    await sweep()
    await deliver()
    moved = await holders(handed.lead_id)
    assert [h[1:] for h in moved] == [
        ("REASSIGNED", None),
        ("PENDING", "OUT_OF_OFFICE"),
    ]
    colleague = {"Sales": "sam@example.com", "Sales2": "sue@example.com"}[moved[1][0]]
    mail = next(m for m in inbox.to(colleague) if "New lead" in m["Subject"])
    assert "its assignee is out of office" in mail.get_content()


async def test_a_refused_change_sends_nothing(api: Api, inbox: Inbox) -> None:
    handed = await handed_to_rep(api)
    await deliver()
    before = len(inbox.messages)
    refused = await handed.room.call(
        "member",
        HAND_OFF,
        {"leadId": handed.lead_id, "assigneeId": await user_id("rep")},
    )
    assert [e["code"] for e in refused["userErrors"]] == ["ALREADY_HANDED_OFF"]
    await deliver()
    assert len(inbox.messages) == before


async def test_a_refusing_server_is_retried_with_backoff(
    api: Api, inbox: Inbox
) -> None:
    # given the SMTP server answers "try again later"
    inbox.refuse = True
    await handed_to_rep(api)
    await deliver()
    row = await EmailDelivery.get(to_address="rey@example.com")
    assert (row.sent_at, row.attempts) == (None, 1)
    assert row.last_error and "451" in row.last_error
    # when it is back, nothing is sent before the retry instant…
    inbox.refuse = False
    assert await mailer.send_pending() == 0
    # …and once it passes the mail goes out, once
    clock.advance(61)
    await deliver()
    await deliver()
    row = await EmailDelivery.get(id=row.id)
    assert row.sent_at is not None and row.attempts == 2 and row.last_error is None
    assert len(inbox.to("rey@example.com")) == 1


async def test_an_unreachable_server_leaves_the_mail_for_later(
    settings: Settings, api: Api, inbox: Inbox
) -> None:
    await handed_to_rep(api)
    mailer.configure(settings.with_(smtp_url="smtp://127.0.0.1:9"))
    await deliver()
    row = await EmailDelivery.get(to_address="rey@example.com")
    assert row.sent_at is None and row.retry_at is not None and row.last_error
    mailer.configure(settings)
    clock.advance(61)
    await deliver()
    assert len(inbox.to("rey@example.com")) == 1


async def test_a_set_password_link_is_e_mailed_and_not_kept(
    api: Api, inbox: Inbox
) -> None:
    handed = await handed_to_rep(api)
    issued = await handed.room.call(
        "admin", CREATE_LINK, {"userId": await user_id("rep")}
    )
    assert issued["userErrors"] == [] and issued["emailed"] is True
    assert issued["url"] is None
    assert inbox.to("rey@example.com") == []  # sent after commit, by the mailer
    await deliver()
    [mail] = [m for m in inbox.to("rey@example.com") if "password" in m["Subject"]]
    link = next(
        line for line in mail.get_content().splitlines() if line.startswith(PUBLIC)
    )
    assert link.startswith(f"{PUBLIC}/#/set-password?token=")
    row = await EmailDelivery.get(dedupe_key__startswith="set-password:")
    assert row.body == mailer.SCRUBBED
    api.use_session(None)
    token = link.split("token=", 1)[1]
    done = await api.gql(
        SET_PASSWORD,
        {"input": {"token": token, "password": "a long and fresh passphrase"}},
    )
    assert done.data["setPassword"]["userErrors"] == []
