"""Action items past due (SPEC §2.7): listed for their owners and notified
once, by the reminder the sweeper runs after each pass."""

from __future__ import annotations

from server.models import ActionItem
from server.services.waterfall import sweeper
from tests.api.meetings.steps import ADD_ITEM, COMPLETE, UPDATE_ITEM, room_of
from tests.handoff_steps import berlin, user_id
from tests.helpers import Api
from tests.notification_steps import notified
from tests.sweeper_steps import settle

MINE = """
query($filter: ActionItemFilter) {
  myActionItems(filter: $filter) {
    totalCount
    edges { node { description dueDate status overdue meeting { title } } }
  }
}"""


async def test_an_open_item_past_due_is_listed_for_its_owner_and_notified_once(
    api: Api,
) -> None:
    # given a completed review with two items for the sales manager, due Tuesday
    room = await room_of(api)
    meeting = (await room.schedule())["meeting"]
    await room.call("marketing", COMPLETE, {"id": meeting["id"]})
    items = []
    for text in ("Call back the budget leads", "Review the SDR script"):
        added = await room.call(
            "marketing",
            ADD_ITEM,
            {
                "meetingId": meeting["id"],
                "description": text,
                "ownerId": await user_id("sales"),
                "dueDate": "2026-11-24",
            },
        )
        assert added["userErrors"] == [], added
        items.append(added["actionItem"])
    done = await room.call(
        "sales", UPDATE_ITEM, {"id": items[1]["id"], "status": "DONE"}
    )
    assert done["userErrors"] == [], done

    # when Thursday comes and the sweeper runs twice
    await room.at(berlin(2026, 11, 26, 9, 0))
    await sweeper.sweep()
    await sweeper.sweep()
    await settle()

    # then the open one is listed as overdue and its owner was told once
    found = await room.query("sales", MINE, filter={"overdue": True})
    mine = found["myActionItems"]
    assert mine["totalCount"] == 1
    node = mine["edges"][0]["node"]
    assert (node["description"], node["overdue"]) == (
        "Call back the budget leads",
        True,
    )
    assert node["meeting"]["title"] == "Weekly lead review"
    assert await notified("ACTION_ITEM_OVERDUE") == [("Sales", "ACTION_ITEM_OVERDUE")]
    reminded = await ActionItem.filter(overdue_notified_at__isnull=False).count()
    assert reminded == 1

    # and nobody else lists it
    others = await room.query("rep", MINE)
    assert others["myActionItems"]["totalCount"] == 0


async def test_moving_the_due_date_rearms_the_reminder(api: Api) -> None:
    room = await room_of(api)
    meeting = (await room.schedule())["meeting"]
    added = await room.call(
        "sales",
        ADD_ITEM,
        {
            "meetingId": meeting["id"],
            "description": "Update the battlecard",
            "ownerId": await user_id("rep"),
            "dueDate": "2026-11-24",
        },
    )
    await room.at(berlin(2026, 11, 26, 9, 0))
    await sweeper.sweep()
    moved = await room.call(
        "rep", UPDATE_ITEM, {"id": added["actionItem"]["id"], "dueDate": "2026-11-27"}
    )
    assert moved["userErrors"] == [] and moved["actionItem"]["overdue"] is False
    await room.at(berlin(2026, 11, 30, 9, 0))
    await sweeper.sweep()
    await settle()
    assert await notified("ACTION_ITEM_OVERDUE") == [("Rep", "ACTION_ITEM_OVERDUE")] * 2
