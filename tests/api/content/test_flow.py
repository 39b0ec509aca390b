"""A content request from asking to delivery and rating, over HTTP: every
change is a history entry, an audit entry and a `CONTENT_REQUEST_CHANGED`
event; the requester and the assignee are told, with a link to the request."""

from __future__ import annotations

from server.models import AuditEntry, ContentHistory, Notification, OutboxEvent
from server.services.core import ids
from tests.api.content.steps import (
    COMMENT,
    DELIVER,
    MOVE,
    RATE,
    RATE_ASSET,
    REOPEN,
    TRIAGE,
    UPDATE,
    VOTE,
    Studio,
    committed,
    in_days,
)
from tests.helpers import Api, settle_outbox


async def test_a_battlecard_goes_from_request_to_delivery_and_rating(api: Api) -> None:
    # given a rep asking for a battlecard for a persona
    studio = await Studio.open(api)
    persona = await studio.persona()
    asked = await studio.ask(personaId=persona, leadStage="SAL")
    rid = asked["id"]
    assert asked["status"] == "SUBMITTED"
    assert asked["persona"] == {"id": persona}
    assert asked["requestedDueState"] == "UPCOMING"
    assert "CANCEL" in asked["viewerActions"] and "ACCEPT" not in asked["viewerActions"]

    # when marketing accepts it with a committed date, assigning a colleague
    accepted = await studio.ok(
        "marketing",
        TRIAGE,
        {
            "requestId": rid,
            "decision": "ACCEPT",
            "assigneeId": studio.ids["member"],
            **committed(5),
        },
    )
    request = accepted["contentRequest"]
    assert (request["status"], request["assignee"]) == ("ACCEPTED", {"name": "Member"})
    assert request["committedDueDate"] == in_days(5)
    assert request["requestedDueDate"] == in_days(10), "the two dates stay apart"
    assert request["committedDueState"] == "DUE_THIS_WEEK"

    # and moves it through review, with changes requested once
    for to, comment in (
        ("IN_PROGRESS", None),
        ("IN_REVIEW", None),
        ("IN_PROGRESS", "Add the pricing objection"),
        ("IN_REVIEW", "Done"),
    ):
        moved = await studio.ok(
            "member", MOVE, {"requestId": rid, "to": to, "comment": comment}
        )
        assert moved["contentRequest"]["status"] == to
    await studio.ok("rep2", VOTE, {"requestId": rid})
    await studio.ok("rep", COMMENT, {"requestId": rid, "body": "Thanks!"})

    # and delivers it with a new asset
    delivered = await studio.ok(
        "member",
        DELIVER,
        {
            "requestId": rid,
            "asset": {
                "title": "Freightly battlecard",
                "url": "https://cdn.example.com/f.pdf",
            },
        },
    )
    request = delivered["contentRequest"]
    assert request["status"] == "DELIVERED"
    assert request["deliverable"]["url"] == "https://cdn.example.com/f.pdf"
    assert request["committedDueState"] == "ON_TIME"

    # then the rep rates it, which is also their rating of the asset
    rated = await studio.ok("rep", RATE, {"requestId": rid, "rating": 4})
    assert rated["contentRequest"]["rating"] == 4
    assert rated["contentRequest"]["deliverable"]["ratings"] == {
        "average": 4.0,
        "count": 1,
        "viewerRating": 4,
    }
    # a second rating edits the first
    rated = await studio.ok("rep", RATE, {"requestId": rid, "rating": 5})
    assert rated["contentRequest"]["deliverable"]["ratings"]["count"] == 1
    asset_id = delivered["asset"]["id"]
    other = await studio.ok("rep2", RATE_ASSET, {"assetId": asset_id, "rating": 2})
    assert other["asset"]["ratings"]["average"] == 3.5

    found = await studio.detail(rid)
    assert [(h["action"], h["from"], h["to"]) for h in found["history"]] == [
        ("REQUEST", None, "SUBMITTED"),
        ("ACCEPT", "SUBMITTED", "ACCEPTED"),
        ("START", "ACCEPTED", "IN_PROGRESS"),
        ("SUBMIT_FOR_REVIEW", "IN_PROGRESS", "IN_REVIEW"),
        ("REQUEST_CHANGES", "IN_REVIEW", "IN_PROGRESS"),
        ("SUBMIT_FOR_REVIEW", "IN_PROGRESS", "IN_REVIEW"),
        ("DELIVER", "IN_REVIEW", "DELIVERED"),
        ("RATE", "DELIVERED", "DELIVERED"),
        ("RATE", "DELIVERED", "DELIVERED"),
    ]
    assert found["history"][4]["comment"] == "Add the pricing objection"
    assert found["history"][1]["actor"] == {"name": "Marketing"}
    assert found["comments"] == [{"body": "Thanks!", "author": {"name": "Rep"}}]
    assert found["voters"] == [{"name": "Rep2"}] and found["votes"] == 1
    key = ids.decode(rid, "ContentRequest")
    events = await OutboxEvent.filter(subject_type="ContentRequest", subject_id=key)
    assert {e.kind for e in events} == {"CONTENT_REQUEST_CHANGED"}
    assert (
        len(events) == 11
    )  # request, triage, 4 moves, vote, comment, deliver, 2 rates
    audited = await AuditEntry.filter(entity_type="ContentRequest", entity_id=key)
    assert len(audited) == 11

    # and the requester and the assignee were told, with a link to the request
    await settle_outbox()
    told = await Notification.filter(subject_id=key, subject_type="ContentRequest")
    by_whom = {(n.user_id, n.title) for n in told}
    assert all(n.link == f"/#/content/{rid}" for n in told)
    names = {n.title.split(" ")[0] for n in told}
    assert "Rep2" not in {t for _, t in by_whom}, "votes tell nobody"
    assert names <= {"Marketing", "Member", "Rep"}
    rep_heard = [n.title for n in told if n.title.startswith("Member delivered")]
    assert rep_heard, [n.title for n in told]


