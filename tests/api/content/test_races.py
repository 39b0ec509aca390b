"""Concurrent content calls on PostgreSQL: double votes count once, and two
triages of one request leave one winner."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from server.models import ContentHistory, ContentRequest, ContentVote
from server.services.core import ids
from server.services.people.auth import SESSION_COOKIE
from tests.api.content.steps import TRIAGE, VOTE, Studio, in_days
from tests.helpers import Api

ROUNDS = 10


async def at_once(
    studio: Studio, sends: list[tuple[str, str, dict[str, Any]]]
) -> list[Any]:
    """Every call as its own request at the same instant; the payloads."""
    studio.api.use_session(None)
    calls = [
        studio.api.gql(
            document,
            {"input": given},
            headers={"cookie": f"{SESSION_COOKIE}={studio.sessions[who]}"},
        )
        for who, document, given in sends
    ]
    return [next(iter(r.data.values())) for r in await asyncio.gather(*calls)]


@pytest.mark.only_backend("postgres")
async def test_fifty_double_votes_by_one_user_at_once_are_one_vote(
    api: Api, backend: str
) -> None:
    studio = await Studio.open(api)
    rid = (await studio.ask())["id"]
    answers = await at_once(studio, [("rep2", VOTE, {"requestId": rid})] * 50)
    assert all(a["userErrors"] == [] for a in answers), answers
    key = ids.decode(rid, "ContentRequest")
    assert await ContentVote.filter(request_id=key).count() == 1
    assert (await ContentRequest.get(id=key)).votes == 1


@pytest.mark.only_backend("postgres")
async def test_two_triages_of_one_request_at_once_leave_one_winner(
    api: Api, backend: str
) -> None:
    studio = await Studio.open(api)
    for _ in range(ROUNDS):
        rid = (await studio.ask())["id"]
        accept = {
            "requestId": rid,
            "decision": "ACCEPT",
            "committedDueDate": in_days(3),
        }
        decline = {"requestId": rid, "decision": "DECLINE", "reason": "We have one"}
        answers = await at_once(
            studio, [("member", TRIAGE, accept), ("marketing", TRIAGE, decline)]
        )
        codes = sorted(tuple(e["code"] for e in a["userErrors"]) for a in answers)
        assert codes == [(), ("INVALID_TRANSITION",)], answers
        key = ids.decode(rid, "ContentRequest")
        triaged = await ContentHistory.filter(
            request_id=key, action__in=["ACCEPT", "DECLINE"]
        ).count()
        assert triaged == 1
        winner = next(a for a in answers if not a["userErrors"])
        row = await ContentRequest.get(id=key)
        assert row.status == winner["contentRequest"]["status"]
        assert row.version == 2
