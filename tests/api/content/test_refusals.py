"""Every transition and every refusal of the content mutations, with its exact
code, over HTTP: a refused call changes nothing but the audit log."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.content.steps import (
    CANCEL,
    COMMENT,
    DELIVER,
    MOVE,
    RATE,
    RATE_ASSET,
    REOPEN,
    REQUEST,
    TRIAGE,
    UPDATE,
    VOTE,
    Studio,
    in_days,
    refused,
)
from tests.helpers import Api

STATUSES = [
    "SUBMITTED",
    "ACCEPTED",
    "DECLINED",
    "IN_PROGRESS",
    "IN_REVIEW",
    "DELIVERED",
    "CANCELLED",
]
ASSET = {"title": "Deck", "url": "https://cdn.example.com/deck.pdf"}
# Each state-changing call, made by someone it is for, with a valid input:
# (who, document, input, the status it goes to — by starting status).
CALLS: dict[str, tuple[str, str, dict[str, Any], dict[str, str]]] = {
    "accept": (
        "member",
        TRIAGE,
        {"decision": "ACCEPT"},
        {"SUBMITTED": "ACCEPTED"},
    ),
    "decline": (
        "member",
        TRIAGE,
        {"decision": "DECLINE", "reason": "Have one"},
        {"SUBMITTED": "DECLINED"},
    ),
    "start": (
        "member",
        MOVE,
        {"to": "IN_PROGRESS", "comment": "Go"},
        {
            "ACCEPTED": "IN_PROGRESS",
            "IN_REVIEW": "IN_PROGRESS",
        },
    ),
    "review": ("member", MOVE, {"to": "IN_REVIEW"}, {"IN_PROGRESS": "IN_REVIEW"}),
    "move to delivered": ("member", MOVE, {"to": "DELIVERED"}, {}),
    "move to accepted": ("member", MOVE, {"to": "ACCEPTED"}, {}),
    "deliver": ("member", DELIVER, {"asset": ASSET}, {"IN_REVIEW": "DELIVERED"}),
    "cancel": (
        "rep",
        CANCEL,
        {},
        {
            "SUBMITTED": "CANCELLED",
            "ACCEPTED": "CANCELLED",
            "IN_PROGRESS": "CANCELLED",
            "IN_REVIEW": "CANCELLED",
        },
    ),
    "reopen": (
        "rep",
        REOPEN,
        {"comment": "Again"},
        {
            "DELIVERED": "IN_PROGRESS",
            "DECLINED": "SUBMITTED",
        },
    ),
    "vote": (
        "rep2",
        VOTE,
        {},
        {s: s for s in ("SUBMITTED", "ACCEPTED", "IN_PROGRESS", "IN_REVIEW")},
    ),
    "rate": ("rep", RATE, {"rating": 3}, {"DELIVERED": "DELIVERED"}),
    "comment": ("member", COMMENT, {"body": "Noted"}, {s: s for s in STATUSES}),
}


@pytest.mark.parametrize("status", STATUSES)
async def test_each_call_from_each_status_moves_by_the_table_or_is_invalid(
    api: Api, status: str
) -> None:
    studio = await Studio.open(api)
    for name, (who, document, extra, goes) in CALLS.items():
        request = await studio.in_status(status)
        given = {"requestId": request["id"], **extra}
        if extra.get("decision") == "ACCEPT":
            given["committedDueDate"] = in_days(7)
        if status not in goes:
            await refused(studio, who, document, given, "INVALID_TRANSITION")
            continue
        done = await studio.ok(who, document, given)
        assert done["contentRequest"]["status"] == goes[status], name


async def test_an_edit_is_for_a_submitted_request_only(api: Api) -> None:
    studio = await Studio.open(api)
    for status in STATUSES[1:]:
        request = await studio.in_status(status)
        given = {
            "id": request["id"],
            "expectedVersion": request["version"],
            "priority": "LOW",
        }
        await refused(studio, "rep", UPDATE, given, "INVALID_TRANSITION")


async def _top_level(studio: Studio, who: str, document: str, given: Any) -> None:
    response = await studio.send(who, document, given)
    assert response.error_codes == ["FORBIDDEN"], response.body


async def test_anyone_requests_comments_and_votes_leadership_and_admins_too(
    api: Api,
) -> None:
    studio = await Studio.open(api)
    request = await studio.in_status("SUBMITTED")
    rid = {"requestId": request["id"]}
    for who in ("admin", "leader"):
        asked = await studio.ok(who, REQUEST, {"title": "x", "contentType": "VIDEO"})
        assert asked["contentRequest"]["status"] == "SUBMITTED"
        assert await studio.ok(who, COMMENT, {**rid, "body": "x"})
        assert await studio.ok(who, VOTE, rid)


async def test_roles_that_may_never_call_get_a_top_level_forbidden(api: Api) -> None:
    studio = await Studio.open(api)
    request = await studio.in_status("SUBMITTED")
    rid = {"requestId": request["id"]}
    for who in ("rep", "sales", "admin", "leader"):
        await _top_level(studio, who, TRIAGE, {**rid, "decision": "DECLINE"})
        await _top_level(studio, who, MOVE, {**rid, "to": "IN_PROGRESS"})
        await _top_level(studio, who, DELIVER, {**rid, "asset": ASSET})
    for who in ("member", "marketing"):
        await _top_level(studio, who, RATE_ASSET, {"assetId": "x", "rating": 3})


async def test_someone_elses_request_is_forbidden_to_cancel_rate_reopen_or_edit(
    api: Api,
) -> None:
    studio = await Studio.open(api)
    submitted = await studio.in_status("SUBMITTED")
    delivered = await studio.in_status("DELIVERED")
    for who in ("rep2", "member", "marketing"):
        await refused(studio, who, CANCEL, {"requestId": submitted["id"]}, "FORBIDDEN")
        await refused(
            studio, who, RATE, {"requestId": delivered["id"], "rating": 5}, "FORBIDDEN"
        )
        await refused(
            studio,
            who,
            REOPEN,
            {"requestId": delivered["id"], "comment": "x"},
            "FORBIDDEN",
        )
    for who in ("rep2", "sales"):
        await refused(
            studio,
            who,
            UPDATE,
            {"id": submitted["id"], "expectedVersion": 1, "priority": "LOW"},
            "FORBIDDEN",
        )
    # a sales manager may cancel and rate someone else's request
    assert await studio.ok("sales", RATE, {"requestId": delivered["id"], "rating": 1})
    done = await studio.ok("sales", CANCEL, {"requestId": submitted["id"]})
    assert done["contentRequest"]["status"] == "CANCELLED"


@pytest.mark.parametrize(
    ("case", "document", "who", "status", "given", "field"),
    [
        (
            "blank title",
            REQUEST,
            "rep",
            None,
            {"title": "  ", "contentType": "VIDEO"},
            ["title"],
        ),
        (
            "past requested date",
            REQUEST,
            "rep",
            None,
            {"title": "x", "contentType": "VIDEO", "requestedDueDate": "2020-01-01"},
            ["requestedDueDate"],
        ),
        (
            "accept without a date",
            TRIAGE,
            "member",
            "SUBMITTED",
            {"decision": "ACCEPT"},
            ["committedDueDate"],
        ),
        (
            "accept with a past date",
            TRIAGE,
            "member",
            "SUBMITTED",
            {"decision": "ACCEPT", "committedDueDate": "2020-01-01"},
            ["committedDueDate"],
        ),
        (
            "decline without a reason",
            TRIAGE,
            "member",
            "SUBMITTED",
            {"decision": "DECLINE", "reason": "  "},
            ["reason"],
        ),
        (
            "changes requested without a comment",
            MOVE,
            "member",
            "IN_REVIEW",
            {"to": "IN_PROGRESS"},
            ["comment"],
        ),
        (
            "reopen without a comment",
            REOPEN,
            "rep",
            "DELIVERED",
            {"comment": " "},
            ["comment"],
        ),
        (
            "a javascript link",
            DELIVER,
            "member",
            "IN_REVIEW",
            {"asset": {"title": "x", "url": "javascript:alert(1)"}},
            ["asset", "url"],
        ),
        (
            "an ftp link",
            DELIVER,
            "member",
            "IN_REVIEW",
            {"asset": {"title": "x", "url": "ftp://example.com/x"}},
            ["asset", "url"],
        ),
        ("no asset at all", DELIVER, "member", "IN_REVIEW", {}, ["assetId"]),
        (
            "asset named and described",
            DELIVER,
            "member",
            "IN_REVIEW",
            {"assetId": "x", "asset": ASSET},
            ["assetId"],
        ),
        ("a rating of six", RATE, "rep", "DELIVERED", {"rating": 6}, ["rating"]),
        ("a rating of zero", RATE, "rep", "DELIVERED", {"rating": 0}, ["rating"]),
        ("an empty comment", COMMENT, "rep", "SUBMITTED", {"body": " "}, ["body"]),
        (
            "a sales assignee",
            TRIAGE,
            "member",
            "SUBMITTED",
            {
                "decision": "ACCEPT",
                "committedDueDate": "2099-01-01",
                "assigneeId": "rep",
            },
            ["assigneeId"],
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and " " in v else "",
)
async def test_invalid_input_is_refused_on_its_field(
    api: Api,
    case: str,
    document: str,
    who: str,
    status: str | None,
    given: dict[str, Any],
    field: list[str],
) -> None:
    studio = await Studio.open(api)
    given = dict(given)
    if given.get("assigneeId") == "rep":
        given["assigneeId"] = studio.ids["rep"]
    if status is not None:
        given["requestId"] = (await studio.in_status(status))["id"]
    await refused(studio, who, document, given, "INVALID_INPUT", field)


async def test_unknown_requests_and_assets_are_not_found(api: Api) -> None:
    studio = await Studio.open(api)
    request = await studio.in_status("IN_REVIEW")
    asset = (await studio.in_status("DELIVERED"))["deliverable"]["id"]
    from server.services.core import ids

    missing = ids.encode("ContentRequest", 999_999)
    await refused(
        studio,
        "rep",
        COMMENT,
        {"requestId": missing, "body": "x"},
        "NOT_FOUND",
        ["requestId"],
    )
    await refused(
        studio,
        "member",
        DELIVER,
        {"requestId": request["id"], "assetId": ids.encode("ContentAsset", 999)},
        "NOT_FOUND",
        ["assetId"],
    )
    await refused(
        studio,
        "rep",
        RATE_ASSET,
        {"assetId": ids.encode("ContentAsset", 999), "rating": 3},
        "NOT_FOUND",
        ["assetId"],
    )
    # delivering with an existing asset links it
    done = await studio.ok(
        "member", DELIVER, {"requestId": request["id"], "assetId": asset}
    )
    assert done["contentRequest"]["deliverable"]["id"] == asset


async def test_a_stale_version_is_a_conflict(api: Api) -> None:
    studio = await Studio.open(api)
    request = await studio.ask()
    await studio.ok(
        "rep", UPDATE, {"id": request["id"], "expectedVersion": 1, "priority": "LOW"}
    )
    await refused(
        studio,
        "rep",
        UPDATE,
        {"id": request["id"], "expectedVersion": 1, "priority": "URGENT"},
        "CONFLICT",
        ["expectedVersion"],
    )