async def test_reopening_a_delivered_request_sends_it_back_to_work(api: Api) -> None:
    studio = await Studio.open(api)
    request = await studio.in_status("DELIVERED")
    await studio.ok("rep", RATE, {"requestId": request["id"], "rating": 2})
    reopened = await studio.ok(
        "rep", REOPEN, {"requestId": request["id"], "comment": "Wrong competitor"}
    )
    after = reopened["contentRequest"]
    assert after["status"] == "IN_PROGRESS"
    assert after["assignee"] == {"name": "Member"}
    assert (after["deliveredAt"], after["rating"]) == (None, None)
    entry = await ContentHistory.all().order_by("-id").first()
    assert entry is not None and entry.comment == "Wrong competitor"


async def test_reopening_a_declined_request_sends_it_back_to_triage(api: Api) -> None:
    studio = await Studio.open(api)
    request = await studio.in_status("DECLINED")
    assert request["declineReason"] == "Exists"
    reopened = await studio.ok(
        "sales", REOPEN, {"requestId": request["id"], "comment": "It does not exist"}
    )
    after = reopened["contentRequest"]
    assert (after["status"], after["assignee"], after["declineReason"]) == (
        "SUBMITTED",
        None,
        None,
    )


async def test_the_requester_edits_a_submitted_request_at_the_version_they_saw(
    api: Api,
) -> None:
    studio = await Studio.open(api)
    request = await studio.ask()
    edited = await studio.ok(
        "rep",
        UPDATE,
        {
            "id": request["id"],
            "expectedVersion": request["version"],
            "priority": "URGENT",
            "description": "Now for the Acme deal",
        },
    )
    after = edited["contentRequest"]
    assert (after["priority"], after["description"]) == (
        "URGENT",
        "Now for the Acme deal",
    )
    assert after["requestedDueDate"] == request["requestedDueDate"], "absent: kept"
    assert after["version"] == request["version"] + 1
    cleared = await studio.ok(
        "rep",
        UPDATE,
        {
            "id": request["id"],
            "expectedVersion": after["version"],
            "requestedDueDate": None,
        },
    )
    assert cleared["contentRequest"]["requestedDueDate"] is None


async def test_votes_count_once_per_user_and_can_be_taken_back(api: Api) -> None:
    studio = await Studio.open(api)
    rid = (await studio.ask())["id"]
    for who in ("rep", "rep", "member"):
        done = await studio.ok(who, VOTE, {"requestId": rid})
    assert done["contentRequest"]["votes"] == 2
    taken = await studio.ok("rep", VOTE, {"requestId": rid, "vote": False})
    assert taken["contentRequest"]["votes"] == 1
    assert taken["contentRequest"]["viewerHasVoted"] is False
    again = await studio.ok("rep", VOTE, {"requestId": rid, "vote": False})
    assert again["contentRequest"]["votes"] == 1


async def test_an_idempotency_key_replays_a_request_and_a_comment(api: Api) -> None:
    studio = await Studio.open(api)
    first = await studio.ask(idempotencyKey="k1")
    second = await studio.ask(idempotencyKey="k1")
    assert first["id"] == second["id"]
    other = await studio.call(
        "rep",
        studio_request_document(),
        {
            "title": "Something else",
            "contentType": "VIDEO",
            "idempotencyKey": "k1",
        },
    )
    assert [e["code"] for e in other["userErrors"]] == ["CONFLICT"]
    said = [
        await studio.ok(
            "rep",
            COMMENT,
            {"requestId": first["id"], "body": "Hi", "idempotencyKey": "c"},
        )
        for _ in range(2)
    ]
    assert said[0]["comment"]["id"] == said[1]["comment"]["id"]
    assert (await studio.detail(first["id"]))["commentCount"] == 1


def studio_request_document() -> str:
    from tests.api.content.steps import REQUEST

    return REQUEST
