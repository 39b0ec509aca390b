"""In-app notifications over the API: who hears about what, once; the viewer's
list and unread count; marking read; one's own preferences."""

from __future__ import annotations

from server.clock import clock
from server.models.core import OutboxEvent
from server.models.events import Notification
from server.models.people import User
from server.services.core import ids
from server.services.core import outbox as events
from server.services.waterfall.sweeper import sweep
from tests.agreement_steps import Table
from tests.handoff_steps import REASSIGN, user_id
from tests.helpers import Api, issue_token
from tests.notification_steps import (
    MARK_READ,
    PREFERENCES,
    inbox_of,
    notified,
)
from tests.sweeper_steps import at, handed_to_rep, holders, settle


async def test_the_assignee_is_notified_of_a_new_lead_and_marks_it_read(
    api: Api,
) -> None:
    # given a handoff to the rep
    handed = await handed_to_rep(api)
    await settle()

    # then the rep, and only the rep, has one unread notice linking to the lead
    assert await notified() == [("Rep", "HANDOFF_ASSIGNED")]
    inbox = await inbox_of(handed.room, "rep")
    assert (inbox["totalCount"], inbox["unreadCount"]) == (1, 1)
    node = inbox["edges"][0]["node"]
    assert node["title"] == "New lead for you: Ana Ops (Freight Co)"
    assert node["link"] == f"/#/leads/{handed.lead_id}" and node["read"] is False
    others = (await inbox_of(handed.room, "sales"))["edges"]
    # (the sales manager was asked to sign the model and the SLA, twice each:
    # at the proposal and when marketing had signed)
    assert [e["node"]["kind"] for e in others] == ["SIGN_OFF_REQUESTED"] * 4

    # when someone else tries to mark it read, nothing changes
    other = await handed.room.call("sales", MARK_READ, {"ids": [node["id"]]})
    assert (other["marked"], other["userErrors"]) == (0, [])
    # when the rep marks it read
    done = await handed.room.call("rep", MARK_READ, {"ids": [node["id"]]})
    assert (done["marked"], done["unreadCount"], done["userErrors"]) == (1, 0, [])
    unread = await inbox_of(handed.room, "rep", unreadOnly=True)
    assert unread["edges"] == [] and unread["unreadCount"] == 0
    assert (await inbox_of(handed.room, "rep"))["edges"][0]["node"]["read"]


async def test_marking_needs_ids_or_all(api: Api) -> None:
    handed = await handed_to_rep(api)
    refused = await handed.room.call("rep", MARK_READ, {})
    assert [e["code"] for e in refused["userErrors"]] == ["INVALID_INPUT"]
    await settle()
    done = await handed.room.call("rep", MARK_READ, {"all": True})
    assert (done["marked"], done["unreadCount"]) == (1, 0)


async def test_at_risk_and_breach_reach_the_assignee_and_the_sales_managers_once(
    api: Api,
) -> None:
    # given the rep in Berlin, a handoff at 09:00 UTC due at 13:00 UTC
    handed = await handed_to_rep(api)
    await User.filter(name="Rep").update(timezone="Europe/Berlin")
    for moment in (at(3, 1), at(4, 1)):
        clock.set(moment)
        await sweep()
        await sweep()
    await settle()

    # then the rep and both sales managers heard each once; marketing did not
    sla = [n for n in await notified() if n[1].startswith("SLA_")]
    assert sorted(sla) == sorted(
        (who, kind)
        for who in ("Rep", "Sales", "Sales2")
        for kind in ("SLA_AT_RISK", "SLA_BREACHED")
    )
    # with the deadline in each reader's own timezone
    rep = await Notification.get(kind="SLA_AT_RISK", user__name="Rep")
    boss = await Notification.get(kind="SLA_AT_RISK", user__name="Sales")
    assert "Mon 16 Nov 2026, 14:00 (CET)" in rep.title
    assert "Mon 16 Nov 2026, 13:00 (UTC)" in boss.title
    breach = await Notification.get(kind="SLA_BREACHED", user__name="Rep")
    assert "still waits for Rep" in breach.body

    # when the dispatcher hands the same events over again, nothing is added
    count = await Notification.all().count()
    await OutboxEvent.all().update(dispatched_at=None)
    await settle()
    assert await Notification.all().count() == count
    assert handed.key  # the handoff stayed put


async def test_an_auto_accept_is_told_to_the_assignee_and_managers_as_late(
    api: Api,
) -> None:
    await handed_to_rep(api, action="AUTO_ACCEPT")
    clock.set(at(4, 1))
    await sweep()
    await settle()
    told = await notified("HANDOFF_AUTO_ACCEPTED")
    assert sorted(who for who, _ in told) == ["Rep", "Sales", "Sales2"]
    row = await Notification.filter(kind="HANDOFF_AUTO_ACCEPTED").first()
    assert row is not None and "not on time" in row.body


