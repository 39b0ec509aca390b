"""The board's reads: filtered, ordered keyset pages, counts per status, the
asset library, turnaround; SQL statements fixed by the query's shape."""

from __future__ import annotations

from typing import Any

from server import db
from server.clock import clock
from tests.api.content.steps import (
    COMMENT,
    RATE_ASSET,
    TRIAGE,
    UPDATE,
    VOTE,
    Studio,
    in_days,
)
from tests.helpers import Api

CARD = """
  id title status contentType priority votes commentCount viewerHasVoted
  requestedDueDate committedDueDate requestedDueState committedDueState
  viewerActions requester { name } assignee { name } persona { id }
  deliverable { id ratings { average } }
"""
COLUMNS = ["SUBMITTED", "ACCEPTED", "IN_PROGRESS", "IN_REVIEW", "DELIVERED", "DECLINED"]
BOARD = (
    "query($first: Int, $filter: ContentRequestFilter) {\n"
    + "counts: contentRequestCounts(filter: $filter) { status count }\n"
    + "\n".join(
        f"{s.lower()}: contentRequests(first: $first, orderBy: DUE_DATE, filter: "
        f"{{statuses: [{s}]}}) {{ edges {{ node {{ {CARD} }} }} "
        "pageInfo { hasNextPage endCursor } }"
        for s in COLUMNS
    )
    + "\n}"
)
LIST = f"""
query($first: Int, $after: String, $filter: ContentRequestFilter,
      $orderBy: ContentRequestOrder) {{
  contentRequests(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {{
    edges {{ node {{ {CARD} }} }}
    pageInfo {{ hasNextPage endCursor }}
    totalCount
  }}
}}"""
ASSETS = """
query($filter: ContentAssetFilter, $orderBy: ContentAssetOrder) {
  contentAssets(first: 20, filter: $filter, orderBy: $orderBy) {
    edges { node { id title url contentType leadStages personas { id }
                   ratings { average count viewerRating } } }
  }
}"""
TURNAROUND = """
query($period: PeriodInput!) {
  turnaround(period: $period) {
    overall { delivered medianHours withRequestedDate onTimeAgainstRequested
              withCommittedDate onTimeAgainstCommitted onTimeAgainstCommittedShare }
    byContentType { contentType delivered }
  }
}"""


async def board(studio: Studio, first: int, who: str = "rep") -> tuple[Any, int]:
    with db.count_statements() as statements:
        found = await studio.query(who, BOARD, first=first)
    return found, len(statements)


async def test_the_board_comes_in_one_request_with_statements_fixed_by_its_shape(
    api: Api,
) -> None:
    # given requests in every column, with personas, votes and assets
    studio = await Studio.open(api)
    persona = await studio.persona()
    for status in COLUMNS:
        for _ in range(3):
            made = await studio.in_status(status, personaId=persona)
            if status == "SUBMITTED":
                await studio.ok("rep2", VOTE, {"requestId": made["id"]})
    await studio.ask(personaId=persona, requestedDueDate=in_days(30))
    # when the board is read with pages of one and of fifty
    small, few = await board(studio, 1)
    large, many = await board(studio, 50)
    # then the counts and the columns are right
    counts = {c["status"]: c["count"] for c in large["counts"]}
    assert counts == {**{s: 3 for s in COLUMNS}, "SUBMITTED": 4, "CANCELLED": 0}
    assert len(large["submitted"]["edges"]) == 4
    assert small["submitted"]["pageInfo"]["hasNextPage"] is True
    # and the statements do not grow with the page: authentication, counts, and
    # per column its page, its people, personas and the viewer's votes (every
    # request has a persona), and the delivered column's assets
    assert few == many == 27, (few, many)


async def _ids(studio: Studio, **variables: Any) -> list[str]:
    found = await studio.query("rep", LIST, first=50, **variables)
    return [e["node"]["title"] for e in found["contentRequests"]["edges"]]


