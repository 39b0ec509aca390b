"""Concurrent `completeMeeting` calls on PostgreSQL complete a meeting once:
one snapshot, one MEETING_COMPLETED, the others INVALID_TRANSITION."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from server.models import Meeting
from server.models.core import OutboxEvent
from server.services.core import ids
from server.services.people.auth import SESSION_COOKIE
from tests.api.meetings.steps import COMPLETE, Room, room_of
from tests.helpers import Api

ROUNDS = 10
AT_ONCE = 6


async def at_once(
    room: Room, sends: list[tuple[str, str, dict[str, Any]]]
) -> list[Any]:
    room.api.use_session(None)
    calls = [
        room.api.gql(
            document,
            {"input": given},
            headers={"cookie": f"{SESSION_COOKIE}={room.sessions[who]}"},
        )
        for who, document, given in sends
    ]
    return [next(iter(r.data.values())) for r in await asyncio.gather(*calls)]


@pytest.mark.only_backend("postgres")
async def test_many_completions_of_one_meeting_at_once_complete_it_once(
    api: Api, backend: str
) -> None:
    room = await room_of(api)
    await room.decided("ana@logistics.example", reject="NO_BUDGET")
    for _ in range(ROUNDS):
        meeting = (await room.schedule())["meeting"]
        who = ["marketing", "sales", "marketing2", "sales2", "leader", "marketing"]
        answers = await at_once(
            room, [(w, COMPLETE, {"id": meeting["id"]}) for w in who[:AT_ONCE]]
        )
        codes = sorted(tuple(e["code"] for e in a["userErrors"]) for a in answers)
        assert codes == [()] + [("INVALID_TRANSITION",)] * (AT_ONCE - 1), answers
        key = ids.decode(meeting["id"], "Meeting")
        row = await Meeting.get(id=key)
        winner = next(a for a in answers if not a["userErrors"])
        assert row.version == 2 and row.status == "COMPLETED"
        assert row.snapshot == winner["meeting"]["snapshotText"]
        completed = await OutboxEvent.filter(
            kind="MEETING_COMPLETED", subject_id=key
        ).count()
        assert completed == 1
