"""The meetings list and a meeting page come with SQL statements fixed by the
query's shape, not by the number of meetings, attendees or action items; a
content review's agenda lists open, overdue and most-voted requests."""

from __future__ import annotations

from typing import Any

from server import db
from tests.api.meetings.steps import ADD_ITEM, NODE, Room, room_of
from tests.handoff_steps import user_id
from tests.helpers import Api

LIST = """
query($status: [MeetingStatus!]) {
  meetings(first: 50, filter: {statuses: $status}) {
    totalCount
    edges { node { id title kind status scheduledFor attendees { name }
                   actionItems { description status owner { name } } } }
  }
}"""
REQUEST = """
mutation($input: RequestContentInput!) {
  requestContent(input: $input) { contentRequest { id } userErrors { code } }
}"""


async def meetings_with_items(room: Room, n: int) -> None:
    for _ in range(n):
        meeting = (await room.schedule())["meeting"]
        for owner in ("sales", "rep"):
            added = await room.call(
                "marketing",
                ADD_ITEM,
                {
                    "meetingId": meeting["id"],
                    "description": "Follow up",
                    "ownerId": await user_id(owner),
                },
            )
            assert added["userErrors"] == [], added


async def counted(room: Room, document: str, **variables: Any) -> tuple[Any, int]:
    with db.count_statements() as statements:
        found = await room.query("rep", document, **variables)
    # a session's last-seen time is written at most once a minute, whenever
    # that minute passes: not part of the operation's shape
    kept = [s for s in statements if "UPDATE" not in s.upper()[:12]]
    return found, len(kept)


async def test_the_meetings_list_costs_the_same_for_one_meeting_or_five(
    api: Api,
) -> None:
    room = await room_of(api)
    await meetings_with_items(room, 1)
    one, few = await counted(room, LIST)
    await meetings_with_items(room, 4)
    five, many = await counted(room, LIST)
    assert one["meetings"]["totalCount"] == 1
    assert five["meetings"]["totalCount"] == 5
    assert len(five["meetings"]["edges"][4]["node"]["actionItems"]) == 2
    # session, page, count, attendees, items, owners
    assert few == many == 6


async def test_a_lead_review_page_reads_its_live_agenda_in_fixed_statements(
    api: Api,
) -> None:
    room = await room_of(api)
    await room.decided("ana@logistics.example", reject="NO_BUDGET")
    meeting = (await room.schedule())["meeting"]
    _, before = await counted(room, NODE, id=meeting["id"])
    await room.decided("bo@logistics.example", reject="NOT_A_FIT")
    await room.decided("cy@logistics.example")
    page, after = await counted(room, NODE, id=meeting["id"])
    assert before == after
    reasons = next(
        a for a in page["node"]["agenda"] if a["topic"] == "REJECTION_REASONS"
    )
    assert {f["label"] for f in reasons["figures"]} == {"No budget", "Not a fit"}


async def test_a_content_review_agenda_lists_open_and_most_voted_requests(
    api: Api,
) -> None:
    room = await room_of(api)
    asked = await room.call(
        "rep",
        REQUEST,
        {"title": "Logistics case study", "contentType": "CASE_STUDY"},
    )
    assert asked["userErrors"] == [], asked
    done = await room.schedule(kind="CONTENT_REVIEW", title="Content review")
    assert done["userErrors"] == [], done
    agenda = {a["topic"]: a for a in done["meeting"]["agenda"]}
    assert list(agenda) == [
        "OPEN_REQUESTS",
        "OVERDUE_REQUESTS",
        "MOST_VOTED_REQUESTS",
        "TURNAROUND",
        "LOWEST_RATED_ASSETS",
    ]
    opened = agenda["OPEN_REQUESTS"]
    assert opened["figures"][0]["count"] == 1
    assert opened["records"][0]["id"] == asked["contentRequest"]["id"]
    assert opened["figures"][0]["contentRequests"]["statuses"][0] == "ACCEPTED"