async def test_a_reassignment_tells_the_new_and_the_previous_assignee(
    api: Api,
) -> None:
    handed = await handed_to_rep(api)
    moved = await handed.room.call(
        "sales",
        REASSIGN,
        {"handoffId": handed.handoff["id"], "assigneeId": await user_id("sales2")},
    )
    assert moved["userErrors"] == [], moved
    await settle()
    assert await notified() == [
        ("Rep", "HANDOFF_ASSIGNED"),
        ("Sales2", "HANDOFF_ASSIGNED"),
        ("Rep", "HANDOFF_MOVED"),
    ]


async def test_an_absent_assignee_with_nobody_to_take_over_escalates_to_managers(
    api: Api,
) -> None:
    handed = await handed_to_rep(api)
    await User.filter(name__in=["Sales", "Sales2"]).update(accepts_leads=False)
    await User.filter(name="Rep").update(out_of_office=True)
    await sweep()
    await settle()
    assert sorted(await notified("HANDOFF_ESCALATED")) == [
        ("Sales", "HANDOFF_ESCALATED"),
        ("Sales2", "HANDOFF_ESCALATED"),
    ]
    assert len(await holders(handed.lead_id)) == 1


async def test_a_proposal_asks_the_managers_who_have_not_signed(api: Api) -> None:
    table = await Table.seat(api)
    sla = await table.draft_sla()
    content_hash = await table.propose(sla["id"])  # by marketing
    await settle()
    asked = sorted(await notified("SIGN_OFF_REQUESTED"))
    assert asked == [
        ("Marketing2", "SIGN_OFF_REQUESTED"),
        ("Sales", "SIGN_OFF_REQUESTED"),
        ("Sales2", "SIGN_OFF_REQUESTED"),
    ]
    # when marketing signs, sales is asked again; the countersignature asks nobody
    await table.sign(sla["id"], content_hash, "marketing")
    await settle()
    assert len(await notified("SIGN_OFF_REQUESTED")) == 5
    await table.sign(sla["id"], content_hash, "sales")
    await settle()
    assert len(await notified("SIGN_OFF_REQUESTED")) == 5
    row = await Notification.filter(kind="SIGN_OFF_REQUESTED").first()
    assert row is not None
    assert row.link == f"/#/agreements/{sla['id']}"


async def test_users_set_their_own_preferences(api: Api) -> None:
    handed = await handed_to_rep(api)
    rep = await User.get(name="Rep")
    done = await handed.room.call(
        "rep",
        PREFERENCES,
        {
            "outOfOffice": True,
            "acceptsLeads": False,
            "timezone": "America/New_York",
            "expectedVersion": rep.version,
        },
    )
    assert done["userErrors"] == [], done
    user = done["user"]
    assert (user["outOfOffice"], user["acceptsLeads"], user["timezone"]) == (
        True,
        False,
        "America/New_York",
    )
    assert user["id"] == ids.encode("User", rep.id)
    stale = await handed.room.call(
        "rep", PREFERENCES, {"outOfOffice": False, "expectedVersion": rep.version}
    )
    assert [e["code"] for e in stale["userErrors"]] == ["CONFLICT"]
    bad = await handed.room.call("rep", PREFERENCES, {"timezone": "Mars/Base"})
    assert [(e["code"], e["field"]) for e in bad["userErrors"]] == [
        ("INVALID_INPUT", ["timezone"])
    ]
    null = await handed.room.call("rep", PREFERENCES, {"outOfOffice": None})
    assert [e["code"] for e in null["userErrors"]] == ["INVALID_INPUT"]


async def test_a_read_only_token_cannot_change_preferences(api: Api) -> None:
    handed = await handed_to_rep(api)
    token = await issue_token(await User.get(name="Rep"), "READ")
    api.use_session(None)
    response = await api.gql(PREFERENCES, {"input": {"outOfOffice": True}}, token=token)
    assert response.error_codes == ["FORBIDDEN"]
    assert handed.key


async def test_setting_oneself_out_of_office_moves_one_s_pending_handoffs(
    api: Api,
) -> None:
    handed = await handed_to_rep(api)
    done = await handed.room.call("rep", PREFERENCES, {"outOfOffice": True})
    assert done["userErrors"] == [], done
    await sweep()
    moved = await holders(handed.lead_id)
    assert [h[1:] for h in moved] == [
        ("REASSIGNED", None),
        ("PENDING", "OUT_OF_OFFICE"),
    ]
    await settle()
    assert (moved[1][0], "HANDOFF_ASSIGNED") in await notified()
    assert events  # the outbox was drained by settle