async def test_filters_and_orders_pick_and_sort_the_right_requests(api: Api) -> None:
    studio = await Studio.open(api)
    persona = await studio.persona()
    soon = await studio.ask(title="Soon", requestedDueDate=in_days(1), priority="LOW")
    later = await studio.ask(
        title="Later",
        requestedDueDate=in_days(20),
        priority="URGENT",
        personaId=persona,
        contentType="VIDEO",
    )
    undated = await studio.ask(
        "rep2",
        title="Undated case study",
        requestedDueDate=None,
        contentType="CASE_STUDY",
        leadStage="SQL",
    )
    await studio.ok("member", VOTE, {"requestId": later["id"]})
    assert await _ids(studio) == ["Soon", "Later", "Undated case study"]
    assert await _ids(studio, orderBy="PRIORITY") == [
        "Later",
        "Undated case study",
        "Soon",
    ]
    assert (await _ids(studio, orderBy="VOTES"))[0] == "Later"
    assert (await _ids(studio, orderBy="CREATED"))[0] == "Undated case study"
    assert await _ids(studio, filter={"contentTypes": ["VIDEO"]}) == ["Later"]
    assert await _ids(studio, filter={"personaIds": [persona]}) == ["Later"]
    assert await _ids(studio, filter={"leadStages": ["SQL"]}) == ["Undated case study"]
    assert await _ids(studio, filter={"requesterIds": [studio.ids["rep2"]]}) == [
        "Undated case study"
    ]
    assert await _ids(studio, filter={"text": "case"}) == ["Undated case study"]
    # a committed date binds over the requested one
    await studio.ok(
        "member",
        TRIAGE,
        {
            "requestId": soon["id"],
            "decision": "ACCEPT",
            "committedDueDate": in_days(30),
            "assigneeId": studio.ids["marketing"],
        },
    )
    assert await _ids(studio) == ["Later", "Soon", "Undated case study"]
    assert await _ids(studio, filter={"assigneeIds": [studio.ids["marketing"]]}) == [
        "Soon"
    ]
    # overdue: the clock moves past the requested date of "Later" (21 days on)
    await studio.ok("rep2", COMMENT, {"requestId": undated["id"], "body": "Any news?"})
    clock.set(clock.now() + _days(25))
    await _refresh(studio)
    assert await _ids(studio, filter={"overdue": True}) == ["Later"]
    assert await _ids(studio, filter={"overdue": False}) == [
        "Soon",
        "Undated case study",
    ]
    found = await studio.query("rep", LIST, first=50, filter={"overdue": True})
    node = found["contentRequests"]["edges"][0]["node"]
    assert node["requestedDueState"] == "OVERDUE"
    assert found["contentRequests"]["totalCount"] == 1


def _days(n: int) -> Any:
    from datetime import timedelta

    return timedelta(days=n)


async def _refresh(studio: Studio) -> None:
    from server.models import User
    from tests.helpers import open_session

    for who in studio.sessions:
        studio.sessions[who] = await open_session(await User.get(name=who.title()))


async def test_pages_follow_each_other_without_gaps_or_repeats(api: Api) -> None:
    studio = await Studio.open(api)
    for n in range(7):
        await studio.ask(title=f"R{n}", requestedDueDate=in_days(n % 3))
    seen: list[str] = []
    after = None
    for _ in range(4):
        found = await studio.query(
            "rep", LIST, first=2, after=after, orderBy="DUE_DATE"
        )
        page = found["contentRequests"]
        seen += [e["node"]["title"] for e in page["edges"]]
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
    assert sorted(seen) == [f"R{n}" for n in range(7)] and len(seen) == 7


async def test_the_asset_library_filters_and_orders_by_rating(api: Api) -> None:
    studio = await Studio.open(api)
    first = (await studio.in_status("DELIVERED"))["deliverable"]["id"]
    second = (await studio.in_status("DELIVERED"))["deliverable"]["id"]
    await studio.ok("rep", RATE_ASSET, {"assetId": second, "rating": 5})
    await studio.ok("rep2", RATE_ASSET, {"assetId": first, "rating": 2})
    found = await studio.query("rep", ASSETS, orderBy="RATING")
    nodes = [e["node"] for e in found["contentAssets"]["edges"]]
    assert [n["id"] for n in nodes] == [second, first]
    assert nodes[0]["ratings"] == {"average": 5.0, "count": 1, "viewerRating": 5}
    assert nodes[1]["ratings"]["viewerRating"] is None
    by_type = await studio.query("rep", ASSETS, filter={"contentTypes": ["VIDEO"]})
    assert by_type["contentAssets"]["edges"] == []
    by_text = await studio.query("rep", ASSETS, filter={"text": "freightly"})
    assert len(by_text["contentAssets"]["edges"]) == 2


async def test_turnaround_judges_each_date_on_its_own(api: Api) -> None:
    studio = await Studio.open(api)
    start = clock.now()
    await studio.in_status("DELIVERED")
    request = await studio.ask(requestedDueDate=in_days(1))
    await studio.ok(
        "rep", UPDATE, {"id": request["id"], "expectedVersion": 1, "priority": "LOW"}
    )
    period = {
        "from": (start - _days(1)).isoformat(),
        "to": (start + _days(60)).isoformat(),
    }
    found = await studio.query("rep", TURNAROUND, period=period)
    overall = found["turnaround"]["overall"]
    assert overall["delivered"] == 1
    assert (overall["withRequestedDate"], overall["onTimeAgainstRequested"]) == (1, 1)
    assert overall["onTimeAgainstCommittedShare"] == 1.0
    assert found["turnaround"]["byContentType"] == [
        {"contentType": "BATTLECARD", "delivered": 1}
    ]
